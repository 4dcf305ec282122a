import type { INodeProperties } from 'n8n-workflow';
import { cardSourceFor } from './CardDescription';
import { chatLocator, userLocator } from './locators';

// Send Ephemeral Card (a card in a group that only one member sees) and Delete Ephemeral Card.

const show = (...operation: string[]) => ({ show: { resource: ['message'], operation } });

export const ephemeralFields: INodeProperties[] = [
	chatLocator({
		displayName: 'Chat',
		name: 'chatId',
		defaultExpression: '={{ $json.chat_id }}',
		description: 'The group to show the card in (chat mode group, not a topic group or a one-to-one chat; the bot must be in it); defaults to the chat of the triggering message',
		displayOptions: show('sendEphemeral'),
	}),
	{
		displayName: 'Visible To',
		name: 'ephemeralUserIdType',
		type: 'options',
		options: [
			{ name: 'Email', value: 'email', description: 'The user\'s email address in the tenant' },
			{ name: 'Open ID', value: 'open_id', description: 'The user picked from a list or by open_id' },
			{ name: 'User ID', value: 'user_id', description: 'The tenant\'s employee ID of the user' },
		],
		default: 'open_id',
		description: 'How the one member who sees the card is given',
		displayOptions: show('sendEphemeral'),
	},
	userLocator({
		displayName: 'User',
		name: 'userId',
		defaultExpression: '={{ $json.sender?.open_id }}',
		description: 'The member of the chat who sees the card (no one else does, and they get no notification); defaults to the sender of the triggering message',
		displayOptions: { show: { resource: ['message'], operation: ['sendEphemeral'], ephemeralUserIdType: ['open_id'] } },
	}),
	{
		displayName: 'User ID or Email',
		name: 'ephemeralUser',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 5d9bdxxx or name@example.com',
		description: 'The user_id or email of the member of the chat who sees the card',
		displayOptions: { show: { resource: ['message'], operation: ['sendEphemeral'], ephemeralUserIdType: ['user_id', 'email'] } },
	},
	cardSourceFor('sendEphemeral'),
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '={{ $json.message_id }}',
		required: true,
		placeholder: 'om_…',
		description: 'The ephemeral card, as Send Ephemeral Card returned it; defaults to the input item\'s message_id',
		displayOptions: show('deleteEphemeral'),
	},
];
