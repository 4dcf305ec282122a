import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { router } from './actions/router';
import { callbackFields, callbackOperations } from './descriptions/CallbackDescription';
import { cardFields } from './descriptions/CardDescription';
import { messageFields, messageOperations } from './descriptions/MessageDescription';
import { CREDENTIAL_TYPE } from './GenericFunctions';

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
		return await router(this);
	}
}
