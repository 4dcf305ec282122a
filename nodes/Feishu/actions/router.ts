// The Feishu node's execute: finds the operation of the chosen resource and runs it item by item,
// with n8n's paired items and "Continue On Fail" (modelled on n8n's Airtable v2 router).
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { FeishuValidationError } from '../../../lib/feishu';
import { errorJson, getFeishuClient, toNodeError } from '../GenericFunctions';
import { callback } from './callback';
import { chat } from './chat';
import { contact } from './contact';
import { customBot } from './customBot';
import { message } from './message';
import type { ResourceOperations } from './types';

export const resources: Record<string, ResourceOperations> = { callback, chat, contact, customBot, message };

export async function router(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	const resourceName = ctx.getNodeParameter('resource', 0) as string;
	const operationName = ctx.getNodeParameter('operation', 0) as string;
	const resource = Object.hasOwn(resources, resourceName) ? resources[resourceName] : undefined;
	const operation = resource && Object.hasOwn(resource.operations, operationName) ? resource.operations[operationName] : undefined;
	if (!operation) {
		const error = new FeishuValidationError('Operation', `unknown ${resourceName} operation "${operationName}"`);
		throw toNodeError(ctx, error, 0);
	}
	const client = resource!.usesApi ? await getFeishuClient(ctx) : undefined;

	for (let i = 0; i < items.length; i++) {
		try {
			const result = await operation.execute({ ctx, i, item: items[i], client });
			for (const item of Array.isArray(result) ? result : [result]) out.push({ ...item, pairedItem: { item: i } });
		} catch (error) {
			if (ctx.continueOnFail()) {
				out.push({ json: { ...errorJson(error) }, pairedItem: { item: i } });
				continue;
			}
			throw toNodeError(ctx, error, i);
		}
	}
	return [out];
}
