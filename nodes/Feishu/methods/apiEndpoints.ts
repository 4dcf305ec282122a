// The API resource's editor methods: the endpoint list behind "From List" (searched in the catalog, no
// Feishu call) and the parameter fields of the chosen endpoint (n8n's resource mapper): its path
// parameters, required; its query parameters and top-level body fields, typed, to add as needed.
// Both read the catalog (api/endpoints.ts), which loads on the first call, not with the node.
import type { FieldType, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import { LARK_BASE_URL } from '../../../lib/feishu';
import { explorerUrl, findEndpoint, parseEndpoint, pathParams, searchEndpoints, type CatalogEndpoint, type CatalogField } from '../api/endpoints';
import { CREDENTIAL_TYPE, OAUTH2_CREDENTIAL_TYPE } from '../GenericFunctions';

/** Endpoints per page of the list (the editor loads the next page on scroll). */
export const ENDPOINT_PAGE = 100;

/** Mapper field ids: where the value goes, then the name (`path:chat_id`, `query:page_size`, `body:summary`). */
export type FieldPlace = 'path' | 'query' | 'body';
export const fieldId = (place: FieldPlace, name: string): string => `${place}:${name}`;

const TOKEN_NAMES: Record<string, string> = { t: 'tenant', u: 'user' };

function tokensOf(e: CatalogEndpoint): string {
	const names = [...(e.t ?? '')].map((t) => TOKEN_NAMES[t]).filter(Boolean);
	return names.length ? `${names.join(' or ')} token` : 'no token listed';
}

function namesOf(fields: CatalogField[] | undefined): string {
	return (fields ?? []).map((f) => `${f.n}${f.r ? '*' : ''}`).join(', ');
}

/** What the list says of an endpoint besides its name: Chinese title, token, parameters, paging. */
function describe(e: CatalogEndpoint): string {
	const bits = [e.zh, tokensOf(e)];
	if (e.q?.length) bits.push(`query: ${namesOf(e.q)}`);
	if (e.b?.length) bits.push(`body: ${namesOf(e.b)}`);
	if (e.pg) bits.push('paged list');
	return bits.join(' · ');
}

/** Whether the node's credential (the app's, or the user's OAuth2 one) is for Lark: the links then go to Lark's site. */
async function isLark(ctx: ILoadOptionsFunctions): Promise<boolean> {
	for (const type of [CREDENTIAL_TYPE, OAUTH2_CREDENTIAL_TYPE]) {
		try {
			const creds = await ctx.getCredentials(type);
			return creds.domain === 'lark' || creds.baseUrl === LARK_BASE_URL;
		} catch {
			// Not this credential (or none chosen yet): the list works without one.
		}
	}
	return false;
}

/** "From List": every catalog endpoint matching the typed text (path, name, English or Chinese title). */
export async function searchApiEndpoints(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const offset = Math.max(0, Number(paginationToken ?? 0) || 0);
	const hits = searchEndpoints(filter);
	const lark = await isLark(this);
	const results: INodeListSearchItems[] = hits.slice(offset, offset + ENDPOINT_PAGE).map((e) => ({
		name: `${e.m} ${e.p} — ${e.en}${e.zh && e.zh !== e.en ? ` (${e.zh})` : ''}`,
		value: `${e.m} ${e.p}`,
		description: describe(e),
		url: explorerUrl(e, lark),
	}));
	const next = offset + ENDPOINT_PAGE;
	return { results, paginationToken: next < hits.length ? String(next) : undefined };
}

/** The endpoint parameter's value (`GET /open-apis/...`), whichever mode it was given in. */
function chosenEndpoint(ctx: ILoadOptionsFunctions): string {
	const value = ctx.getCurrentNodeParameter('endpoint', { extractValue: true });
	return typeof value === 'string' ? value : '';
}

const MAPPER_TYPES: Record<string, FieldType> = { string: 'string', number: 'number', integer: 'number', boolean: 'boolean', object: 'object' };

function mapperType(f: CatalogField): FieldType | undefined {
	if (f.e) return 'options';
	if (f.t.endsWith('[]')) return 'array';
	return MAPPER_TYPES[f.t];
}

function label(f: CatalogField, place: FieldPlace): string {
	const type = f.k ? `${f.t}: ${f.k.join(', ')}` : f.t;
	return `${f.n} (${place}, ${type}${f.r ? ', required' : ''})`;
}

/**
 * A documented query or body field. Not `required` in the mapper even when Feishu requires it: the
 * JSON Query / Body may carry it instead. Feishu's required ones are shown at once, the others are
 * offered under "Add field".
 */
function mapperField(f: CatalogField, place: FieldPlace): ResourceMapperField {
	const type = mapperType(f);
	return {
		id: fieldId(place, f.n),
		displayName: label(f, place),
		required: false,
		defaultMatch: false,
		display: true,
		removed: !f.r,
		...(type ? { type } : {}),
		...(f.e ? { options: f.e.map((v) => ({ name: String(v), value: v })) } : {}),
	};
}

/** The chosen endpoint's parameters for the resource mapper (path ones required). */
export async function getApiEndpointFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const parsed = parseEndpoint(chosenEndpoint(this));
	if (!parsed) return { fields: [], emptyFieldsNotice: 'Pick an endpoint first (or give it as METHOD /open-apis/…)' };
	const entry = findEndpoint(parsed.method, parsed.path);
	const path: ResourceMapperField[] = pathParams(parsed.path).map((name) => ({
		id: fieldId('path', name),
		displayName: `${name} (path)`,
		required: true,
		defaultMatch: false,
		display: true,
		type: 'string',
	}));
	const query = (entry?.q ?? []).filter((f) => f.n !== 'page_token').map((f) => mapperField(f, 'query'));
	const body = (entry?.b ?? []).map((f) => mapperField(f, 'body'));
	const fields = [...path, ...query, ...body];
	if (fields.length > 0) return { fields };
	return {
		fields,
		emptyFieldsNotice: entry ? 'This endpoint takes no path, query or body parameters' : 'This endpoint is not in the catalog: give its query and body as JSON below',
	};
}
