import type { INodeProperties } from 'n8n-workflow';
import { cardSourceFields, isCustomBotCard } from './CardDescription';
import { contentFields } from './ContentDescription';

// The Custom Bot resource: a group's webhook bot, with its own credential (Feishu Custom Bot
// Webhook). The text and rich-text fields are Send's, shown here under the custom bot's conditions.

const sendMessage = { resource: ['customBot'], operation: ['sendMessage'] };

export const customBotOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customBot'] } },
		options: [
			{
				name: 'Send Message',
				value: 'sendMessage',
				action: 'Send a message through a custom bot',
				description: 'Post a message to the group of a custom bot, through its webhook URL (no app needed)',
			},
		],
		default: 'sendMessage',
	},
];

/** Send's field of that name, shown for the custom bot instead (its own conditions but msgType / postInput). */
function sendField(name: string): INodeProperties {
	const field = contentFields.find((f) => f.name === name && f.displayOptions?.show?.operation?.includes('send'));
	if (!field) throw new Error(`no Send field ${name}`);
	const { msgType, postInput } = field.displayOptions!.show!;
	return { ...field, displayOptions: { show: { ...sendMessage, ...(msgType ? { msgType } : {}), ...(postInput ? { postInput } : {}) } } };
}

export const customBotFields: INodeProperties[] = [
	{
		displayName: 'Message Type',
		name: 'msgType',
		type: 'options',
		description: 'What kind of message the custom bot posts: its content fields follow',
		options: [
			{ name: 'Card', value: 'interactive', description: 'An interactive card; its buttons can only open links' },
			{ name: 'Image', value: 'image', description: 'An image uploaded earlier by an app of the same tenant (its image_key)' },
			{ name: 'Rich Text (Post)', value: 'post' },
			{ name: 'Text', value: 'text' },
		],
		default: 'text',
		displayOptions: { show: sendMessage },
	},
	...['text', 'postInput', 'postTitle', 'postText', 'postLocale', 'postJson'].map(sendField),
	{
		displayName: 'Image Key',
		name: 'imageKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'img_v3_…',
		description: 'A custom bot cannot upload: use the image_key of an image uploaded by an app of the same tenant (the Message resource\'s Upload Image)',
		displayOptions: { show: { ...sendMessage, msgType: ['image'] } },
	},
	cardSourceFields.find(isCustomBotCard)!,
];

/** Last in the panel, after the card fields (n8n's convention for Options). */
export const customBotOptions: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { ...sendMessage, msgType: ['text'] } },
		options: [
			{
				displayName: 'Mention All',
				name: 'mentionAll',
				type: 'boolean',
				default: false,
				description: 'Whether to @mention everyone in the group (the group must allow @all)',
			},
			{
				displayName: 'Mention User IDs',
				name: 'mentionUserIds',
				type: 'string',
				default: '',
				placeholder: 'ou_xxx, ou_yyy',
				description: 'Comma-separated open_ids (or user_ids) of group members to @mention before the text',
			},
		],
	},
];
