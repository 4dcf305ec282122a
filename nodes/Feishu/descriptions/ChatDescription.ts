import type { INodeProperties } from 'n8n-workflow';
import { USER_ID_TYPE_OPTIONS } from './idTypes';
import { chatLocator } from './locators';

const show = (...operation: string[]) => ({ show: { resource: ['chat'], operation } });
/** Operations on one existing chat, which default to the chat of the triggering message. */
const ON_A_CHAT = ['get', 'update', 'getLink', 'getAnnouncement', 'updateAnnouncement', 'getMembers', 'addMembers', 'removeMembers', 'isInChat', 'addManagers', 'removeManagers'];
const MEMBER_CHANGES = ['addMembers', 'removeMembers', 'addManagers', 'removeManagers'];

export const chatOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{ name: 'Add Managers', value: 'addManagers', action: 'Add managers to a chat', description: 'Make members of a group its managers (only the owner may)' },
			{ name: 'Add Members', value: 'addMembers', action: 'Add members to a chat', description: 'Add users or bots to a group' },
			{ name: 'Create', value: 'create', action: 'Create a chat', description: 'Create a group with the bot in it, inviting users and bots' },
			{ name: 'Delete', value: 'delete', action: 'Delete a chat', description: 'Dissolve a group the bot owns or created; Feishu keeps no history of it' },
			{ name: 'Get', value: 'get', action: 'Get a chat', description: 'Get a chat\'s name, description, mode and member counts' },
			{ name: 'Get Announcement', value: 'getAnnouncement', action: 'Get a chat announcement', description: 'Get a group\'s announcement and its revision' },
			{ name: 'Get Link', value: 'getLink', action: 'Get a chat share link', description: 'Get a link others can join the group by' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many chats', description: 'List the group chats the bot is in' },
			{ name: 'Get Members', value: 'getMembers', action: 'Get many chat members', description: 'List the users in a group (Feishu does not list its bots)' },
			{ name: 'Is in Chat', value: 'isInChat', action: 'Check whether the bot is in a chat', description: 'Tell whether the bot is a member of the chat' },
			{ name: 'Remove Managers', value: 'removeManagers', action: 'Remove managers from a chat', description: 'Make managers of a group plain members again (only the owner may)' },
			{ name: 'Remove Members', value: 'removeMembers', action: 'Remove members from a chat', description: 'Remove users or bots from a group' },
			{ name: 'Search', value: 'search', action: 'Search chats', description: 'Find the groups the bot can see (its own and public ones) by a keyword' },
			{ name: 'Update', value: 'update', action: 'Update a chat', description: 'Change a group\'s name, description, owner or settings' },
			{ name: 'Update Announcement', value: 'updateAnnouncement', action: 'Update a chat announcement', description: 'Set or add to a group\'s announcement text, or apply Feishu\'s edit requests' },
		],
		default: 'get',
	},
];

const userIdType = (description: string): INodeProperties => ({
	displayName: 'User ID Type',
	name: 'userIdType',
	type: 'options',
	options: USER_ID_TYPE_OPTIONS,
	default: 'open_id',
	description,
});

const whoOptions = [
	{ name: 'All Members', value: 'all_members' },
	{ name: 'Only Owner and Managers', value: 'only_owner' },
];
const visibilityOptions = [
	{ name: 'All Members', value: 'all_members' },
	{ name: 'Not Anyone', value: 'not_anyone' },
	{ name: 'Only Owner and Managers', value: 'only_owner' },
];

const setting = (displayName: string, name: string, options: { name: string; value: string }[], description: string): INodeProperties => {
	// The editor starts a newly added setting on its first option.
	const first = options[0].value;
	return { displayName, name, type: 'options', options, default: first, description };
};

/** Settings Create and Update share (Feishu field names in chat/shared.ts). */
const sharedSettings = {
	chatType: setting('Chat Type', 'chatType', [{ name: 'Private', value: 'private' }, { name: 'Public', value: 'public' }], 'Private: members add people. Public: anyone in the tenant can find and join it.'),
	description: { displayName: 'Description', name: 'description', type: 'string', default: '', description: 'What the group is for (Feishu recommends at most 100 characters)' } as INodeProperties,
	editPermission: setting('Who Can Edit Info', 'editPermission', whoOptions, 'Who may change the group\'s name, avatar and description'),
	joinMessageVisibility: setting('Join Message Visibility', 'joinMessageVisibility', visibilityOptions, 'Who sees the notice when someone joins'),
	leaveMessageVisibility: setting('Leave Message Visibility', 'leaveMessageVisibility', visibilityOptions, 'Who sees the notice when someone leaves'),
	membershipApproval: setting('Membership Approval', 'membershipApproval', [{ name: 'Approval Required', value: 'approval_required' }, { name: 'No Approval Required', value: 'no_approval_required' }], 'Whether joining needs the owner\'s or a manager\'s approval'),
	ownerId: { displayName: 'Owner ID', name: 'ownerId', type: 'string', default: '', placeholder: 'ou_…', description: 'The user to own the group, as an ID of the User ID Type' } as INodeProperties,
};

export const chatFields: INodeProperties[] = [
	chatLocator({
		displayName: 'Chat',
		name: 'chatId',
		defaultExpression: '={{ $json.chat_id }}',
		description: 'The chat; defaults to the chat of the message that started the workflow',
		displayOptions: show(...ON_A_CHAT),
	}),
	// Dissolving takes a chat picked on purpose: no default from the triggering message.
	chatLocator({
		displayName: 'Chat',
		name: 'chatId',
		description: 'The group to dissolve',
		displayOptions: show('delete'),
	}),

	// ---- Create ----
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. Release train',
		description: 'The group\'s name; a public group needs at least 2 characters (Feishu recommends at most 60). A private group without one is named "(no title)".',
		displayOptions: show('create'),
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Who is in the new group, who owns it, and its settings',
		displayOptions: show('create'),
		options: [
			{ displayName: 'Bot IDs', name: 'botIds', type: 'string', default: '', placeholder: 'cli_…, cli_…', description: 'Comma-separated app IDs of other bots to invite, at most 5 (this bot joins anyway)' },
			sharedSettings.chatType,
			sharedSettings.description,
			setting('Group Message Type', 'groupMessageType', [{ name: 'Chat', value: 'chat' }, { name: 'Thread', value: 'thread' }], 'Chat: one conversation. Thread: every message starts a topic.'),
			{
				displayName: 'Idempotency Key',
				name: 'uuid',
				type: 'string',
				default: '',
				description: 'Feishu creates one group per key and owner within 10 hours, at most 50 characters. Without one, each run uses a new key (kept across its retries).',
			},
			sharedSettings.joinMessageVisibility,
			sharedSettings.leaveMessageVisibility,
			sharedSettings.membershipApproval,
			{ ...sharedSettings.ownerId, description: 'The user to own the group, as an ID of the User ID Type; by default the bot owns it' },
			{ displayName: 'Set Bot as Manager', name: 'setBotManager', type: 'boolean', default: false, description: 'Whether the bot becomes a manager of the group when a user owns it' },
			userIdType('What kind of IDs Owner ID and User IDs are'),
			{ displayName: 'User IDs', name: 'userIds', type: 'string', default: '', placeholder: 'ou_…, ou_…', description: 'Comma-separated IDs of the users to invite, at most 50' },
			sharedSettings.editPermission,
		],
	},

	// ---- Update ----
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'What to change; everything else stays as it is',
		displayOptions: show('update'),
		options: [
			sharedSettings.chatType,
			sharedSettings.description,
			sharedSettings.joinMessageVisibility,
			sharedSettings.leaveMessageVisibility,
			sharedSettings.membershipApproval,
			{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'The group\'s new name' },
			{ ...sharedSettings.ownerId, description: 'Hand the group to this member, as an ID of the User ID Type' },
			userIdType('What kind of ID Owner ID is'),
			setting('Who Can Add Members', 'addMemberPermission', whoOptions, 'Who may add people to the group and share it'),
			sharedSettings.editPermission,
			setting('Who Can Mention All', 'atAllPermission', whoOptions, 'Who may @mention everyone'),
		],
	},

	// ---- Get Link ----
	{
		displayName: 'Valid For',
		name: 'validityPeriod',
		type: 'options',
		options: [
			{ name: 'One Week', value: 'week' },
			{ name: 'One Year', value: 'year' },
			{ name: 'Permanently', value: 'permanently' },
		],
		default: 'week',
		description: 'How long the link lets people join',
		displayOptions: show('getLink'),
	},

	// ---- Members and managers ----
	{
		displayName: 'Member ID Type',
		name: 'memberIdType',
		type: 'options',
		options: [
			{ name: 'App ID (Bots)', value: 'app_id', description: 'Bots, by their app\'s cli_… ID' },
			// Literal, not ...USER_ID_TYPE_OPTIONS: n8n's lint checks the default against options it can read.
			{ name: 'Open ID', value: 'open_id', description: 'The ID Feishu gives each user per app (ou_…)' },
			{ name: 'Union ID', value: 'union_id', description: 'The same for every app of one developer (on_…)' },
			{ name: 'User ID', value: 'user_id', description: 'The tenant\'s employee ID (needs the contact:user.employee_id:readonly scope)' },
		],
		default: 'open_id',
		description: 'What kind of IDs Member IDs are',
		displayOptions: show(...MEMBER_CHANGES),
	},
	{
		displayName: 'Member IDs',
		name: 'memberIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'ou_…, ou_…',
		description: 'Comma-separated IDs of the users or bots, at most 50 users or 5 bots per request',
		displayOptions: show(...MEMBER_CHANGES),
	},

	// ---- Lists ----
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: show('getAll', 'getMembers'),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['chat'], operation: ['getAll', 'getMembers'], returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('getAll', 'getMembers', 'getAnnouncement', 'addMembers'),
		options: [
			{
				displayName: 'If Some IDs Are Unavailable',
				name: 'succeedType',
				type: 'options',
				options: [
					{ name: 'Add the Available Ones', value: 1, description: 'Add the others and list the unavailable IDs in the output' },
					{ name: 'Refuse and List Them', value: 2, description: 'Add nobody; the error names the unavailable IDs' },
					{ name: 'Refuse the Request', value: 0, description: 'Add nobody (Feishu\'s default)' },
				],
				default: 0,
				description: 'What Feishu does when an ID is of nobody, or not visible to the app',
				displayOptions: { show: { '/operation': ['addMembers'] } },
			},
			{
				...userIdType('What kind of IDs the member list shows'),
				displayName: 'Member ID Type',
				name: 'memberIdType',
				displayOptions: { show: { '/operation': ['getMembers'] } },
			},
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
				displayOptions: { show: { '/operation': ['getAll'] } },
			},
			{ ...userIdType('What kind of IDs the owner and the last editor are shown as'), displayOptions: { show: { '/operation': ['getAnnouncement'] } } },
		],
	},
];
