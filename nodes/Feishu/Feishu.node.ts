import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { router } from './actions/router';
import { callbackFields, callbackOperations } from './descriptions/CallbackDescription';
import { cardFields } from './descriptions/CardDescription';
import { chatFields, chatOperations } from './descriptions/ChatDescription';
import { contactFields, contactOperations } from './descriptions/ContactDescription';
import { customBotFields, customBotOperations, customBotOptions } from './descriptions/CustomBotDescription';
import { messageFields, messageOperations, messageOptions } from './descriptions/MessageDescription';
import { CREDENTIAL_TYPE, CUSTOM_BOT_CREDENTIAL_TYPE } from './GenericFunctions';
import { searchChats, searchUsers } from './methods/listSearch';

const RESOURCES = [
	{ name: 'Callback', value: 'callback' },
	{ name: 'Chat', value: 'chat' },
	{ name: 'Contact', value: 'contact', description: 'The tenant\'s users and departments, within the app\'s contact scope' },
	{ name: 'Custom Bot', value: 'customBot', description: 'A group\'s webhook bot: posts with its own credential, no app needed' },
	{ name: 'Message', value: 'message' },
];

export class Feishu implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu',
		name: 'feishu',
		icon: { light: 'file:feishu.svg', dark: 'file:feishu.dark.svg' },
		group: ['output'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Send, reply to and manage Feishu / Lark messages, manage group chats and their members, look up people and departments, answer card actions, and post through group custom bots',
		defaults: { name: 'Feishu' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// The app's credential for everything but Custom Bot, which takes only its webhook's. `hide`,
		// not a `show` list of the other resources: n8n's editor takes a parameter whose every value
		// some credential's `show` names for the node's authentication field and moves it out of the
		// parameter list (getMainAuthField), which would hide the Resource picker.
		credentials: [
			{ name: CREDENTIAL_TYPE, required: true, displayOptions: { hide: { resource: ['customBot'] } } },
			{ name: CUSTOM_BOT_CREDENTIAL_TYPE, required: true, displayOptions: { show: { resource: ['customBot'] } } },
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: RESOURCES,
				default: 'message',
			},
			...messageOperations,
			...chatOperations,
			...contactOperations,
			...callbackOperations,
			...customBotOperations,
			...messageFields,
			...chatFields,
			...contactFields,
			...callbackFields,
			...customBotFields,
			// After the "Card Source" parameters they depend on, before Options.
			...cardFields,
			...messageOptions,
			...customBotOptions,
		],
	};

	methods = { listSearch: { searchChats, searchUsers } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router(this);
	}
}
