// Bitable (Base) v1 as Feishu documents it (docs/protocol.md, "Bitable"). Schema-driven from
// schemas/bitable_v1.json (resourceStore.ts): tables (create, list, patch, delete), fields (create,
// list, update, delete), views (create, get, list, patch, delete) and single records (create, get,
// update, delete, list), with hooks for what the schema cannot say (91403 when the app is not a
// collaborator of the base, the table and base must exist, record values checked against the field
// types). Hand-written: record search, batch_create / batch_update / batch_delete / batch_get (at
// most 1000 / 1000 / 500 / 100, all or nothing), the attachment upload (drive/v1/medias/upload_all)
// and its download, and the control routes under /_sandbox/bitable/ (bitableModel.ts keeps the data).
import busboy from 'busboy';
import { BITABLE_LIMITS, bitableError, bitableId, BitableModel, FIELD_TYPE, type BaseRecord, type Permission, type StoredRecord } from './bitableModel';
import { searchRecords } from './bitableSearch';
import { bad } from './controlContext';
import { documentPlace } from './driveFiles';
import { sendJson, type RouteContext, type Router } from './http';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { fieldViolation, pageOf } from './paging';
import { registerResource, type ResourceRecord, type ResourceStore } from './resourceStore';
import { endpointSchema, loadSchemas, validateRequest, type SchemaFile } from './schemaValidator';
import type { SandboxState } from './state';

export const MEDIA_UPLOAD_PATH = '/open-apis/drive/v1/medias/upload_all';
const MEDIA_PARENT_TYPES = ['bitable_file', 'bitable_image'];

const isObject = (v: unknown): v is ResourceRecord => typeof v === 'object' && v !== null && !Array.isArray(v);
const baseUrlOf = (ctx: RouteContext) => `http://${ctx.req.headers.host ?? '127.0.0.1'}`;
const bool = (q: URLSearchParams, name: string) => q.get(name) === 'true';

export interface BitableApi {
	model: BitableModel;
}

export function registerBitableApi(router: Router, api: OpenApi, store: ResourceStore, state: SandboxState): BitableApi {
	const model = new BitableModel(store, state);
	const schemas = loadSchemas('bitable_v1');
	const access = (ctx: ApiContext) => model.access(ctx);
	const readOpts = (ctx: ApiContext) => ({ form: 'get' as const, textAsArray: bool(ctx.query, 'text_field_as_array'), automatic: bool(ctx.query, 'automatic_fields'), baseUrl: baseUrlOf(ctx) });

	// Hand-written routes first: `…/records/search` and `…/records/batch_*` would otherwise look like a record id.
	registerRecordBatches(router, api, schemas, model);
	registerMedia(router, api, model);

	registerResource(router, api, store, {
		schemas,
		family: 'bitable.v1.appTable',
		resource: 'table',
		idField: 'table_id',
		tenantWide: true,
		notFound: { code: 1254041, msg: 'TableIdNotFound' },
		page: { defaultSize: 20, maxSize: 100 },
		hooks: {
			access,
			validate: ({ op, ctx }) => {
				if (op === 'delete' && model.tables(ctx.params.app_token).size <= 1) throw bitableError('lastOne', 'the last table of a base cannot be deleted');
			},
			create: (body, { ctx, id }) => {
				const spec = isObject(body.table) ? body.table : {};
				const made = model.createTable(ctx.params.app_token, { name: spec.name as string | undefined, default_view_name: spec.default_view_name as string | undefined, fields: Array.isArray(spec.fields) ? (spec.fields as ResourceRecord[]) : undefined, tableId: id });
				(made.table as ResourceRecord & { _view: string; _fields: string[] })._view = made.viewId;
				(made.table as ResourceRecord & { _fields: string[] })._fields = made.fieldIds;
				return made.table;
			},
			view: (t) => ({ table_id: t.table_id, name: t.name, revision: t.revision }),
			data: (op, t, ctx) => {
				if (op === 'create') return { table_id: t.table_id, default_view_id: t._view, field_id_list: t._fields };
				if (op === 'update') return { name: t.name };
				if (op === 'delete') {
					model.dropTable(ctx.params.app_token, String(t.table_id));
					return {};
				}
				return undefined;
			},
		},
		newId: () => bitableId('tbl', 13),
	});

	registerResource(router, api, store, {
		schemas,
		family: 'bitable.v1.appTableField',
		resource: 'field',
		idField: 'field_id',
		tenantWide: true,
		notFound: { code: 1254044, msg: 'FieldIdNotFound' },
		page: { defaultSize: 20, maxSize: 100 },
		newId: () => bitableId('fld', 10),
		hooks: {
			access,
			validate: ({ op, ctx, record }) => {
				if (op === 'delete' && record?.is_primary) throw bitableError('lastOne', 'the primary field cannot be deleted');
				void ctx;
			},
			create: (body, { ctx, id }) => {
				const fields = model.fields(ctx.params.app_token, ctx.params.table_id);
				return { ...model.checkField(body, [...fields.values()]), field_id: id, is_primary: fields.size === 0 };
			},
			update: (record, body, { ctx }) => {
				const others = [...model.fields(ctx.params.app_token, ctx.params.table_id).values()].filter((f) => f.field_id !== record.field_id);
				return { ...record, ...model.checkField(body, others) };
			},
			data: (op, f) => (op === 'delete' ? { field_id: f.field_id, deleted: true } : undefined),
		},
	});

	registerResource(router, api, store, {
		schemas,
		family: 'bitable.v1.appTableView',
		resource: 'view',
		idField: 'view_id',
		tenantWide: true,
		notFound: { code: 1254042, msg: 'ViewIdNotFound' },
		page: { defaultSize: 20, maxSize: 100 },
		newId: () => bitableId('vew', 10),
		hooks: {
			access,
			validate: ({ op, ctx }) => {
				const views = model.views(ctx.params.app_token, ctx.params.table_id);
				if (op === 'create' && views.size >= BITABLE_LIMITS.viewsPerTable) throw bitableError('viewLimit');
				if (op === 'delete' && views.size <= 1) throw bitableError('lastOne', 'the last view of a table cannot be deleted');
			},
			create: (body) => ({ view_name: body.view_name, view_type: body.view_type ?? 'grid', property: null }),
		},
	});

	registerResource(router, api, store, {
		schemas,
		family: 'bitable.v1.appTableRecord',
		resource: 'record',
		idField: 'record_id',
		tenantWide: true,
		notFound: { code: 1254043, msg: 'RecordIdNotFound' },
		// The (older) list endpoint: pages of at most 500, default 20, like search.
		page: { defaultSize: 20, maxSize: 500 },
		newId: () => bitableId('rec', 11),
		hooks: {
			access,
			create: (body, { ctx, id }) => {
				const { app_token: appToken, table_id: tableId } = ctx.params;
				const made = model.newRecord(ctx, appToken, tableId, model.writeFields(ctx, appToken, tableId, body.fields), id);
				model.notifyRecords(ctx, appToken, tableId, [{ recordId: id, after: made }]);
				return made;
			},
			update: (record, body, { ctx }) => {
				const next = model.merged(ctx, record as StoredRecord, model.writeFields(ctx, ctx.params.app_token, ctx.params.table_id, body.fields));
				model.notifyRecords(ctx, ctx.params.app_token, ctx.params.table_id, [{ recordId: String(record.record_id), before: record as StoredRecord, after: next }]);
				return next;
			},
			view: (r, ctx) => model.readRecord(ctx.params.app_token, ctx.params.table_id, r as StoredRecord, readOpts(ctx)),
			data: (op, r, ctx) => {
				if (op !== 'delete') return undefined;
				model.notifyRecords(ctx, ctx.params.app_token, ctx.params.table_id, [{ recordId: String(r.record_id), before: r as StoredRecord }]);
				return { deleted: true, record_id: r.record_id };
			},
		},
	});

	registerBitableControl(router, model);
	return { model };
}

/**
 * The per-second budgets the record pages give ("接口频率限制", per app; docs/protocol.md, "Bitable"):
 * batch_create 50/s, search 20/s, batch_get 20/s. The others get the sandbox's default budget.
 */
export const BITABLE_RATE_LIMITS: Readonly<Record<string, number>> = { batchCreate: 50, search: 20, batchGet: 20 };

function registerRecordBatches(router: Router, api: OpenApi, schemas: SchemaFile, model: BitableModel): void {
	const route = (name: string, handle: (ctx: ApiContext, body: ResourceRecord, appToken: string, tableId: string) => unknown) => {
		const e = endpointSchema(schemas, `bitable.v1.appTableRecord.${name}`);
		api.route(router, e.method, e.path, async (ctx) => {
			api.rateLimit(ctx.app, `bitable.v1.appTableRecord.${name}`, BITABLE_RATE_LIMITS[name]);
			model.access(ctx);
			const body = (await ctx.json()) as ResourceRecord;
			validateRequest(e, { path: ctx.params, query: ctx.query, body });
			return { data: await handle(ctx, body, ctx.params.app_token, ctx.params.table_id) };
		});
	};
	const sized = (list: unknown[], max: number, name: string) => {
		if (list.length === 0) throw fieldViolation(name, `${name} must not be empty`);
		if (list.length > max) {
			if (name === 'records' && max === BITABLE_LIMITS.batchCreate) throw bitableError('batchLimit', `at most ${max} records per request`);
			throw fieldViolation(name, `the length of ${name} must be at most ${max}`);
		}
	};
	const view = (ctx: ApiContext, appToken: string, tableId: string, r: StoredRecord, form: 'get' | 'search', extra: { fieldNames?: string[]; automatic?: boolean } = {}) =>
		model.readRecord(appToken, tableId, r, { form, baseUrl: baseUrlOf(ctx), ...extra });

	route('search', (ctx, body, appToken, tableId) => {
		const found = searchRecords(model, appToken, tableId, body);
		const page = pageOf(found, ctx.query, { defaultSize: 20, maxSize: 500 });
		const fieldNames = Array.isArray(body.field_names) ? body.field_names.map(String) : undefined;
		return {
			items: page.items.map((r) => view(ctx, appToken, tableId, r, 'search', { fieldNames, automatic: body.automatic_fields === true })),
			has_more: page.has_more,
			page_token: page.page_token ?? '',
			total: found.length,
		};
	});

	// All or nothing: every record is checked before any is written (Feishu applies a batch as one change).
	route('batchCreate', (ctx, body, appToken, tableId) => {
		const list = body.records as ResourceRecord[];
		sized(list, BITABLE_LIMITS.batchCreate, 'records');
		const records = model.records(appToken, tableId);
		// client_token: the same request again (a retry) creates nothing more and answers the same records.
		const token = ctx.query.get('client_token');
		const seen = model.clientTokens();
		const key = token ? JSON.stringify([appToken, tableId, token]) : undefined;
		const earlier = key ? (seen.get(key)?.record_ids as string[] | undefined) : undefined;
		if (earlier) return { records: earlier.flatMap((id) => (records.has(id) ? [view(ctx, appToken, tableId, records.get(id)!, 'get')] : [])) };
		const checked = list.map((r) => model.writeFields(ctx, appToken, tableId, r.fields));
		const made = checked.map((fields) => model.newRecord(ctx, appToken, tableId, fields));
		for (const r of made) records.set(r.record_id, r);
		model.notifyRecords(ctx, appToken, tableId, made.map((r) => ({ recordId: r.record_id, after: r })));
		if (key) seen.set(key, { record_ids: made.map((r) => r.record_id) });
		return { records: made.map((r) => view(ctx, appToken, tableId, r, 'get')) };
	});

	route('batchUpdate', (ctx, body, appToken, tableId) => {
		const list = body.records as ResourceRecord[];
		sized(list, BITABLE_LIMITS.batchUpdate, 'records');
		const records = model.records(appToken, tableId);
		const next = list.map((r) => {
			const current = records.get(String(r.record_id ?? ''));
			if (!current) throw bitableError('recordNotFound', String(r.record_id ?? ''));
			return model.merged(ctx, current, model.writeFields(ctx, appToken, tableId, r.fields));
		});
		const before = next.map((r) => records.get(r.record_id));
		for (const r of next) records.set(r.record_id, r);
		model.notifyRecords(ctx, appToken, tableId, next.map((r, i) => ({ recordId: r.record_id, before: before[i], after: r })));
		return { records: next.map((r) => view(ctx, appToken, tableId, r, 'get')) };
	});

	route('batchDelete', (ctx, body, appToken, tableId) => {
		const ids = body.records as string[];
		sized(ids, BITABLE_LIMITS.batchDelete, 'records');
		const records = model.records(appToken, tableId);
		for (const id of ids) if (!records.has(id)) throw bitableError('recordNotFound', id);
		const gone = [...new Set(ids)].map((id) => ({ recordId: id, before: records.get(id) }));
		for (const id of ids) records.delete(id);
		model.notifyRecords(ctx, appToken, tableId, gone);
		return { records: ids.map((id) => ({ deleted: true, record_id: id })) };
	});

	route('batchGet', (ctx, body, appToken, tableId) => {
		const ids = (body.record_ids as string[]).map(String);
		sized(ids, BITABLE_LIMITS.batchGet, 'record_ids');
		const records = model.records(appToken, tableId);
		const found = ids.filter((id) => records.has(id));
		return {
			records: found.map((id) => view(ctx, appToken, tableId, records.get(id)!, 'get', { automatic: body.automatic_fields === true })),
			forbidden_record_ids: [],
			absent_record_ids: ids.filter((id) => !records.has(id)),
		};
	});
}

interface Upload {
	fields: Record<string, string>;
	file?: { filename: string; mimeType: string; data: Buffer; truncated: boolean };
}

/** The multipart body of an upload, the file cut off past `limit` (then `truncated`). */
function readUpload(ctx: ApiContext, limit: number): Promise<Upload> {
	if (!String(ctx.req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
		return Promise.reject(new ApiError(400, 1061002, 'params error: the body must be multipart/form-data'));
	}
	return new Promise((resolve, reject) => {
		const out: Upload = { fields: {} };
		let bb: busboy.Busboy;
		try {
			bb = busboy({ headers: ctx.req.headers, limits: { fileSize: limit } });
		} catch (e) {
			reject(new ApiError(400, 1061002, `params error: ${(e as Error).message}`));
			return;
		}
		bb.on('field', (name, value) => (out.fields[name] = value));
		bb.on('file', (name, stream, info) => {
			const chunks: Buffer[] = [];
			const file = { filename: info.filename ?? '', mimeType: info.mimeType, data: Buffer.alloc(0), truncated: false };
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('limit', () => (file.truncated = true));
			stream.on('end', () => {
				file.data = Buffer.concat(chunks);
				if (name === 'file') out.file = file;
			});
		});
		bb.on('close', () => {
			ctx.recordBody = { multipart: { ...out.fields, file: out.file ? { filename: out.file.filename, bytes: out.file.data.length } : undefined } };
			resolve(out);
		});
		bb.on('error', (e) => reject(new ApiError(400, 1061002, `params error: malformed multipart body (${(e as Error).message})`)));
		ctx.req.pipe(bb);
	});
}

function registerMedia(router: Router, api: OpenApi, model: BitableModel): void {
	// Upload a file into a base (parent_type bitable_file / bitable_image, parent_node its app_token), at most 20 MB.
	api.route(router, 'POST', MEDIA_UPLOAD_PATH, async (ctx) => {
		api.rateLimit(ctx.app, 'drive.v1.media.uploadAll');
		const form = await readUpload(ctx, BITABLE_LIMITS.mediaBytes);
		const { file_name: fileName, parent_type: parentType, parent_node: parentNode, size } = form.fields;
		if (!fileName || fileName.length > 250) throw new ApiError(400, 1061002, 'params error: file_name is required (at most 250 characters)');
		if (!MEDIA_PARENT_TYPES.includes(parentType)) throw new ApiError(400, 1061002, `params error: the sandbox takes parent_type ${MEDIA_PARENT_TYPES.join(' or ')}`);
		if (!form.file) throw new ApiError(400, 1061002, 'params error: the file field is missing');
		if (form.file.truncated) throw new ApiError(400, 1061043, 'file size beyond limit');
		if (String(form.file.data.length) !== size) throw new ApiError(400, 1061002, 'params error: size is not the file\'s size in bytes');
		if (!model.bases().has(parentNode)) throw new ApiError(400, 1061044, 'parent node not exist');
		model.base(ctx, parentNode, true);
		const token = bitableId('', 27);
		model.media().set(token, { file_token: token, name: fileName, size: form.file.data.length, type: form.file.mimeType || 'application/octet-stream', parent_type: parentType, parent_node: parentNode, data: form.file.data });
		return { data: { file_token: token } };
	});

	api.route(router, 'GET', '/open-apis/drive/v1/medias/:file_token/download', (ctx) => {
		const m = model.media().get(ctx.params.file_token);
		if (!m) throw new ApiError(404, 1061045, 'file not exist');
		model.base(ctx, String(m.parent_node), false);
		return { raw: m.data as Buffer, contentType: String(m.type), headers: { 'content-disposition': `attachment; filename="${encodeURIComponent(String(m.name))}"` } };
	});
}

function collaboratorsFrom(v: unknown): BaseRecord['collaborators'] | undefined {
	if (v === undefined || v === 'all') return 'all';
	if (!isObject(v)) return undefined;
	const out: Record<string, Permission> = {};
	for (const [appId, p] of Object.entries(v)) {
		if (p !== 'edit' && p !== 'read') return undefined;
		out[appId] = p;
	}
	return out;
}

/**
 * Control: POST /_sandbox/bitable/apps makes a base (`name`, `app_token`?, `collaborators`: "all"
 * (default) or `{app_id: "edit" | "read"}`, `owner_id`?: whose space it is in (an app's bot open_id
 * for a Base that app made; default a person), `folder_token`?: its Drive folder, `tables`: [{name,
 * fields: [{field_name, type, property}], records: [{<field>: value}], table_id?}]); PUT …/apps/:app_token/collaborators changes who may open it ({} =
 * no app: every call then gets 91403); GET …/apps/:app_token/tables/:table_id/records lists the records.
 */
function registerBitableControl(router: Router, model: BitableModel): void {
	const fakeCtx = (appId: string) => ({ app: { appId, botOpenId: 'ou_sandbox_control' } }) as unknown as ApiContext;
	router.add('POST', '/_sandbox/bitable/apps', async (ctx) => {
		const body = (await ctx.json()) as ResourceRecord;
		const collaborators = collaboratorsFrom(body.collaborators);
		if (!collaborators) return bad(ctx, 'collaborators is "all" or {app_id: "edit" | "read"}');
		if (body.app_token !== undefined && (typeof body.app_token !== 'string' || !/^[A-Za-z0-9]{8,64}$/.test(body.app_token))) return bad(ctx, 'app_token: letters and digits');
		if (typeof body.app_token === 'string' && model.bases().has(body.app_token)) return bad(ctx, `base ${body.app_token} exists`, 409);
		const place = documentPlace(body);
		if (typeof place === 'string') return bad(ctx, place);
		const base = model.createBase({ name: typeof body.name === 'string' ? body.name : undefined, appToken: body.app_token as string | undefined, collaborators, ...place });
		const tables: unknown[] = [];
		try {
			for (const t of Array.isArray(body.tables) ? (body.tables as ResourceRecord[]) : [{}]) {
				if (t.table_id !== undefined && (typeof t.table_id !== 'string' || !/^tbl[A-Za-z0-9]{4,60}$/.test(t.table_id))) throw new Error('table_id: tbl and letters or digits');
				const made = model.createTable(base.app_token, { name: t.name as string | undefined, fields: Array.isArray(t.fields) ? (t.fields as ResourceRecord[]) : undefined, tableId: t.table_id as string | undefined });
				const tableId = String(made.table.table_id);
				// Link fields may point at the table itself: resolve "self" once the table exists.
				for (const f of model.fields(base.app_token, tableId).values()) if (f.property?.table_id === 'self') f.property.table_id = tableId;
				const records = model.records(base.app_token, tableId);
				const ids: string[] = [];
				for (const fields of Array.isArray(t.records) ? (t.records as ResourceRecord[]) : []) {
					const r = model.newRecord(fakeCtx(''), base.app_token, tableId, model.writeFields(fakeCtx(''), base.app_token, tableId, fields));
					records.set(r.record_id, r);
					ids.push(r.record_id);
				}
				tables.push({ table_id: tableId, name: made.table.name, view_id: made.viewId, fields: [...model.fields(base.app_token, tableId).values()].map((f) => ({ field_id: f.field_id, field_name: f.field_name, type: f.type })), record_ids: ids });
			}
		} catch (e) {
			model.bases().delete(base.app_token);
			return bad(ctx, e instanceof ApiError ? `${e.code} ${e.message}` : String(e));
		}
		sendJson(ctx.res, 200, { ok: true, app_token: base.app_token, name: base.name, url: `https://sandbox.feishu.cn/base/${base.app_token}`, tables });
	});

	router.add('PUT', '/_sandbox/bitable/apps/:app_token/collaborators', async (ctx) => {
		const base = model.bases().get(ctx.params.app_token);
		if (!base) return bad(ctx, `unknown base ${ctx.params.app_token}`, 404);
		const collaborators = collaboratorsFrom(((await ctx.json()) as ResourceRecord).collaborators ?? {});
		if (!collaborators) return bad(ctx, 'collaborators is "all" or {app_id: "edit" | "read"}');
		base.collaborators = collaborators;
		sendJson(ctx.res, 200, { ok: true, app_token: base.app_token, collaborators });
	});

	router.add('GET', '/_sandbox/bitable/apps/:app_token/tables/:table_id/records', (ctx) => {
		const { app_token: appToken, table_id: tableId } = ctx.params;
		if (!model.tables(appToken).has(tableId)) return bad(ctx, `unknown table ${tableId}`, 404);
		const records = [...model.records(appToken, tableId).values()].map((r) => model.readRecord(appToken, tableId, r, { form: 'get', baseUrl: baseUrlOf(ctx) }));
		sendJson(ctx.res, 200, { ok: true, records });
	});
	void FIELD_TYPE;
}
