import type { INodeProperties } from 'n8n-workflow';

// Chat > Update Announcement (old-Docs batch update: a text form, or the raw requests) and Chat > Search.
// The Chat field of Update Announcement is ChatDescription's (it defaults to the triggering chat).

const show = (...operation: string[]) => ({ show: { resource: ['chat'], operation } });
const textForm = { resource: ['chat'], operation: ['updateAnnouncement'], announcementInput: ['text'] };

export const chatAnnouncementFields: INodeProperties[] = [
	{
		displayName: 'Input',
		name: 'announcementInput',
		type: 'options',
		options: [
			{ name: 'Raw Requests', value: 'raw', description: 'Feishu\'s old-Docs batch-update requests, as JSON' },
			{ name: 'Text', value: 'text', description: 'The new text (and title) of the announcement, written here' },
		],
		default: 'text',
		description: 'How the change is given',
		displayOptions: show('updateAnnouncement'),
	},
	{
		displayName: 'Text',
		name: 'announcementText',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The announcement\'s text, one paragraph per line',
		displayOptions: { show: textForm },
	},
	{
		displayName: 'Mode',
		name: 'announcementMode',
		type: 'options',
		options: [
			{ name: 'Append', value: 'append', description: 'Add the text after what the announcement says now' },
			{ name: 'Replace', value: 'replace', description: 'The text replaces the announcement\'s body' },
		],
		default: 'replace',
		description: 'Whether the text replaces the body or is added to it',
		displayOptions: { show: textForm },
	},
	{
		displayName: 'Title',
		name: 'announcementTitle',
		type: 'string',
		default: '',
		description: 'A new title for the announcement; empty keeps the title',
		displayOptions: { show: textForm },
	},
	{
		displayName: 'Requests (JSON)',
		name: 'announcementRequests',
		type: 'json',
		default:
			'[\n  {\n    "requestType": "InsertBlocksRequestType",\n    "insertBlocksRequest": {\n      "payload": "{\\"blocks\\":[{\\"type\\":\\"paragraph\\",\\"paragraph\\":{\\"elements\\":[{\\"type\\":\\"textRun\\",\\"textRun\\":{\\"text\\":\\"Hello\\",\\"style\\":{}}}],\\"style\\":{}}}]}",\n      "location": { "zoneId": "0", "index": 0, "endOfZone": true }\n    }\n  }\n]',
		description: 'A JSON array of old-Docs batch-update requests (objects, or their JSON strings), applied in order; see Feishu\'s "edit old document" page for the request types',
		displayOptions: { show: { resource: ['chat'], operation: ['updateAnnouncement'], announcementInput: ['raw'] } },
	},
	{
		displayName: 'Revision',
		name: 'announcementRevision',
		type: 'string',
		default: '',
		placeholder: 'e.g. 12',
		description: 'The revision the requests\' positions refer to, as Get Announcement gives it (at most 100 behind the latest); empty for the current one',
		displayOptions: { show: { resource: ['chat'], operation: ['updateAnnouncement'], announcementInput: ['raw'] } },
	},
];

export const chatSearchFields: INodeProperties[] = [
	{
		displayName: 'Query',
		name: 'searchQuery',
		type: 'string',
		default: '',
		placeholder: 'e.g. release',
		description: 'The keyword to look for (at most 64 characters); empty lists the chats the bot is in',
		displayOptions: show('search'),
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: show('search'),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['chat'], operation: ['search'], returnAll: [false] } },
	},
];
