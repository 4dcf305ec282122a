import type { INodeProperties } from 'n8n-workflow';
import { chatLocator, userLocator } from './locators';

// Message content for Send / Reply (every msg_type) and Edit (text and post only).

const sendReply = { resource: ['message'], operation: ['send', 'reply'] };
const withContent = { resource: ['message'], operation: ['send', 'reply', 'edit'] };
// n8n keeps the default of a hidden parameter when checking what to display (unless its name is
// defined more than once), so every field names its whole context rather than only its parent.

/** Message types whose image or file version 2 can upload from an n8n binary. */
export const UPLOADABLE = ['image', 'file', 'audio', 'media'];

/** A key field twice: always shown in version 1; in version 2 only when sending by key. */
function byKey(field: INodeProperties): INodeProperties[] {
	const show = field.displayOptions!.show!;
	return [
		{ ...field, displayOptions: { show: { ...show, '@version': [1] } } },
		{ ...field, displayOptions: { show: { ...show, '@version': [2], uploadFrom: ['key'] } } },
	];
}

/**
 * The rich-text (post) fields: Title and Lines, or the whole post as JSON. `context` is every
 * parameter the fields show under but msgType and postInput (Send / Reply / Edit, or Batch Send).
 */
export function postFields(context: Record<string, string[]>, notes: { locale: string; json: string }): INodeProperties[] {
	const simple = { ...context, msgType: ['post'], postInput: ['simple'] };
	return [
		{
			displayName: 'Rich Text Input',
			name: 'postInput',
			type: 'options',
			options: [
				{ name: 'Title and Lines', value: 'simple' },
				{ name: 'Post JSON', value: 'json' },
			],
			default: 'simple',
			description: 'Write a title and lines here, or give the whole post content as Feishu\'s JSON',
			displayOptions: { show: { ...context, msgType: ['post'] } },
		},
		{
			displayName: 'Title',
			name: 'postTitle',
			type: 'string',
			default: '',
			description: 'The bold title above the post; may be empty',
			displayOptions: { show: simple },
		},
		{
			displayName: 'Body',
			name: 'postText',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'One paragraph per line; [label](https://…) becomes a link',
			displayOptions: { show: simple },
		},
		{
			displayName: 'Language',
			name: 'postLocale',
			type: 'options',
			options: [
				{ name: 'Chinese', value: 'zh_cn', description: 'Locale key zh_cn' },
				{ name: 'English', value: 'en_us', description: 'Locale key en_us' },
				{ name: 'Japanese', value: 'ja_jp', description: 'Locale key ja_jp' },
			],
			default: 'zh_cn',
			description: notes.locale,
			displayOptions: { show: simple },
		},
		{
			displayName: 'Post JSON',
			name: 'postJson',
			type: 'json',
			default: '{\n  "zh_cn": {\n    "title": "Title",\n    "content": [[{ "tag": "text", "text": "Hello" }]]\n  }\n}',
			description: notes.json,
			displayOptions: { show: { ...context, msgType: ['post'], postInput: ['json'] } },
		},
	];
}

export const contentFields: INodeProperties[] = [
	{
		displayName: 'Message Type',
		name: 'msgType',
		type: 'options',
		description: 'What kind of message to send: its content fields follow',
		options: [
			{ name: 'Audio', value: 'audio' },
			{ name: 'Card', value: 'interactive' },
			{ name: 'File', value: 'file' },
			{ name: 'Image', value: 'image' },
			{ name: 'Rich Text (Post)', value: 'post' },
			{ name: 'Share Chat', value: 'share_chat' },
			{ name: 'Share User', value: 'share_user' },
			{ name: 'Sticker', value: 'sticker' },
			{ name: 'Text', value: 'text' },
			{ name: 'Video (Media)', value: 'media' },
		],
		default: 'text',
		displayOptions: { show: sendReply },
	},
	{
		displayName: 'Message Type',
		name: 'msgType',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'Rich Text (Post)', value: 'post' },
		],
		default: 'text',
		description: 'Feishu can edit only text and rich-text messages',
		displayOptions: { show: { resource: ['message'], operation: ['edit'] } },
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		description: 'Plain text; mention someone with &lt;at user_id="ou_xxx"&gt;Name&lt;/at&gt;, or use the mention options below',
		displayOptions: { show: { ...withContent, msgType: ['text'] } },
	},
	...postFields(withContent, {
		locale: 'The language version of the post this content is stored under; Feishu shows the one matching the reader\'s language, or the only one',
		json: 'Locale-keyed post content, as in Feishu\'s send-message docs',
	}),
	// Version 2 sends an n8n binary in one step (the node uploads it first); version 1 takes a key.
	{
		displayName: 'Send From',
		name: 'uploadFrom',
		type: 'options',
		options: [
			{ name: 'Binary Data (Uploaded First)', value: 'binary', description: 'A binary field of the input item, e.g. from HTTP Request or Read/Write Files' },
			{ name: 'Key of an Upload', value: 'key', description: 'An image_key or file_key from an earlier Upload Image / Upload File' },
		],
		default: 'binary',
		description: 'Where the image or file comes from',
		displayOptions: { show: { ...sendReply, msgType: UPLOADABLE, '@version': [2] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to send',
		description: 'The binary field of the input item that holds the image or file; audio must be opus and video mp4',
		displayOptions: { show: { ...sendReply, msgType: UPLOADABLE, '@version': [2], uploadFrom: ['binary'] } },
	},
	...byKey({
		displayName: 'Image Key',
		name: 'imageKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'img_v3_…',
		description: 'From the Upload Image operation',
		displayOptions: { show: { ...sendReply, msgType: ['image'] } },
	}),
	...byKey({
		displayName: 'File Key',
		name: 'fileKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'file_v3_…',
		description: 'From the Upload File operation (audio: an opus upload; video: an mp4 upload)',
		displayOptions: { show: { ...sendReply, msgType: ['file', 'audio', 'media'] } },
	}),
	{
		displayName: 'Sticker Key',
		name: 'fileKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'file_v3_…',
		description: 'The file_key of a sticker, e.g. from the content of a sticker message the bot received',
		displayOptions: { show: { ...sendReply, msgType: ['sticker'] } },
	},
	{
		displayName: 'Cover Image Key',
		name: 'coverImageKey',
		type: 'string',
		default: '',
		description: 'Optional video cover, from the Upload Image operation',
		displayOptions: { show: { ...sendReply, msgType: ['media'] } },
	},
	// Version 1: the IDs as text; version 2: picked like the recipient.
	{
		displayName: 'Chat ID to Share',
		name: 'shareChatId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'oc_…',
		description: 'The chat_id of the group whose card to share',
		displayOptions: { show: { ...sendReply, msgType: ['share_chat'], '@version': [1] } },
	},
	chatLocator({
		displayName: 'Chat to Share',
		name: 'shareChatId',
		description: 'The group whose card to share',
		displayOptions: { show: { ...sendReply, msgType: ['share_chat'], '@version': [2] } },
	}),
	{
		displayName: 'User ID to Share',
		name: 'shareUserId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'ou_…',
		description: 'Open ID of the user whose card to share',
		displayOptions: { show: { ...sendReply, msgType: ['share_user'], '@version': [1] } },
	},
	userLocator({
		displayName: 'User to Share',
		name: 'shareUserId',
		description: 'The person whose card to share',
		displayOptions: { show: { ...sendReply, msgType: ['share_user'], '@version': [2] } },
	}),
];
