import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { router } from './actions/router';
import { callbackFields, callbackOperations } from './descriptions/CallbackDescription';
import { cardFields } from './descriptions/CardDescription';
import { chatFields, chatOperations } from './descriptions/ChatDescription';
import { messageFields, messageOperations, messageOptions } from './descriptions/MessageDescription';
import { CREDENTIAL_TYPE } from './GenericFunctions';
import { searchChats, searchUsers } from './methods/listSearch';

export class Feishu implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu',
		name: 'feishu',
		icon: { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' },
		group: ['output'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Send, reply to and manage Feishu / Lark messages, manage group chats and their members, and answer card actions',
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
					{ name: 'Callback', value: 'callback' },
					{ name: 'Chat', value: 'chat' },
					{ name: 'Message', value: 'message' },
				],
				default: 'message',
			},
			...messageOperations,
			...chatOperations,
			...callbackOperations,
			...messageFields,
			...chatFields,
			...callbackFields,
			// After the "Card Source" parameters they depend on, before Options.
			...cardFields,
			...messageOptions,
		],
	};

	methods = { listSearch: { searchChats, searchUsers } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router(this);
	}
}
