import type { INodeProperties } from 'n8n-workflow';
import { cardSourceFor } from './CardDescription';
import { postFields } from './ContentDescription';
import { chatLocator } from './locators';

// Batch Send (message/v4/batch_send: users and departments, five message types) and the operations on
// the task it answers (Get Batch Message Progress, Recall Batch Message).

const show = (...operation: string[]) => ({ show: { resource: ['message'], operation } });
const batch = { resource: ['message'], operation: ['batchSend'] };

const idList = (displayName: string, name: string, placeholder: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	placeholder,
	description: `${description}; at most 200. Give at least one of Open IDs, User IDs, Union IDs, Department IDs.`,
	displayOptions: show('batchSend'),
});

export const messageBatchFields: INodeProperties[] = [
	idList('Open IDs', 'batchOpenIds', 'ou_…, ou_…', 'Comma-separated open_ids of the users to message'),
	idList('User IDs', 'batchUserIds', 'e.g. 5d9bdxxx, 7cdcc7c2', 'Comma-separated user_ids (the tenant\'s employee IDs) of the users to message'),
	idList('Union IDs', 'batchUnionIds', 'on_…, on_…', 'Comma-separated union_ids of the users to message'),
	idList(
		'Department IDs',
		'batchDepartmentIds',
		'od-…, od-…',
		'Comma-separated department IDs (open_department_id or the tenant\'s department_id): everyone in them and in every department under them gets the message. Not the root department (0)',
	),
	{
		displayName: 'Message Type',
		name: 'msgType',
		type: 'options',
		options: [
			{ name: 'Card', value: 'interactive' },
			{ name: 'Image', value: 'image' },
			{ name: 'Rich Text (Post)', value: 'post' },
			{ name: 'Share Chat', value: 'share_chat' },
			{ name: 'Text', value: 'text' },
		],
		default: 'text',
		description: 'What kind of message to send (Batch Send takes these five): its content fields follow',
		displayOptions: show('batchSend'),
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		description: 'Plain text (at most 150 KB); Batch Send shows no bold, italic, underline or strikethrough styles',
		displayOptions: { show: { ...batch, msgType: ['text'] } },
	},
	...postFields(batch, {
		locale: 'The language version of the post this content is stored under',
		json: 'Locale-keyed post content as in Feishu\'s send-message docs (at most 30 KB; Batch Send takes no "md" elements)',
	}),
	{
		displayName: 'Image Key',
		name: 'imageKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'img_v3_…',
		description: 'The image_key of an image this app uploaded (the Upload Image operation)',
		displayOptions: { show: { ...batch, msgType: ['image'] } },
	},
	chatLocator({
		displayName: 'Chat to Share',
		name: 'shareChatId',
		description: 'The group whose card to share',
		displayOptions: { show: { ...batch, msgType: ['share_chat'] } },
	}),
	cardSourceFor('batchSend'),
	{
		displayName: 'Batch Message ID',
		name: 'batchMessageId',
		type: 'string',
		default: '={{ $json.message_id }}',
		required: true,
		placeholder: 'bm-…',
		description: 'The task Batch Send returned (its message_id, starting with bm-); defaults to the input item\'s message_id',
		displayOptions: show('getBatchProgress', 'recallBatch'),
	},
];
