import type { INodeProperties } from 'n8n-workflow';
import { cardSourceFields } from './CardDescription';

const show = { show: { resource: ['callback'], operation: ['respondToCardAction'] } };

export const callbackOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['callback'] } },
		options: [
			{
				name: 'Respond to Card Action',
				value: 'respondToCardAction',
				action: 'Respond to a card action',
				description: 'Answer the card click that started this workflow with a toast and/or a new card (within 3 s)',
			},
		],
		default: 'respondToCardAction',
	},
];

export const callbackFields: INodeProperties[] = [
	{
		displayName: 'Toast Type',
		name: 'toastType',
		type: 'options',
		description: 'The look of the short notice the user sees after clicking (None: no notice)',
		options: [
			{ name: 'Error', value: 'error' },
			{ name: 'Info', value: 'info' },
			{ name: 'None', value: 'none' },
			{ name: 'Success', value: 'success' },
			{ name: 'Warning', value: 'warning' },
		],
		default: 'success',
		displayOptions: show,
	},
	{
		displayName: 'Toast Text',
		name: 'toastContent',
		type: 'string',
		default: 'Done',
		description: 'The short notice the user sees on the card after clicking',
		displayOptions: { show: { ...show.show, toastType: ['info', 'success', 'warning', 'error'] } },
	},
	{
		displayName: 'Update the Card',
		name: 'respondWithCard',
		type: 'boolean',
		default: false,
		description: 'Whether to replace the clicked card with a new one',
		displayOptions: show,
	},
	cardSourceFields[2],
];
