// API > Call Endpoint: any Open API endpoint, with the token of the node's Authentication. The endpoint comes as
// `METHOD /open-apis/...` (picked from the catalog or typed); its values from the parameter fields
// (path, query and body fields by name, api/endpoints.ts) on top of the JSON Query and Body. A list
// the catalog marks as paged is walked by page_token (Return All / Limit), one output item per entry;
// any other answer's `data` is one item. The request goes through the one API client (lib/feishu/
// anyEndpoint.ts), so Feishu's errors, retries and hints are those of every other operation.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { callEndpoint as call, callEndpointPages, checkMethod, FeishuValidationError, type EndpointCall, type EndpointQuery } from '../../../../lib/feishu';
import { findEndpoint, type CatalogEndpoint, type CatalogField } from '../../api/endpoints';
import type { FieldPlace } from '../../methods/apiEndpoints';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, param } from '../shared';

/** JSON text parsed, or why it is not JSON (the caller names the field). */
function parseJson(text: string): { value: unknown } | { error: string } {
	try {
		return { value: JSON.parse(text) as unknown };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

function jsonObject(field: string, value: unknown): IDataObject {
	let v = value;
	if (typeof v === 'string') {
		if (!v.trim()) return {};
		const parsed = parseJson(v);
		if ('error' in parsed) throw new FeishuValidationError(field, `is not valid JSON (${parsed.error})`);
		v = parsed.value;
	}
	if (v === undefined || v === null) return {};
	if (typeof v !== 'object' || Array.isArray(v)) throw new FeishuValidationError(field, 'should be a JSON object, e.g. {"user_id_type": "open_id"}');
	return v as IDataObject;
}

/** A mapper value as the documented type wants it (the editor may hand over text for any of them). */
function typed(name: string, value: unknown, field: CatalogField | undefined): unknown {
	if (typeof value !== 'string' || !field) return value;
	const t = field.t;
	if (t === 'object' || t.endsWith('[]') || t === 'any') {
		const text = value.trim();
		if (t === 'any' && !/^[[{]/.test(text)) return value;
		const parsed = parseJson(text);
		if ('error' in parsed) throw new FeishuValidationError(name, `should be ${t === 'object' ? 'a JSON object' : 'a JSON list'} (${parsed.error})`);
		return parsed.value;
	}
	if ((t === 'number' || t === 'integer') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
	if (t === 'boolean' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
	return value;
}

function queryValue(name: string, value: unknown): EndpointQuery[string] {
	if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
	if (value === null || value === undefined) return undefined;
	if (typeof value === 'object') throw new FeishuValidationError(name, 'is an object; Feishu takes no objects in the query string');
	return value as string | number | boolean;
}

/** The parameter fields' values, split by where they go (ids are `path:…`, `query:…`, `body:…`). */
function mapped(context: Parameters<ItemOperation['execute']>[0], entry: CatalogEndpoint | undefined) {
	const raw = param<{ value?: Record<string, unknown> | null } | undefined>(context, 'apiParameters', undefined);
	const out: Record<FieldPlace, Record<string, unknown>> = { path: {}, query: {}, body: {} };
	for (const [id, value] of Object.entries(raw?.value ?? {})) {
		if (value === '' || value === null || value === undefined) continue;
		const at = id.indexOf(':');
		if (at < 0) continue;
		const place = id.slice(0, at) as FieldPlace;
		const name = id.slice(at + 1);
		if (!Object.hasOwn(out, place)) continue;
		const field = place === 'query' ? entry?.q?.find((f) => f.n === name) : place === 'body' ? entry?.b?.find((f) => f.n === name) : undefined;
		out[place][name] = typed(`${name} (${place})`, value, field);
	}
	return out;
}

function asItem(value: unknown): INodeExecutionData {
	return { json: value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : ({ data: value ?? null } as IDataObject) };
}

export const callEndpoint: ItemOperation = {
	// Whichever endpoint is picked; its scopes are on its Feishu page (the credential test cannot know them).
	endpoint: 'ANY /open-apis/...',
	scopes: [],
	async execute(context) {
		const chosen = locatorValue(context, 'endpoint').trim();
		const m = /^([A-Za-z]+)\s+(\S+)$/.exec(chosen);
		if (!m) throw new FeishuValidationError('Endpoint', `"${chosen.slice(0, 120)}" is not METHOD /open-apis/…, e.g. GET /open-apis/im/v1/chats`);
		const method = checkMethod(m[1]);
		const path = m[2];
		const entry = findEndpoint(method, path);

		// The token is the client's, i.e. the node's Authentication: the app's bot (tenant token) or the
		// signed-in user. What Feishu takes for this endpoint is the catalog's; refuse the other at once.
		const client = apiClient(context);
		const identity = client.identity;
		if (entry?.t !== undefined && entry.t !== '' && !entry.t.includes(identity[0])) {
			throw new FeishuValidationError(
				'Authentication',
				identity === 'tenant'
					? `${method} ${path} takes only a user's token (user_access_token), not the bot's: set Authentication to "User (OAuth2)"`
					: `${method} ${path} takes only the app's own token (tenant_access_token), not a user's: set Authentication to "Bot (App Credential)"`,
			);
		}

		const values = mapped(context, entry);
		const query: EndpointQuery = {};
		for (const [k, v] of Object.entries({ ...jsonObject('Query', param(context, 'apiQuery', '{}')), ...values.query })) query[k] = queryValue(`${k} (query)`, v);
		const body = { ...jsonObject('Body', param(context, 'apiBody', '{}')), ...values.body };
		const request: EndpointCall = {
			method,
			path,
			pathParams: values.path,
			query,
			// POST, PUT and PATCH always send a JSON body ({} when empty); DELETE only when there is one.
			body: method === 'GET' || (method === 'DELETE' && Object.keys(body).length === 0) ? undefined : body,
		};

		if (entry?.pg) {
			const limit = param<boolean>(context, 'returnAll', false) ? undefined : param<number>(context, 'limit', 50);
			return (await callEndpointPages(client, request, limit)).map(asItem);
		}
		return asItem(await call(client, request));
	},
};
