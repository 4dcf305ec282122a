import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { executeCallback } from './actions/callback';
import { executeMessage } from './actions/message';
import { callbackFields, callbackOperations } from './descriptions/CallbackDescription';
import { cardFields } from './descriptions/CardDescription';
import { messageFields, messageOperations } from './descriptions/MessageDescription';
import { CREDENTIAL_TYPE, errorJson, getFeishuClient, toNodeError } from './GenericFunctions';

export class Feishu implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu',
		name: 'feishu',
		icon: { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Send, reply to and manage Feishu / Lark messages, and answer card actions',
		defaults: { name: 'Feishu' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Message', value: 'message' },
					{ name: 'Callback', value: 'callback' },
				],
				default: 'message',
			},
			...messageOperations,
			...callbackOperations,
			...messageFields,
			...callbackFields,
			// Last: the card fields depend on the "Card Source" parameters defined above.
			...cardFields,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const client = resource === 'message' ? await getFeishuClient(this) : undefined;

		for (let i = 0; i < items.length; i++) {
			try {
				const result =
					resource === 'callback'
						? executeCallback(this, operation, i, items[i])
						: await executeMessage(this, client!, operation, i, items[i]);
				out.push({ ...result, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { ...errorJson(error) }, pairedItem: { item: i } });
					continue;
				}
				throw toNodeError(this, error, i);
			}
		}
		return [out];
	}
}
