// Schema-driven endpoints: one call registers a Feishu resource family (create, get, patch/update,
// delete, list) from its imported schemas (sandbox/schemas/), with every request validated against the
// endpoint's schema (schemaValidator.ts), records kept per app in SandboxState, Feishu's response
// envelope and paging. Hooks carry what a schema cannot say (defaults, derived fields, error codes).
// The routes go through OpenApi.route, so auth, x-tt-logid, faults and call recording are as elsewhere.
import { hex } from './ids';
import type { Router } from './http';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { pageOf } from './paging';
import { endpointSchema, validateRequest, type EndpointSchema, type SchemaFile } from './schemaValidator';
import type { SandboxState } from './state';

export type ResourceRecord = Record<string, unknown>;
export type ResourceOp = 'create' | 'get' | 'update' | 'delete' | 'list';

export interface HookContext {
	op: ResourceOp;
	ctx: ApiContext;
	/** The request body (create/update), already schema-checked. */
	body: ResourceRecord;
	/** The stored record (get/update/delete). */
	record?: ResourceRecord;
}

export interface ResourceHooks {
	/** Whether the caller may reach the collection at all (its parent exists, the app may open it); runs
	 * first, before the schema check and the id look-up: throw an ApiError to refuse. */
	access?(ctx: ApiContext): void;
	/** Checks the schema cannot express; throw an ApiError to refuse (runs after schema validation). */
	validate?(h: HookContext): void;
	/** The record to store for a create (default: the body as sent, plus the id). */
	create?(body: ResourceRecord, h: HookContext & { id: string }): ResourceRecord;
	/** The record after an update (default: `partialUpdate`, Feishu's `{<resource>, update_fields}`). */
	update?(record: ResourceRecord, body: ResourceRecord, h: HookContext): ResourceRecord;
	/** What the client sees of a record (default: the record). */
	view?(record: ResourceRecord, ctx: ApiContext): unknown;
	/** The records a list returns, in order (default: the app's records, oldest first). */
	list?(records: ResourceRecord[], ctx: ApiContext): ResourceRecord[];
	/** A `data` other than `{ <resource>: view }` for create/get/update/delete (some Feishu endpoints answer
	 * with ids only); `undefined` keeps the default. */
	data?(op: Exclude<ResourceOp, 'list'>, record: ResourceRecord, ctx: ApiContext): unknown;
}

export interface ResourceFamily {
	schemas: SchemaFile;
	/** Endpoint names' prefix in the schema file: `task.v2.task` finds `task.v2.task.create`, `.get`, ... */
	family: string;
	/** The record's key in `data`, as Feishu answers (`{ data: { task: {...} } }`). */
	resource: string;
	/** The record's id field (`guid` for tasks); the path parameter is taken from the schema's path. */
	idField: string;
	/** New ids are `<idPrefix><32 hex>` unless `newId` says otherwise. */
	idPrefix?: string;
	newId?: () => string;
	/** What Feishu answers for an id that does not exist (or belongs to another app). */
	notFound: { code: number; msg: string; httpStatus?: number };
	/** List page sizes (Feishu's usual: default 20 or 50, at most 100). */
	page?: { defaultSize: number; maxSize: number };
	/** Applies the per-app, per-endpoint rate limit (default true). */
	rateLimit?: boolean;
	/** Records belong to the tenant, not to the calling app (a Bitable's records are the same for every app
	 * that may open it); default false: each app sees its own. */
	tenantWide?: boolean;
	hooks?: ResourceHooks;
}

/** Feishu's partial update: each name in `update_fields` takes its value from `body[resource]`; a listed
 * field without a value is cleared. A body without `update_fields` is merged into the record (PUT style). */
export function partialUpdate(record: ResourceRecord, body: ResourceRecord, resource: string): ResourceRecord {
	const next = { ...record };
	const fields = body.update_fields;
	if (Array.isArray(fields)) {
		const patch = (body[resource] ?? {}) as ResourceRecord;
		for (const f of fields as string[]) {
			if (patch[f] === undefined || patch[f] === null) delete next[f];
			else next[f] = structuredClone(patch[f]);
		}
		return next;
	}
	const source = body[resource] && typeof body[resource] === 'object' ? (body[resource] as ResourceRecord) : body;
	for (const [k, v] of Object.entries(source)) if (v !== undefined) next[k] = structuredClone(v);
	return next;
}

/** Records of every schema-driven family, per family, app and parent (cleared by /_sandbox/reset). */
export class ResourceStore {
	constructor(private readonly state: SandboxState) {}

	/** `parent`: the collection path's parameters (a bitable record lives in its app_token + table_id). */
	records(family: string, appId: string, parent: Record<string, string> = {}): Map<string, ResourceRecord> {
		let scopes = this.state.resources.get(family);
		if (!scopes) this.state.resources.set(family, (scopes = new Map()));
		const key = JSON.stringify([appId, ...Object.keys(parent).sort().map((k) => [k, parent[k]])]);
		let records = scopes.get(key);
		if (!records) scopes.set(key, (records = new Map()));
		return records;
	}
}

export interface RegisteredFamily {
	/** Operation → endpoint name, for the operations the schema file has. */
	endpoints: Partial<Record<ResourceOp, string>>;
	/** The app's records (in `parent`, for a nested resource), for tests and control routes. */
	records(appId: string, parent?: Record<string, string>): Map<string, ResourceRecord>;
}

const UPDATE_NAMES = ['patch', 'update'];

function findEndpoints(f: ResourceFamily): Partial<Record<ResourceOp, string>> {
	const has = (name: string) => f.schemas.endpoints[`${f.family}.${name}`] !== undefined;
	const found: Partial<Record<ResourceOp, string>> = {};
	for (const op of ['create', 'get', 'delete', 'list'] as const) if (has(op)) found[op] = `${f.family}.${op}`;
	const update = UPDATE_NAMES.find(has);
	if (update) found.update = `${f.family}.${update}`;
	return found;
}

/** The last `:param` of an item path (`/open-apis/task/v2/tasks/:task_guid` → `task_guid`). */
function idParamOf(e: EndpointSchema): string {
	const param = e.path.split('/').filter((p) => p.startsWith(':')).pop();
	if (!param) throw new Error(`${e.path} has no id parameter`);
	return param.slice(1);
}

const asRecord = (v: unknown): ResourceRecord => (v && typeof v === 'object' && !Array.isArray(v) ? (v as ResourceRecord) : {});

/** Registers the family's routes on the sandbox's router (only the operations its schemas have). */
export function registerResource(router: Router, api: OpenApi, store: ResourceStore, f: ResourceFamily): RegisteredFamily {
	const endpoints = findEndpoints(f);
	if (Object.keys(endpoints).length === 0) throw new Error(`${f.schemas.project} has no endpoints for ${f.family}`);
	const hooks = f.hooks ?? {};
	const page = f.page ?? { defaultSize: 20, maxSize: 100 };
	if (page.defaultSize > page.maxSize) throw new Error(`${f.family}: default page size ${page.defaultSize} is above the maximum ${page.maxSize}`);
	const newId = f.newId ?? (() => `${f.idPrefix ?? ''}${hex(16)}`);
	const view = (r: ResourceRecord, ctx: ApiContext) => (hooks.view ? hooks.view(r, ctx) : r);
	const reply = (op: Exclude<ResourceOp, 'list'>, r: ResourceRecord, ctx: ApiContext, fallback: () => unknown) => hooks.data?.(op, r, ctx) ?? fallback();
	// The collection's own path parameters scope its records; the item's id parameter is not one of them.
	const records = (ctx: ApiContext, idParam?: string) => {
		const parent = Object.fromEntries(Object.entries(ctx.params).filter(([k]) => k !== idParam));
		return store.records(f.family, f.tenantWide ? '' : ctx.app.appId, parent);
	};
	const notFound = () => new ApiError(f.notFound.httpStatus ?? 400, f.notFound.code, f.notFound.msg);

	const route = (op: ResourceOp, handle: (ctx: ApiContext, body: ResourceRecord, e: EndpointSchema) => unknown) => {
		const name = endpoints[op];
		if (!name) return;
		const e = endpointSchema(f.schemas, name);
		api.route(router, e.method, e.path, async (ctx) => {
			if (f.rateLimit !== false) api.rateLimit(ctx.app, name);
			hooks.access?.(ctx);
			const body = e.data ? asRecord(await ctx.json()) : {};
			validateRequest(e, { path: ctx.params, query: ctx.query, body: e.data ? body : undefined });
			return { data: await handle(ctx, body, e) };
		});
	};
	const existing = (ctx: ApiContext, e: EndpointSchema): [ResourceRecord, Map<string, ResourceRecord>] => {
		const idParam = idParamOf(e);
		const scope = records(ctx, idParam);
		const record = scope.get(ctx.params[idParam]);
		if (!record) throw notFound();
		return [record, scope];
	};

	route('create', (ctx, body) => {
		hooks.validate?.({ op: 'create', ctx, body });
		const id = newId();
		const input = structuredClone(body);
		const record = hooks.create ? hooks.create(input, { op: 'create', ctx, body, id }) : { ...input };
		record[f.idField] = id;
		records(ctx).set(id, record);
		return reply('create', record, ctx, () => ({ [f.resource]: view(record, ctx) }));
	});

	route('get', (ctx, body, e) => {
		const [record] = existing(ctx, e);
		hooks.validate?.({ op: 'get', ctx, body, record });
		return reply('get', record, ctx, () => ({ [f.resource]: view(record, ctx) }));
	});

	route('update', (ctx, body, e) => {
		const [record, scope] = existing(ctx, e);
		hooks.validate?.({ op: 'update', ctx, body, record });
		const next = hooks.update ? hooks.update(record, body, { op: 'update', ctx, body, record }) : partialUpdate(record, body, f.resource);
		next[f.idField] = record[f.idField];
		scope.set(String(record[f.idField]), next);
		return reply('update', next, ctx, () => ({ [f.resource]: view(next, ctx) }));
	});

	route('delete', (ctx, body, e) => {
		const [record, scope] = existing(ctx, e);
		hooks.validate?.({ op: 'delete', ctx, body, record });
		scope.delete(String(record[f.idField]));
		return reply('delete', record, ctx, () => ({}));
	});

	route('list', (ctx, body) => {
		hooks.validate?.({ op: 'list', ctx, body });
		const all = [...records(ctx).values()];
		const listed = pageOf(hooks.list ? hooks.list(all, ctx) : all, ctx.query, page);
		// Feishu's list convention: page_token is an empty string on the last page.
		return { items: listed.items.map((r) => view(r, ctx)), has_more: listed.has_more, page_token: listed.page_token ?? '' };
	});

	return { endpoints, records: (appId, parent) => store.records(f.family, f.tenantWide ? '' : appId, parent) };
}
