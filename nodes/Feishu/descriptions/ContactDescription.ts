import type { INodeProperties } from 'n8n-workflow';
import { USER_ID_TYPE_OPTIONS } from './idTypes';

const show = (...operation: string[]) => ({ show: { resource: ['contact'], operation } });
const LISTS = ['getDepartmentChildren', 'getDepartmentMembers'];
/** Lists with Return All / Limit. */
const PAGED = [...LISTS, 'searchUsers'];

export const contactOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{ name: 'Find User IDs by Email or Mobile', value: 'findUserIds', action: 'Find users by email or mobile', description: 'Look up the user behind each email and mobile number (at most 50 of each)' },
			{ name: 'Get Department Children', value: 'getDepartmentChildren', action: 'Get child departments', description: 'List the departments under a department ("0" is the root)' },
			{ name: 'Get Department Members', value: 'getDepartmentMembers', action: 'Get many department members', description: 'List the users directly in a department ("0" is the root)' },
			{ name: 'Get Many Users by ID', value: 'getUsers', action: 'Get many users by ID', description: 'Get up to 50 users by their IDs' },
			{ name: 'Get User', value: 'getUser', action: 'Get a user', description: 'Get a user\'s name, email, departments and status' },
			{ name: 'Search Users', value: 'searchUsers', action: 'Search users', description: 'Find users by name, as the signed-in user sees them (needs Authentication "User (OAuth2)")' },
		],
		default: 'getUser',
	},
];

const userIdType = (description: string, operations: string[]): INodeProperties => ({
	displayName: 'User ID Type',
	name: 'userIdType',
	type: 'options',
	options: USER_ID_TYPE_OPTIONS,
	default: 'open_id',
	description,
	displayOptions: show(...operations),
});

const departmentIdType: INodeProperties = {
	displayName: 'Department ID Type',
	name: 'departmentIdType',
	type: 'options',
	options: [
		{ name: 'Department ID', value: 'department_id', description: 'The tenant\'s own department ID' },
		{ name: 'Open Department ID', value: 'open_department_id', description: 'The ID Feishu gives each department (od-…)' },
	],
	default: 'open_department_id',
	description: 'What kind of department IDs the parameters hold and the output shows ("0", the root, is the same in both)',
};

export const contactFields: INodeProperties[] = [
	// ---- Users by ID ----
	{
		displayName: 'User ID',
		name: 'userId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'ou_…',
		description: 'The user, as an ID of the User ID Type',
		displayOptions: show('getUser'),
	},
	{
		displayName: 'User IDs',
		name: 'userIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'ou_…, ou_…',
		description: 'Comma-separated IDs of the User ID Type, at most 50',
		displayOptions: show('getUsers'),
	},
	userIdType('What kind of ID the user ID is', ['getUser']),
	userIdType('What kind of IDs the user IDs are', ['getUsers']),

	// ---- Find by email or mobile ----
	{
		displayName: 'Emails',
		name: 'emails',
		type: 'string',
		default: '',
		placeholder: 'alice@example.com, bob@example.com',
		description: 'Comma-separated email addresses, at most 50 (the user\'s own address: enterprise mailbox addresses are not found)',
		displayOptions: show('findUserIds'),
	},
	{
		displayName: 'Mobiles',
		name: 'mobiles',
		type: 'string',
		default: '',
		placeholder: '+8613800000000, +12125550100',
		description: 'Comma-separated mobile numbers, at most 50; numbers outside mainland China need their + country code',
		displayOptions: show('findUserIds'),
	},
	userIdType('What kind of user IDs to return', ['findUserIds']),

	// ---- Search (a user token) ----
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Alice',
		description: 'The name, or part of it, to search for; finds the tenant\'s users the signed-in user can see (not external or resigned ones)',
		displayOptions: show('searchUsers'),
	},

	// ---- Departments ----
	{
		displayName: 'Department ID',
		name: 'departmentId',
		type: 'string',
		default: '0',
		required: true,
		description: 'The department, as an ID of the Department ID Type; "0" is the root (the whole tenant, which the app\'s contact scope must then cover)',
		displayOptions: show(...LISTS),
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: show(...PAGED),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['contact'], operation: PAGED, returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('getUser', 'getUsers', 'findUserIds', ...LISTS),
		options: [
			{ ...departmentIdType, displayOptions: { show: { '/operation': ['getUser', 'getUsers', ...LISTS] } } },
			{
				displayName: 'Include All Levels',
				name: 'fetchChild',
				type: 'boolean',
				default: false,
				description: 'Whether to list every department below, not only the direct children',
				displayOptions: { show: { '/operation': ['getDepartmentChildren'] } },
			},
			{
				displayName: 'Include Resigned Users',
				name: 'includeResigned',
				type: 'boolean',
				default: false,
				description: 'Whether users who have left the tenant are found too',
				displayOptions: { show: { '/operation': ['findUserIds'] } },
			},
			{
				displayName: 'User ID Type',
				name: 'userIdType',
				type: 'options',
				options: USER_ID_TYPE_OPTIONS,
				default: 'open_id',
				description: 'What kind of user IDs the output shows (members, leaders)',
				displayOptions: { show: { '/operation': LISTS } },
			},
		],
	},
];
