// The Sheets (电子表格) resource's parameters: the spreadsheet (from the caller's space, by link or
// token), the sheet (from the spreadsheet's list, by link or ID), the range in A1 notation, and per
// operation what is read or written: rows as items (the first row as headers) or a 2-D array, from
// the input items or JSON.
import type { INodeProperties } from 'n8n-workflow';
import { documentLocator } from './locators';

const OPERATIONS = ['addSheet', 'appendRows', 'clearRange', 'createSpreadsheet', 'findCells', 'getSheets', 'getSpreadsheet', 'readRange', 'writeRange'] as const;
type Operation = (typeof OPERATIONS)[number];

const show = (...operation: Operation[]) => ({ show: { resource: ['sheets'], operation } });
const ON_A_SPREADSHEET = OPERATIONS.filter((o) => o !== 'createSpreadsheet');
const ON_A_SHEET: Operation[] = ['appendRows', 'clearRange', 'findCells', 'readRange', 'writeRange'];
const WRITES: Operation[] = ['appendRows', 'writeRange'];

export const sheetsOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['sheets'] } },
		options: [
			{ name: 'Add Sheet', value: 'addSheet', action: 'Add a sheet', description: 'Add a sheet (tab) to a spreadsheet' },
			{ name: 'Append Rows', value: 'appendRows', action: 'Append rows', description: 'Add the input items (or a 2-D array) as rows after the last filled row, up to 5,000 rows per request' },
			{ name: 'Clear Range', value: 'clearRange', action: 'Clear a range', description: 'Empty the cells of a range (or of the whole sheet)' },
			{ name: 'Create Spreadsheet', value: 'createSpreadsheet', action: 'Create a spreadsheet', description: 'Create an empty spreadsheet in the app\'s space or a folder' },
			{ name: 'Find Cells', value: 'findCells', action: 'Find cells', description: 'Find the cells of a range that contain or match a text' },
			{ name: 'Get Many Sheets', value: 'getSheets', action: 'Get many sheets', description: 'List the sheets of a spreadsheet with their sizes' },
			{ name: 'Get Spreadsheet', value: 'getSpreadsheet', action: 'Get a spreadsheet', description: 'Get a spreadsheet\'s title, owner and link' },
			{ name: 'Read Range', value: 'readRange', action: 'Read a range', description: 'Read the values of a range: one item per row (the first row as headers), or the raw 2-D array' },
			{ name: 'Write Range', value: 'writeRange', action: 'Write a range', description: 'Write the input items (or a 2-D array) into a range, overwriting what is there' },
		],
		default: 'readRange',
	},
];

export const sheetsFields: INodeProperties[] = [
	documentLocator(
		{
			displayName: 'Spreadsheet',
			name: 'spreadsheetToken',
			description:
				'The spreadsheet (电子表格): paste its link from the browser or give its token, or pick it from the list, which shows the spreadsheets in the app\'s own space (with User authentication: in your My Space). A spreadsheet shared with the app is not listed: paste its link. The app must be a collaborator of it (see the README).',
			displayOptions: show(...ON_A_SPREADSHEET),
		},
		{
			defaultMode: 'url',
			list: { method: 'searchSpreadsheets', placeholder: 'Select a spreadsheet...' },
			url: {
				placeholder: 'https://example.feishu.cn/sheets/shtcnAbCdEfGhIjKlMnOpQrStUv?sheet=6e5ed3',
				extract: 'https?://[^\\s/]+/sheets/([A-Za-z0-9]+)',
				regex: 'https?://[^\\s/]+/sheets/[A-Za-z0-9]+.*',
				error: 'Not a spreadsheet link: it should contain /sheets/<token> (a spreadsheet in a wiki: open it in a new tab and copy that link)',
			},
			id: { displayName: 'By Token', placeholder: 'shtcnAbCdEfGhIjKlMnOpQrStUv', regex: '[A-Za-z0-9]{8,64}', error: 'Not a spreadsheet token: letters and digits, as in the link after /sheets/' },
		},
	),
	documentLocator(
		{ displayName: 'Sheet', name: 'sheetId', description: 'The sheet (tab) of the spreadsheet', displayOptions: show(...ON_A_SHEET) },
		{
			list: { method: 'searchSheets', placeholder: 'Select a sheet...' },
			url: {
				placeholder: 'https://example.feishu.cn/sheets/shtcn…?sheet=6e5ed3',
				extract: '[?&]sheet=([A-Za-z0-9_-]+)',
				regex: '.*[?&]sheet=[A-Za-z0-9_-]+.*',
				error: 'Not a sheet link: it should contain ?sheet=…',
			},
			id: { displayName: 'By ID', placeholder: '6e5ed3', regex: '[A-Za-z0-9_-]{1,64}', error: 'Not a sheet ID: letters and digits, as in the link after ?sheet=' },
		},
	),
	{
		displayName: 'Range',
		name: 'range',
		type: 'string',
		default: '',
		placeholder: 'A1:D100',
		description: 'The cells in A1 notation (A1:D100, A:D, A2:D); empty: the whole sheet',
		displayOptions: show(...ON_A_SHEET),
	},
	// Read Range.
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'First Row as Headers', value: 'headers', description: 'One item per row, its values keyed by the first row\'s cells' },
			{ name: 'Raw', value: 'raw', description: 'One item with the range and its values as a 2-D array' },
		],
		default: 'headers',
		description: 'How the values come out',
		displayOptions: show('readRange'),
	},
	// Write Range, Append Rows.
	{
		displayName: 'Data',
		name: 'dataMode',
		type: 'options',
		options: [
			{ name: 'From Input Items', value: 'items', description: 'One row per input item, its fields in the columns of the header row' },
			{ name: 'JSON (2-D Array)', value: 'json', description: 'Rows of cells, e.g. [["Alice", 1], ["Bob", 2]]' },
		],
		default: 'items',
		description: 'What is written',
		displayOptions: show(...WRITES),
	},
	{
		displayName: 'Values (JSON)',
		name: 'values',
		type: 'json',
		default: '[\n  ["Name", "Amount"],\n  ["Alice", 1]\n]',
		description: 'Rows of cells: text, numbers, or Feishu\'s typed cell objects (a link, a formula, a mention); at most 5,000 rows and 100 columns',
		displayOptions: { show: { resource: ['sheets'], operation: WRITES, dataMode: ['json'] } },
	},
	// Find Cells.
	{
		displayName: 'Find',
		name: 'find',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'ACME',
		description: 'The text (or regular expression) to look for',
		displayOptions: show('findCells'),
	},
	// Create Spreadsheet.
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		placeholder: 'Orders 2026',
		description: 'The new spreadsheet\'s title (at most 255 characters)',
		displayOptions: show('createSpreadsheet'),
	},
	// Add Sheet.
	{
		displayName: 'Sheet Title',
		name: 'sheetTitle',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'March',
		description: 'The new sheet\'s title, unique in the spreadsheet (at most 100 characters, no / \\ ? * [ ] :)',
		displayOptions: show('addSheet'),
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: show('getSheets'),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['sheets'], operation: ['getSheets'], returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'More settings',
		displayOptions: show('addSheet', 'appendRows', 'createSpreadsheet', 'findCells', 'readRange', 'writeRange'),
		options: [
			{
				displayName: 'Columns',
				name: 'columns',
				type: 'string',
				default: '',
				placeholder: 'Name, Amount, Date',
				description: 'The item fields to write, in column order, comma-separated (default: the header row already in the sheet, else the fields of the items)',
				displayOptions: { show: { '/operation': WRITES, '/dataMode': ['items'] } },
			},
			{
				displayName: 'Date Time Render Option',
				name: 'dateTimeRenderOption',
				type: 'options',
				options: [
					{ name: 'Formatted String', value: 'FormattedString', description: 'Dates and times as the cells show them' },
					{ name: 'Serial Number', value: '', description: 'Days since 1899-12-30, the time as a fraction of a day' },
				],
				default: '',
				description: 'How date and time cells are read',
				displayOptions: { show: { '/operation': ['readRange'] } },
			},
			{
				displayName: 'Folder',
				name: 'folder',
				type: 'string',
				default: '',
				placeholder: 'https://example.feishu.cn/drive/folder/fldcnAbCdEfGhIjKlMnOpQrStUv',
				description: 'The folder to create it in: its link, or the ID after /folder/ in it (default: the app\'s own space)',
				displayOptions: { show: { '/operation': ['createSpreadsheet'] } },
			},
			{
				displayName: 'Include Formulas',
				name: 'includeFormulas',
				type: 'boolean',
				default: false,
				description: 'Whether formulas are searched as well as values',
				displayOptions: { show: { '/operation': ['findCells'] } },
			},
			{
				displayName: 'Index',
				name: 'index',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Where the sheet goes among the tabs, from 0 (the first)',
				displayOptions: { show: { '/operation': ['addSheet'] } },
			},
			{
				displayName: 'Insert Data Option',
				name: 'insertDataOption',
				type: 'options',
				options: [
					{ name: 'Insert Rows', value: 'INSERT_ROWS', description: 'Insert new rows for the data: nothing below is overwritten' },
					{ name: 'Overwrite', value: 'OVERWRITE', description: 'Write into the empty rows after the data, overwriting what follows when they are too few' },
				],
				default: 'INSERT_ROWS',
				description: 'How the rows are added',
				displayOptions: { show: { '/operation': ['appendRows'] } },
			},
			{
				displayName: 'Match Case',
				name: 'matchCase',
				type: 'boolean',
				default: false,
				description: 'Whether upper and lower case must match',
				displayOptions: { show: { '/operation': ['findCells'] } },
			},
			{
				displayName: 'Match Entire Cell',
				name: 'matchEntireCell',
				type: 'boolean',
				default: false,
				description: 'Whether the whole cell must match, not a part of it',
				displayOptions: { show: { '/operation': ['findCells'] } },
			},
			{
				displayName: 'Search by Regex',
				name: 'searchByRegex',
				type: 'boolean',
				default: false,
				description: 'Whether Find is a regular expression',
				displayOptions: { show: { '/operation': ['findCells'] } },
			},
			{
				displayName: 'Value Render Option',
				name: 'valueRenderOption',
				type: 'options',
				options: [
					{ name: 'Formatted Value', value: 'FormattedValue', description: 'Formulas computed, values formatted as the cells show them' },
					{ name: 'Formula', value: 'Formula', description: 'Formulas as written' },
					{ name: 'To String', value: 'ToString', description: 'Text as plain text, numbers as numbers' },
					{ name: 'Unformatted Value', value: 'UnformattedValue', description: 'Formulas computed, values unformatted' },
				],
				default: 'ToString',
				description: 'How the cells are read',
				displayOptions: { show: { '/operation': ['readRange'] } },
			},
			{
				displayName: 'Write Header Row',
				name: 'headerRow',
				type: 'boolean',
				default: true,
				description: 'Whether the column names are written as the range\'s first row',
				displayOptions: { show: { '/operation': ['writeRange'], '/dataMode': ['items'] } },
			},
		],
	},
];
