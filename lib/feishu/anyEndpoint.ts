// Any Open API endpoint, named by method and path template (`GET /open-apis/im/v1/chats/:chat_id`):
// the Feishu node's API resource. The template must stay under /open-apis/ and every `:name` gets a
// checked value, so a call reaches only the endpoint it names; the request goes through the one API
// client (envelope, token, retries, errors). Lists are walked by Feishu's `page_token` / `has_more`
// (docs/protocol.md, "Paging"; "Any endpoint" for what a generic call assumes).
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import type { HttpMethod } from './httpTransport';
import { collectPages, type FeishuPage } from './paging';
import { pathId, seg } from './paths';

export const ENDPOINT_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Query values as the API client sends them (a list goes out as the key repeated). */
export type EndpointQuery = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface EndpointCall {
	method: string;
	/** `/open-apis/...`, with `:name` for each path parameter. */
	path: string;
	/** A value for every `:name` of the path. */
	pathParams?: Record<string, unknown>;
	query?: EndpointQuery;
	/** JSON body (not sent with GET). */
	body?: unknown;
}

// A template: /open-apis/ then segments of letters, digits, '_', '-', '.', or one ':name'.
const TEMPLATE_SEGMENT = /^(?:[A-Za-z0-9_.-]+|:[A-Za-z_][A-Za-z0-9_]*)$/;
// Wider than pathId for the ids it refuses that Feishu does put in paths: calendar ids are
// `feishu.cn_…@group.calendar.feishu.cn`. Never '/', '\', '?', '#', '%' or a dot-only segment.
const WIDE_PATH_VALUE = /^[A-Za-z0-9_.@+=~-]{1,256}$/;

export function checkMethod(method: string): HttpMethod {
	const m = String(method ?? '').trim().toUpperCase() as HttpMethod;
	if (!ENDPOINT_METHODS.includes(m)) throw new FeishuValidationError('Method', `"${String(method).slice(0, 20)}" is not one of ${ENDPOINT_METHODS.join(', ')}`);
	return m;
}

/** The template's `:name` parameters, checked to be a plain /open-apis/ path. */
export function templateParams(template: string): string[] {
	const path = String(template ?? '').trim();
	if (!path.startsWith('/open-apis/')) throw new FeishuValidationError('Endpoint', `"${path.slice(0, 120)}" is not a Feishu Open API path: it must start with /open-apis/`);
	const segments = path.slice('/open-apis/'.length).split('/');
	// A trailing "/" is kept: Feishu lists one endpoint so (GET /open-apis/hire/v1/talent_pools/).
	if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
	for (const s of segments) {
		if (s === '..' || s === '.' || s === '') {
			throw new FeishuValidationError('Endpoint', `"${path.slice(0, 120)}" has an empty, "." or ".." segment; give the endpoint's own path`);
		}
		if (!TEMPLATE_SEGMENT.test(s)) {
			throw new FeishuValidationError('Endpoint', `"${path.slice(0, 120)}": the segment "${s.slice(0, 40)}" may hold only letters, digits, "_", "-", "." (or be a :parameter); no query string`);
		}
	}
	return segments.filter((s) => s.startsWith(':')).map((s) => s.slice(1));
}

/** One path parameter's value: an id as pathId takes it, or (calendar ids) the wider safe set. */
export function pathValue(name: string, value: unknown): string {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (!text) throw new FeishuValidationError(name, 'is required (a path parameter)');
	if (WIDE_PATH_VALUE.test(text) && !/^\.+$/.test(text)) return text;
	return pathId(name, text);
}

/** The request path: the template with each `:name` replaced by its checked, encoded value. */
export function endpointPath(template: string, values: Record<string, unknown> = {}): string {
	templateParams(template);
	return template
		.trim()
		.split('/')
		.map((s) => {
			if (!s.startsWith(':')) return s;
			const name = s.slice(1);
			return seg(pathValue(name, Object.hasOwn(values, name) ? values[name] : undefined));
		})
		.join('/');
}

function checkQuery(query: EndpointQuery | undefined): EndpointQuery | undefined {
	if (!query) return undefined;
	for (const [k, v] of Object.entries(query)) {
		const ok = v === undefined || ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((x) => ['string', 'number'].includes(typeof x)));
		if (!ok) throw new FeishuValidationError(`Query ${k}`, 'must be text, a number, a boolean or a list of them (Feishu takes no objects in the query string)');
	}
	return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : v])) as EndpointQuery;
}

function request(call: EndpointCall, extraQuery?: EndpointQuery) {
	const method = checkMethod(call.method);
	const path = endpointPath(call.path, call.pathParams);
	const query = { ...checkQuery(call.query), ...extraQuery };
	return { method, path, query, body: method === 'GET' ? undefined : call.body };
}

/** Calls the endpoint once; resolves to the answer's `data`. */
export async function callEndpoint<T = unknown>(client: FeishuApiClient, call: EndpointCall): Promise<T> {
	return client.request<T>(request(call));
}

/**
 * A page's list: `items`, else the one array the page holds (`files`, `user_list`, …); Feishu's
 * next-page token is `page_token` (`next_page_token` on a few older lists).
 */
export function pageOfAnswer(data: unknown): FeishuPage<unknown> {
	const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
	let items: unknown[] = [];
	if (Array.isArray(d.items)) items = d.items;
	else {
		const arrays = Object.values(d).filter(Array.isArray);
		if (arrays.length === 1) items = arrays[0];
	}
	const token = typeof d.page_token === 'string' && d.page_token ? d.page_token : typeof d.next_page_token === 'string' ? d.next_page_token : undefined;
	return { items, has_more: d.has_more === true, page_token: token };
}

/**
 * The items of every page (or the first `limit`), asking with `page_token`; a `page_token` already in
 * the query is where the walk starts. `page_size` is whatever the query says (Feishu's default
 * otherwise: the largest page differs per endpoint and the catalog does not know it).
 */
export async function callEndpointPages(client: FeishuApiClient, call: EndpointCall, limit?: number): Promise<unknown[]> {
	const start = typeof call.query?.page_token === 'string' && call.query.page_token ? call.query.page_token : undefined;
	const base = request(call);
	return collectPages(async (pageToken) => pageOfAnswer(await client.request({ ...base, query: { ...base.query, page_token: pageToken ?? start } })), limit);
}
