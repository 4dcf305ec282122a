// Every parameter of the Feishu node, in the editor's order: the Resource picker, each resource's
// Operation list, then their fields. Its own module so that code other than the node (the credential
// test, the README generator) reads the same list.
import type { INodeProperties } from 'n8n-workflow';
import { authenticationProperty } from './AuthenticationDescription';
import { apiFields, apiOperations } from './ApiDescription';
import { bitableFields, bitableOperations } from './BitableDescription';
import { callbackFields, callbackOperations } from './CallbackDescription';
import { cardFields } from './CardDescription';
import { chatAnnouncementFields, chatSearchFields } from './ChatAnnouncementDescription';
import { chatFields, chatOperations } from './ChatDescription';
import { contactFields, contactOperations } from './ContactDescription';
import { customBotFields, customBotOperations, customBotOptions } from './CustomBotDescription';
import { ephemeralFields } from './EphemeralDescription';
import { messageBatchFields } from './MessageBatchDescription';
import { messageFields, messageOperations, messageOptions } from './MessageDescription';
import { sendAndWaitFields } from './SendAndWaitDescription';
import { sheetsFields, sheetsOperations } from './SheetsDescription';

export const RESOURCES = [
	{ name: 'API', value: 'api', description: 'Any Feishu Open API endpoint, picked from a searchable list of every one' },
	{ name: 'Bitable (Base)', value: 'bitable', description: 'Records, tables, fields and views of a Feishu Base (多维表格) the app is a collaborator of' },
	{ name: 'Callback', value: 'callback' },
	{ name: 'Chat', value: 'chat' },
	{ name: 'Contact', value: 'contact', description: 'The tenant\'s users and departments, within the app\'s contact scope' },
	{ name: 'Custom Bot', value: 'customBot', description: 'A group\'s webhook bot: posts with its own credential, no app needed' },
	{ name: 'Message', value: 'message' },
	{ name: 'Sheets', value: 'sheets', description: 'Values and sheets of a Feishu spreadsheet (电子表格) the app is a collaborator of' },
];

export const nodeProperties: INodeProperties[] = [
	authenticationProperty,
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
	...apiOperations,
	...bitableOperations,
	...sheetsOperations,
	...messageFields,
	...sendAndWaitFields,
	...messageBatchFields,
	...ephemeralFields,
	...chatFields,
	...chatAnnouncementFields,
	...chatSearchFields,
	...contactFields,
	...callbackFields,
	...customBotFields,
	...apiFields,
	...bitableFields,
	...sheetsFields,
	// After the "Card Source" parameters they depend on, before Options.
	...cardFields,
	...messageOptions,
	...customBotOptions,
];
