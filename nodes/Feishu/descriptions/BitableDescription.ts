// The Bitable (Base) resource's parameters: the Base (from the caller's space, by link or app token)
// and the table (from the Base's list, by link or ID), record fields through n8n's resource mapper
// (filled from the table's field list, methods/bitable.ts), the search's filter (a simple builder or
// Feishu's JSON) and sort, and the table / field / view / attachment operations.
import type { INodeProperties } from 'n8n-workflow';
import { USER_ID_TYPE_OPTIONS } from './idTypes';
import { documentLocator } from './locators';

const OPERATIONS = {
	batchCreateRecords: 'batchCreateRecords',
	batchDeleteRecords: 'batchDeleteRecords',
	batchUpdateRecords: 'batchUpdateRecords',
	createField: 'createField',
	createRecord: 'createRecord',
	createTable: 'createTable',
	deleteRecord: 'deleteRecord',
	deleteTable: 'deleteTable',
	getFields: 'getFields',
	getRecord: 'getRecord',
	getTables: 'getTables',
	getViews: 'getViews',
	searchRecords: 'searchRecords',
	updateRecord: 'updateRecord',
	upsertRecord: 'upsertRecord',
	uploadAttachment: 'uploadAttachment',
} as const;
type Operation = keyof typeof OPERATIONS;

const ALL = Object.keys(OPERATIONS) as Operation[];
const show = (...operation: Operation[]) => ({ show: { resource: ['bitable'], operation } });
/** Operations on one table (all but the table list and creating one). */
const ON_A_TABLE = ALL.filter((o) => o !== 'createTable' && o !== 'getTables');
const WITH_RECORD_ID: Operation[] = ['getRecord', 'updateRecord', 'deleteRecord', 'batchUpdateRecords', 'batchDeleteRecords', 'uploadAttachment'];
const RETURNING_RECORDS: Operation[] = ['getRecord', 'createRecord', 'updateRecord', 'upsertRecord', 'searchRecords', 'batchCreateRecords', 'batchUpdateRecords', 'uploadAttachment'];
const LISTS: Operation[] = ['searchRecords', 'getTables', 'getFields', 'getViews'];

export const bitableOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bitable'] } },
		options: [
			{ name: 'Batch Create Records', value: 'batchCreateRecords', action: 'Create records in a batch', description: 'Create one record per input item, up to 1,000 per request; each item gets its own result' },
			{ name: 'Batch Delete Records', value: 'batchDeleteRecords', action: 'Delete records in a batch', description: 'Delete the record of each input item, up to 500 per request' },
			{ name: 'Batch Update Records', value: 'batchUpdateRecords', action: 'Update records in a batch', description: 'Update the record of each input item, up to 1,000 per request; each item gets its own result' },
			{ name: 'Create Field', value: 'createField', action: 'Create a field', description: 'Add a field (column) to a table' },
			{ name: 'Create or Update Record', value: 'upsertRecord', action: 'Create or update a record', description: 'Update the record whose key field has the item\'s value, or create one when there is none' },
			{ name: 'Create Record', value: 'createRecord', action: 'Create a record', description: 'Add a record (row) to a table' },
			{ name: 'Create Table', value: 'createTable', action: 'Create a table', description: 'Add a table to a Base, with its fields' },
			{ name: 'Delete Record', value: 'deleteRecord', action: 'Delete a record', description: 'Delete a record of a table' },
			{ name: 'Delete Table', value: 'deleteTable', action: 'Delete a table', description: 'Delete a table and its records (not the last table of a Base)' },
			{ name: 'Get Many Fields', value: 'getFields', action: 'Get many fields', description: 'List a table\'s fields with their types and options' },
			{ name: 'Get Many Tables', value: 'getTables', action: 'Get many tables', description: 'List the tables of a Base' },
			{ name: 'Get Many Views', value: 'getViews', action: 'Get many views', description: 'List a table\'s views' },
			{ name: 'Get Record', value: 'getRecord', action: 'Get a record', description: 'Get a record by its ID' },
			{ name: 'Search Records', value: 'searchRecords', action: 'Search records', description: 'Find records by filter conditions, sorted, page by page' },
			{ name: 'Update Record', value: 'updateRecord', action: 'Update a record', description: 'Change some fields of a record; the others keep their values' },
			{ name: 'Upload Attachment', value: 'uploadAttachment', action: 'Upload an attachment', description: 'Upload a file from the input item into an attachment field of a record' },
		],
		default: 'searchRecords',
	},
];

const mapper = (mode: 'add' | 'upsert', addAllFields: boolean, operations: Operation[], description: string): INodeProperties => ({
	displayName: 'Fields',
	name: 'columns',
	type: 'resourceMapper',
	noDataExpression: true,
	default: { mappingMode: 'defineBelow', value: null },
	required: true,
	description,
	displayOptions: show(...operations),
	typeOptions: {
		loadOptionsDependsOn: ['appToken.value', 'tableId.value'],
		resourceMapper: {
			resourceMapperMethod: 'getBitableFields',
			mode,
			valuesLabel: 'Fields',
			fieldWords: { singular: 'field', plural: 'fields' },
			addAllFields,
			multiKeyMatch: false,
			supportAutoMap: true,
			noFieldsError: 'The table has no fields the node can write',
			...(mode === 'upsert'
				? { matchingFieldsLabels: { title: 'Key Field', description: 'The field that identifies the record: the record whose key has the item\'s value is updated, else a record is created', hint: 'Text, number, single select, phone or date fields; its values should be unique' } }
				: {}),
		},
	},
});

const userIdTypeOption: INodeProperties = {
	displayName: 'User ID Type',
	name: 'userIdType',
	type: 'options',
	options: USER_ID_TYPE_OPTIONS,
	default: 'open_id',
	description: 'Which ID person fields are written and read with',
};

const fieldTypeOptions = [
	{ name: 'Attachment', value: 17 },
	{ name: 'Auto Number', value: 1005 },
	{ name: 'Checkbox', value: 7 },
	{ name: 'Created By', value: 1003 },
	{ name: 'Created Time', value: 1001 },
	{ name: 'Date', value: 5 },
	{ name: 'Formula', value: 20 },
	{ name: 'Group', value: 23 },
	{ name: 'Link (URL)', value: 15 },
	{ name: 'Link to Records (One Way)', value: 18 },
	{ name: 'Link to Records (Two Way)', value: 21 },
	{ name: 'Location', value: 22 },
	{ name: 'Modified By', value: 1004 },
	{ name: 'Modified Time', value: 1002 },
	{ name: 'Multiple Select', value: 4 },
	{ name: 'Number', value: 2 },
	{ name: 'Person', value: 11 },
	{ name: 'Phone Number', value: 13 },
	{ name: 'Single Select', value: 3 },
	{ name: 'Text', value: 1 },
];

export const bitableFields: INodeProperties[] = [
	documentLocator(
		{
			displayName: 'Base',
			name: 'appToken',
			description:
				'The Base (多维表格): paste its link from the browser or give its app token, or pick it from the list, which shows the Bases in the app\'s own space (with User authentication: in your My Space). A Base shared with the app is not listed: paste its link. The app must be a collaborator of the Base (see the README).',
			displayOptions: { show: { resource: ['bitable'] } },
		},
		{
			defaultMode: 'url',
			list: { method: 'searchBitableBases', placeholder: 'Select a Base...' },
			url: {
				placeholder: 'https://example.feishu.cn/base/bascnAbCdEfGhIjKlMnOpQrStUv?table=tbl…',
				extract: 'https?://[^\\s/]+/base/([A-Za-z0-9]+)',
				regex: 'https?://[^\\s/]+/base/[A-Za-z0-9]+.*',
				error: 'Not a Base link: it should contain /base/<app_token> (a Base in a wiki: open it in a new tab and copy that link)',
			},
			id: { displayName: 'By App Token', placeholder: 'bascnAbCdEfGhIjKlMnOpQrStUv', regex: '[A-Za-z0-9]{8,64}', error: 'Not an app token: letters and digits, as in the Base\'s link after /base/' },
		},
	),
	documentLocator(
		{ displayName: 'Table', name: 'tableId', description: 'The table in the Base', displayOptions: show(...ON_A_TABLE) },
		{
			list: { method: 'searchBitableTables', placeholder: 'Select a table...' },
			url: {
				placeholder: 'https://example.feishu.cn/base/bascn…?table=tblAbCdEfGhIjKlM',
				extract: '[?&]table=(tbl[A-Za-z0-9]+)',
				regex: '.*[?&]table=tbl[A-Za-z0-9]+.*',
				error: 'Not a table link: it should contain ?table=tbl…',
			},
			id: { displayName: 'By ID', placeholder: 'tblAbCdEfGhIjKlM', regex: 'tbl[A-Za-z0-9]+', error: 'Not a table ID: table IDs start with tbl' },
		},
	),
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		default: '={{ $json.record_id }}',
		required: true,
		placeholder: 'recAbCdEfGh',
		description: 'The record (rec…); defaults to the input item\'s record_id, as Search Records and the other record operations output it',
		displayOptions: show(...WITH_RECORD_ID),
	},
	mapper('add', true, ['createRecord', 'batchCreateRecords'], 'The new record\'s values, by field (loaded from the table). Dates take ISO text; lists (multiple select, people, links, attachments) "a, b" or a list. Fields left empty are not set.'),
	mapper('add', false, ['updateRecord', 'batchUpdateRecords'], 'The fields to change, by field (loaded from the table); the fields not given keep their values'),
	mapper('upsert', true, ['upsertRecord'], 'The record\'s values, by field (loaded from the table), and the key field that finds the record to update'),
	// Search: filter and sort.
	{
		displayName: 'Filter',
		name: 'filterType',
		type: 'options',
		options: [
			{ name: 'Build Conditions', value: 'conditions', description: 'Field, operator and value, combined with All or Any' },
			{ name: 'JSON', value: 'json', description: 'Feishu\'s filter object as its search API takes it' },
			{ name: 'None', value: 'none', description: 'Every record (of the view, when one is set)' },
		],
		default: 'none',
		description: 'Which records to find',
		displayOptions: show('searchRecords'),
	},
	{
		displayName: 'Must Match',
		name: 'conjunction',
		type: 'options',
		options: [
			{ name: 'All Conditions', value: 'and' },
			{ name: 'Any Condition', value: 'or' },
		],
		default: 'and',
		description: 'Whether a record must meet every condition or any one of them',
		displayOptions: { show: { resource: ['bitable'], operation: ['searchRecords'], filterType: ['conditions'] } },
	},
	{
		displayName: 'Conditions',
		name: 'conditions',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Condition',
		default: {},
		description: 'Each condition compares one field with a value (up to 50)',
		displayOptions: { show: { resource: ['bitable'], operation: ['searchRecords'], filterType: ['conditions'] } },
		options: [
			{
				displayName: 'Condition',
				name: 'condition',
				values: [
					{ displayName: 'Field Name', name: 'fieldName', type: 'string', default: '', required: true, description: 'The field\'s name as the table shows it (case-sensitive)' },
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: [
							{ name: 'Contains', value: 'contains' },
							{ name: 'Does Not Contain', value: 'doesNotContain' },
							{ name: 'Is', value: 'is' },
							{ name: 'Is Empty', value: 'isEmpty' },
							{ name: 'Is Greater Than', value: 'isGreater' },
							{ name: 'Is Greater Than or Equal', value: 'isGreaterEqual' },
							{ name: 'Is Less Than', value: 'isLess' },
							{ name: 'Is Less Than or Equal', value: 'isLessEqual' },
							{ name: 'Is Not', value: 'isNot' },
							{ name: 'Is Not Empty', value: 'isNotEmpty' },
						],
						default: 'is',
						description: 'How the field is compared (greater / less: numbers and dates)',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'What the field is compared with: for dates an ISO date or Today, Yesterday, Tomorrow, CurrentWeek, LastWeek, CurrentMonth, LastMonth, TheLastWeek, TheNextWeek, TheLastMonth, TheNextMonth; several options or people as "a, b"; not used by Is Empty / Is Not Empty',
					},
				],
			},
		],
	},
	{
		displayName: 'Filter (JSON)',
		name: 'filterJson',
		type: 'json',
		default: '{\n  "conjunction": "and",\n  "conditions": [\n    { "field_name": "Status", "operator": "is", "value": ["Done"] }\n  ]\n}',
		description: 'Feishu\'s search filter: conjunction, conditions (field_name, operator, value as a list of text), and optionally children (one level of nested filters)',
		displayOptions: { show: { resource: ['bitable'], operation: ['searchRecords'], filterType: ['json'] } },
	},
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Sort Field',
		default: {},
		description: 'The order of the records, by one field and then the next',
		displayOptions: show('searchRecords'),
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{ displayName: 'Field Name', name: 'fieldName', type: 'string', default: '', required: true, description: 'The field to sort by (case-sensitive)' },
					{
						displayName: 'Direction',
						name: 'direction',
						type: 'options',
						options: [
							{ name: 'Ascending', value: 'asc' },
							{ name: 'Descending', value: 'desc' },
						],
						default: 'asc',
						description: 'Smallest or earliest first, or the other way round',
					},
				],
			},
		],
	},
	// Create Table.
	{
		displayName: 'Name',
		name: 'tableName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Orders',
		description: 'The new table\'s name (at most 100 characters, no / \\ ? * [ ] :)',
		displayOptions: show('createTable'),
	},
	{
		displayName: 'Fields',
		name: 'tableFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		description: 'The table\'s fields; the first one is the primary field. None: Feishu adds a text field.',
		displayOptions: show('createTable'),
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{ displayName: 'Field Name', name: 'fieldName', type: 'string', default: '', required: true, description: 'The field\'s name, unique in the table' },
					{ displayName: 'Type', name: 'type', type: 'options', options: fieldTypeOptions.filter((o) => o.value !== 18 && o.value !== 21), default: 1, description: 'What the field holds' },
				],
			},
		],
	},
	// Create Field.
	{
		displayName: 'Field Name',
		name: 'fieldName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Status',
		description: 'The new field\'s name, unique in the table',
		displayOptions: show('createField'),
	},
	{
		displayName: 'Type',
		name: 'fieldType',
		type: 'options',
		options: fieldTypeOptions,
		default: 1,
		description: 'What the field holds (created time, people, formulas and auto numbers are filled in by Feishu)',
		displayOptions: show('createField'),
	},
	// Upload Attachment.
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to upload',
		description: 'The binary field of the input item that holds the file (at most 20 MB)',
		displayOptions: show('uploadAttachment'),
	},
	{
		displayName: 'Attachment Field',
		name: 'attachmentField',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Files',
		description: 'The name of the record\'s attachment field that gets the file',
		displayOptions: show('uploadAttachment'),
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
		hint: 'Simplified: plain text, ISO dates, record IDs for links, formula results unwrapped; raw: the fields as Feishu answers them',
		displayOptions: show(...RETURNING_RECORDS),
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: show(...LISTS),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['bitable'], operation: LISTS, returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'More settings of the search',
		displayOptions: show('searchRecords'),
		options: [
			{ displayName: 'Automatic Fields', name: 'automaticFields', type: 'boolean', default: false, description: 'Whether to add each record\'s created and modified time and people' },
			{ displayName: 'Field Names', name: 'fieldNames', type: 'string', default: '', placeholder: 'Name, Status', description: 'Only these fields, comma-separated (default: all)' },
			userIdTypeOption,
			{ displayName: 'View ID', name: 'viewId', type: 'string', default: '', placeholder: 'vewAbCdEfGh', description: 'Only the records the view shows, in its order (the sort above still applies)' },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'More settings of the write',
		displayOptions: show('createRecord', 'updateRecord', 'upsertRecord', 'batchCreateRecords', 'batchUpdateRecords', 'getRecord'),
		options: [
			{
				displayName: 'Clear Empty Fields',
				name: 'clearEmpty',
				type: 'boolean',
				default: false,
				description: 'Whether fields given an empty value are cleared; otherwise empty values are not sent',
				displayOptions: { show: { '/operation': ['updateRecord', 'upsertRecord', 'batchUpdateRecords'] } },
			},
			userIdTypeOption,
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'More settings',
		displayOptions: show('createTable', 'createField', 'getFields', 'uploadAttachment'),
		options: [
			{
				displayName: 'Default View Name',
				name: 'defaultViewName',
				type: 'string',
				default: '',
				description: 'The name of the table\'s first view',
				displayOptions: { show: { '/operation': ['createTable'] } },
			},
			{
				displayName: 'Description',
				name: 'description',
				type: 'string',
				default: '',
				description: 'What the field is for, shown in the table',
				displayOptions: { show: { '/operation': ['createField'] } },
			},
			{
				displayName: 'Formula',
				name: 'formulaExpression',
				type: 'string',
				default: '',
				placeholder: 'bitable::$table[tblAbC].$field[fldXyZ]*2',
				description: 'For formula fields: the expression, in Feishu\'s formula syntax',
				displayOptions: { show: { '/operation': ['createField'] } },
			},
			{
				displayName: 'Keep Existing Attachments',
				name: 'append',
				type: 'boolean',
				default: true,
				description: 'Whether the file is added to the attachments the field already has, rather than replacing them',
				displayOptions: { show: { '/operation': ['uploadAttachment'] } },
			},
			{
				displayName: 'Linked Table ID',
				name: 'linkedTableId',
				type: 'string',
				default: '',
				placeholder: 'tblAbCdEfGhIjKlM',
				description: 'For link fields: the table whose records the field links to',
				displayOptions: { show: { '/operation': ['createField'] } },
			},
			{
				displayName: 'Select Options',
				name: 'selectOptions',
				type: 'string',
				default: '',
				placeholder: 'To Do, Doing, Done',
				description: 'For single and multiple select fields: the options, comma-separated',
				displayOptions: { show: { '/operation': ['createField'] } },
			},
			{
				displayName: 'View ID',
				name: 'viewId',
				type: 'string',
				default: '',
				placeholder: 'vewAbCdEfGh',
				description: 'Only the fields this view shows',
				displayOptions: { show: { '/operation': ['getFields'] } },
			},
		],
	},
];
