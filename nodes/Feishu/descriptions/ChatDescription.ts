import type { INodeProperties } from 'n8n-workflow';
import { chatLocator } from './locators';

const show = (...operation: string[]) => ({ show: { resource: ['chat'], operation } });

export const chatOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{ name: 'Get', value: 'get', action: 'Get a chat', description: 'Get a chat\'s name, description, mode and member counts' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many chats', description: 'List the group chats the bot is in' },
		],
		default: 'get',
	},
];

export const chatFields: INodeProperties[] = [
	chatLocator({
		displayName: 'Chat',
		name: 'chatId',
		defaultExpression: '={{ $json.chat_id }}',
		description: 'The chat to get; defaults to the chat of the message that started the workflow',
		displayOptions: show('get'),
	}),
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: show('getAll'),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['chat'], operation: ['getAll'], returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('getAll'),
		options: [
			{
				displayName: 'Sort By',
				name: 'sortType',
				type: 'options',
				options: [
					{ name: 'Creation Time (Oldest First)', value: 'ByCreateTimeAsc' },
					{ name: 'Last Activity (Most Recent First)', value: 'ByActiveTimeDesc' },
				],
				default: 'ByCreateTimeAsc',
				description: 'The order Feishu lists the chats in',
			},
		],
	},
];
