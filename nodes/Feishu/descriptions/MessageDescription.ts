import type { INodeProperties } from 'n8n-workflow';
import { cardFields, cardSourceFields } from './CardDescription';
import { contentFields } from './ContentDescription';
import { chatLocator, userLocator } from './locators';

const show = (...operation: string[]) => ({ show: { resource: ['message'], operation } });

export const messageOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{ name: 'Download Resource', value: 'downloadResource', action: 'Download an image or file from a message', description: 'Save an image or file of a received message as binary data' },
			{ name: 'Edit', value: 'edit', action: 'Edit a message', description: 'Change the content of a sent text or rich-text message' },
			{ name: 'Forward', value: 'forward', action: 'Forward a message', description: 'Send a copy of a message to another chat or user' },
			{ name: 'Get', value: 'get', action: 'Get a message', description: 'Get a message\'s content, sender and chat by its ID' },
			{ name: 'Recall', value: 'recall', action: 'Recall a message', description: 'Withdraw a message the bot sent' },
			{ name: 'Reply', value: 'reply', action: 'Reply to a message', description: 'Answer a message in its chat (by default the one that started the workflow)' },
			{ name: 'Send', value: 'send', action: 'Send a message', description: 'Send a message to a chat or a user' },
			{ name: 'Update Card', value: 'updateCard', action: 'Update a card message', description: 'Replace the card of a sent card message' },
			{ name: 'Upload File', value: 'uploadFile', action: 'Upload a file', description: 'Upload binary data as a file and get its file_key' },
			{ name: 'Upload Image', value: 'uploadImage', action: 'Upload an image', description: 'Upload binary data as an image and get its image_key' },
		],
		default: 'send',
	},
];

const receiveIdTypeOptions = [
	{ name: 'Chat ID', value: 'chat_id', description: 'A group chat the bot is in' },
	{ name: 'Email', value: 'email', description: 'A user, by email' },
	{ name: 'Open ID', value: 'open_id', description: 'A user, by open_id (the ID Feishu gives each user per app)' },
	{ name: 'Union ID', value: 'union_id', description: 'A user, by union_id' },
	{ name: 'User ID', value: 'user_id', description: 'A user, by user_id' },
];

export const messageFields: INodeProperties[] = [
	{
		displayName: 'Send To',
		name: 'receiveIdType',
		type: 'options',
		options: receiveIdTypeOptions,
		default: 'chat_id',
		description: 'What kind of ID the recipient is',
		displayOptions: show('send', 'forward'),
	},
	// Version 1: one text field for every kind of ID (saved workflows keep it).
	{
		displayName: 'Recipient ID',
		name: 'receiveId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'oc_… / ou_… / name@example.com',
		description: 'A group chat_id, or the user\'s open_id, user_id, union_id or email',
		displayOptions: { show: { resource: ['message'], operation: ['send', 'forward'], '@version': [1] } },
	},
	// Version 2: chats and users are picked; the other kinds of ID stay text, each with its own hint.
	chatLocator({
		displayName: 'Chat',
		name: 'chatId',
		description: 'A group chat the bot is in. To answer in the chat of the triggering message, use Reply, or By ID with {{ $json.chat_id }}.',
		displayOptions: { show: { resource: ['message'], operation: ['send', 'forward'], '@version': [2], receiveIdType: ['chat_id'] } },
	}),
	userLocator({
		displayName: 'User',
		name: 'userId',
		description: 'The person to message directly. For the sender of the triggering message, use By Open ID with {{ $json.sender.open_id }}.',
		displayOptions: { show: { resource: ['message'], operation: ['send', 'forward'], '@version': [2], receiveIdType: ['open_id'] } },
	}),
	...(
		[
			['email', 'Email', 'name@example.com', 'The user\'s email address in the Feishu tenant'],
			['union_id', 'Union ID', 'on_…', 'The user\'s union_id (the same for every app of one developer)'],
			['user_id', 'User ID', 'e.g. 5d9bdxxx', 'The user\'s user_id (the tenant\'s employee ID; needs the contact:user.employee_id:readonly scope)'],
		] as const
	).map(
		([type, displayName, placeholder, description]): INodeProperties => ({
			displayName,
			name: 'receiveId',
			type: 'string',
			default: '',
			required: true,
			placeholder,
			description,
			displayOptions: { show: { resource: ['message'], operation: ['send', 'forward'], '@version': [2], receiveIdType: [type] } },
		}),
	),
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '={{ $json.message_id }}',
		required: true,
		placeholder: 'om_…',
		description: 'Defaults to the message that started the workflow (the Feishu Trigger\'s message_id)',
		displayOptions: show('reply', 'edit', 'updateCard', 'recall', 'get', 'forward', 'downloadResource'),
	},
	...contentFields,
	...cardSourceFields.slice(0, 2),
	{
		displayName: 'Resource Key',
		name: 'resourceKey',
		type: 'string',
		default: '={{ $json.content?.file_key ?? $json.content?.image_key }}',
		required: true,
		placeholder: 'img_v3_… / file_v3_…',
		description: 'The image_key or file_key in the message\'s content; defaults to the one in the Feishu Trigger\'s message',
		displayOptions: show('downloadResource'),
	},
	{
		displayName: 'Resource Type',
		name: 'resourceType',
		type: 'options',
		options: [
			{
				name: 'Auto (From Message Type)',
				value: 'auto',
				description: 'Image for an image message from the Feishu Trigger (its message_type), else file',
			},
			{ name: 'File (Also Audio and Video)', value: 'file' },
			{ name: 'Image', value: 'image' },
		],
		// 'auto' is what the former expression default gave; actions/message.ts resolves it per item.
		default: 'auto',
		description: 'What kind of resource the key names',
		displayOptions: show('downloadResource'),
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the output binary field to put the file in',
		description: 'The downloaded image or file goes into this binary field of the output item',
		displayOptions: show('downloadResource'),
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the input binary field containing the file to upload',
		description: 'The binary field of the input item that holds the file, e.g. from Read/Write Files or HTTP Request',
		displayOptions: show('uploadImage', 'uploadFile'),
	},
	{
		displayName: 'File Type',
		name: 'fileType',
		type: 'options',
		description: 'The kind of file Feishu stores it as; Auto picks it from the file name\'s extension',
		options: [
			{ name: 'Audio (Opus)', value: 'opus' },
			{ name: 'Auto (From File Name)', value: '' },
			{ name: 'Excel', value: 'xls' },
			{ name: 'Other (Stream)', value: 'stream' },
			{ name: 'PDF', value: 'pdf' },
			{ name: 'PowerPoint', value: 'ppt' },
			{ name: 'Video (Mp4)', value: 'mp4' },
			{ name: 'Word', value: 'doc' },
		],
		default: '',
		displayOptions: show('uploadFile'),
	},
];

/** Last in the panel, after the content and card fields (n8n's convention for Options). */
export const messageOptions: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('send', 'reply', 'forward', 'uploadFile'),
		options: [
			{
				displayName: 'Duration (Ms)',
				name: 'durationMs',
				type: 'number',
				default: 0,
				description: 'Length of an audio or video upload, in milliseconds',
				displayOptions: { show: { '/operation': ['uploadFile'] } },
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'Overrides the binary data\'s file name',
				displayOptions: { show: { '/operation': ['uploadFile'] } },
			},
			{
				displayName: 'Idempotency Key (UUID)',
				name: 'uuid',
				type: 'string',
				default: '',
				description:
					'Feishu sends a message with the same key at most once per hour per app (at most 50 characters). Default for Send and Reply: when the item comes from a Feishu Trigger event, a key derived from that event, this node and the item, so running the workflow again for the same event (Retry, crash recovery, a redelivery) posts once; otherwise, and for Forward, a random key per item, so only this node\'s own retries never post twice. Set your own to decide what counts as the same message.',
				displayOptions: { show: { '/operation': ['send', 'reply', 'forward'] } },
			},
			{
				displayName: 'Mention All',
				name: 'mentionAll',
				type: 'boolean',
				default: false,
				description: 'Whether to @mention everyone in the group (text messages)',
				displayOptions: { show: { '/operation': ['send', 'reply'] } },
			},
			{
				displayName: 'Mention User IDs',
				name: 'mentionUserIds',
				type: 'string',
				default: '',
				placeholder: 'ou_xxx, ou_yyy',
				description: 'Comma-separated open_ids to @mention before the text (text messages)',
				displayOptions: { show: { '/operation': ['send', 'reply'] } },
			},
			{
				displayName: 'Reply in Thread',
				name: 'replyInThread',
				type: 'boolean',
				default: false,
				description: 'Whether to reply as a thread (topic) instead of in the main chat',
				displayOptions: { show: { '/operation': ['reply'] } },
			},
		],
	},
];

export { cardFields };
