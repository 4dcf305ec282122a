// The Feishu node's execute: finds the operation of the chosen resource and runs it item by item,
// with n8n's paired items and "Continue On Fail" (modelled on n8n's Airtable v2 router).
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { FeishuValidationError } from '../../../lib/feishu';
import { errorJson, getFeishuClient, toNodeError } from '../GenericFunctions';
import { api } from './api';
import { callback } from './callback';
import { chat } from './chat';
import { contact } from './contact';
import { customBot } from './customBot';
import { message } from './message';
import { bitable } from './bitable';
import { sheets } from './sheets';
import { ItemFailure, type BatchContext, type BatchItemResult, type ResourceOperations } from './types';

export const resources: Record<string, ResourceOperations> = { api, bitable, callback, chat, contact, customBot, message, sheets };

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
	const client = resource!.usesApi ? await getFeishuClient(ctx, { resource: resourceName, operation: operationName, endpoint: operation.endpoint }) : undefined;

	if (operation.executeBatch) return [await runBatch(ctx, operation.executeBatch.bind(operation), items, client)];

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

/**
 * An operation that takes all items at once (ItemOperation.executeBatch): its per-item results get
 * their pairedItem, failures become error items with "Continue On Fail" and stop the run without it,
 * at the first failing item (or the item a thrown ItemFailure names).
 */
async function runBatch(ctx: IExecuteFunctions, executeBatch: (c: BatchContext) => Promise<BatchItemResult[]>, items: INodeExecutionData[], client: BatchContext['client']): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	let results: BatchItemResult[];
	try {
		results = await executeBatch({ ctx, items, client });
	} catch (error) {
		const failure = error instanceof ItemFailure ? error : new ItemFailure(error, 0);
		if (!ctx.continueOnFail()) throw toNodeError(ctx, failure.error, failure.itemIndex);
		results = items.map(() => failure);
	}
	for (let i = 0; i < items.length; i++) {
		const result = results[i] ?? new ItemFailure(new Error('the operation gave this item no result'), i);
		if (result instanceof ItemFailure) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx, result.error, i);
			out.push({ json: { ...errorJson(result.error) }, pairedItem: { item: i } });
			continue;
		}
		for (const item of Array.isArray(result) ? result : [result]) out.push({ ...item, pairedItem: { item: i } });
	}
	return out;
}
