// The API resource's parameters: the endpoint (from the catalog's list, or by path), its parameter
// fields (n8n's resource mapper, filled from the catalog by methods/apiEndpoints.ts), JSON query and
// body, Return All / Limit for paged lists. The token is the node's Authentication's (the bot or the
// signed-in user). None of it embeds the catalog: the list and
// the fields are loaded from the node's methods when the editor asks.
import type { INodeProperties } from 'n8n-workflow';

const show = { show: { resource: ['api'], operation: ['callEndpoint'] } };

export const apiOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['api'] } },
		options: [
			{
				name: 'Call Endpoint',
				value: 'callEndpoint',
				action: 'Call an endpoint',
				description: 'Call any Feishu Open API endpoint as the bot or the signed-in user: pick it from the list of every endpoint, fill in its parameters',
			},
		],
		default: 'callEndpoint',
	},
];

export const apiFields: INodeProperties[] = [
	{
		displayName: 'Endpoint',
		name: 'endpoint',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The Open API endpoint to call: search the list by path, name, English or Chinese title, or give it as METHOD /open-apis/…',
		displayOptions: show,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Search: chats, /im/v1/messages, 群列表…',
				typeOptions: { searchListMethod: 'searchApiEndpoints', searchable: true },
			},
			{
				displayName: 'By Path',
				name: 'path',
				type: 'string',
				placeholder: 'GET /open-apis/im/v1/chats/:chat_id',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '\\s*(GET|POST|PUT|PATCH|DELETE|get|post|put|patch|delete)\\s+/open-apis/\\S+\\s*',
							errorMessage: 'Give the method and the path, e.g. GET /open-apis/im/v1/chats',
						},
					},
				],
			},
		],
	},
	{
		displayName: 'Parameters',
		name: 'apiParameters',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		description: 'The endpoint\'s path parameters, and the query parameters and body fields Feishu documents for it',
		displayOptions: show,
		typeOptions: {
			loadOptionsDependsOn: ['endpoint.value'],
			resourceMapper: {
				resourceMapperMethod: 'getApiEndpointFields',
				mode: 'add',
				valuesLabel: 'Parameters',
				fieldWords: { singular: 'parameter', plural: 'parameters' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: false,
				noFieldsError: 'This endpoint takes no path, query or body parameters',
			},
		},
	},
	{
		displayName: 'Query',
		name: 'apiQuery',
		type: 'json',
		default: '{}',
		description: 'More query parameters, as a JSON object (a list goes out as the key repeated); the Parameters above win over the same names here',
		displayOptions: show,
	},
	{
		displayName: 'Body',
		name: 'apiBody',
		type: 'json',
		default: '{}',
		description: 'The JSON body (not sent with GET); body fields set under Parameters are added to it, replacing the same names',
		displayOptions: show,
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		hint: 'For list endpoints (paged by page_token): one item per entry. Other endpoints answer with one item.',
		displayOptions: show,
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...show.show, returnAll: [false] } },
	},
];
