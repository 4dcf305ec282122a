// Document events as Feishu documents them (docs/protocol.md, "Document events"): an app subscribes to
// a file's events (POST /open-apis/drive/v1/files/:file_token/subscribe?file_type=…, GET …/get_subscribe,
// DELETE …/delete_subscribe); while subscribed, every change of a Base's records (through the Bitable
// API, or a person's through the control API) sends drive.file.bitable_record_changed_v1, and every
// edit (a record change of a Base, or a person's edit of a spreadsheet through the control API) sends
// drive.file.edit_v1, to each subscribed app over its delivery mode.
// Spreadsheets are the Sheets API's (read through the store) or made here.
// Control: POST /_sandbox/drive/files (a spreadsheet or document: `file_type`, `file_token`?,
// `collaborators`), POST /_sandbox/drive/files/:file_token/edit (a person edits it: `open_id`?,
// `sheet_id`?), POST|PUT|DELETE /_sandbox/bitable/apps/:app_token/tables/:table_id/records[/:record_id]
// (a person adds, changes, deletes a record: `fields`, `open_id`?), GET /_sandbox/drive/subscriptions.
import { type BitableModel, bitableId, FIELD_TYPE, type Permission, type RecordChangeNotice, type StoredRecord } from './bitableModel';
import { bad } from './controlContext';
import type { DeliveryEngine } from './delivery';
import { envelope, userIdObject } from './events';
import { sendJson, type RouteContext, type Router } from './http';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { fieldViolation } from './paging';
import type { ResourceRecord, ResourceStore } from './resourceStore';
import type { SandboxState, UserRecord } from './state';

export const RECORD_CHANGED_EVENT = 'drive.file.bitable_record_changed_v1';
export const FILE_EDITED_EVENT = 'drive.file.edit_v1';
export const FILE_TYPES = ['doc', 'docx', 'sheet', 'bitable', 'file', 'folder', 'slides'] as const;
const FAMILIES = { subscription: 'drive.sandbox.subscription', file: 'drive.sandbox.file' } as const;

/** Drive's own codes (the drive v1 pages' error tables). */
const NOT_FOUND = () => new ApiError(404, 1061003, 'not found');
const PARAMS = (detail: string) => new ApiError(400, 1061002, `params error: ${detail}`);
const FORBIDDEN = () => new ApiError(403, 91403, 'Forbidden');

const isObject = (v: unknown): v is ResourceRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

interface FileRecord extends ResourceRecord {
	file_token: string;
	file_type: string;
	collaborators: 'all' | Record<string, Permission>;
}

export interface DriveEvents {
	/** A spreadsheet or document the sandbox knows (Bases are the Bitable model's). */
	addFile(p: { fileType: string; fileToken?: string; collaborators?: FileRecord['collaborators'] }): FileRecord;
}

export function registerDriveEvents(router: Router, api: OpenApi, store: ResourceStore, state: SandboxState, delivery: DeliveryEngine, model: BitableModel): DriveEvents {
	const subscriptions = () => store.records(FAMILIES.subscription, '');
	const files = () => store.records(FAMILIES.file, '') as Map<string, FileRecord>;
	const subKey = (appId: string, token: string) => `${appId}|${token}`;
	// A spreadsheet of the Sheets API (sheetsModel.ts keeps them in the store under this family), read
	// through the store so the two modules need not know each other.
	const spreadsheet = (token: string): FileRecord | undefined => {
		const s = store.records('sheets.sandbox.spreadsheet', '').get(token);
		return s ? { file_token: token, file_type: 'sheet', collaborators: (s.collaborators as FileRecord['collaborators']) ?? 'all' } : undefined;
	};

	/** The file, if the app may manage it; Feishu's refusal otherwise. */
	const checkFile = (ctx: ApiContext): { token: string; type: string } => {
		const token = ctx.params.file_token;
		const type = ctx.query.get('file_type') ?? '';
		if (!type) throw fieldViolation('file_type', 'file_type is required');
		if (!(FILE_TYPES as readonly string[]).includes(type)) throw fieldViolation('file_type', `file_type must be one of ${FILE_TYPES.join(', ')}`);
		const eventType = ctx.query.get('event_type');
		if (type === 'folder' && eventType !== 'file.created_in_folder_v1') throw PARAMS('a folder takes event_type file.created_in_folder_v1');
		if (type !== 'folder' && eventType) throw PARAMS('event_type is only for file_type folder');
		let permission: Permission | undefined;
		if (type === 'bitable') {
			const base = model.bases().get(token);
			if (!base) throw NOT_FOUND();
			permission = base.collaborators === 'all' ? 'edit' : base.collaborators[ctx.app.appId];
		} else {
			const file = files().get(token) ?? (type === 'sheet' ? spreadsheet(token) : undefined);
			if (!file || file.file_type !== type) throw NOT_FOUND();
			permission = file.collaborators === 'all' ? 'edit' : file.collaborators[ctx.app.appId];
		}
		// Only the file's owner or a manager may subscribe (the sandbox's "edit" collaborators).
		if (permission !== 'edit') throw FORBIDDEN();
		return { token, type };
	};

	api.route(router, 'POST', '/open-apis/drive/v1/files/:file_token/subscribe', (ctx) => {
		api.rateLimit(ctx.app, 'drive.v1.file.subscribe');
		const { token, type } = checkFile(ctx);
		// Subscribing again keeps the one subscription.
		subscriptions().set(subKey(ctx.app.appId, token), { app_id: ctx.app.appId, file_token: token, file_type: type, subscribed_at: Date.now() });
		return { data: {} };
	});

	api.route(router, 'GET', '/open-apis/drive/v1/files/:file_token/get_subscribe', (ctx) => {
		api.rateLimit(ctx.app, 'drive.v1.file.getSubscribe');
		const { token } = checkFile(ctx);
		return { data: { is_subscribe: subscriptions().has(subKey(ctx.app.appId, token)) } };
	});

	api.route(router, 'DELETE', '/open-apis/drive/v1/files/:file_token/delete_subscribe', (ctx) => {
		api.rateLimit(ctx.app, 'drive.v1.file.deleteSubscribe');
		const { token } = checkFile(ctx);
		subscriptions().delete(subKey(ctx.app.appId, token));
		return { data: {} };
	});

	/** Every app subscribed to the file, once each. */
	const subscribers = (token: string) =>
		[...subscriptions().values()].filter((s) => s.file_token === token).flatMap((s) => {
			const app = state.apps.get(String(s.app_id));
			return app ? [app] : [];
		});

	const send = (token: string, eventType: string, event: Record<string, unknown>) => {
		for (const app of subscribers(token)) delivery.deliver(app, envelope(app, { eventType, event }));
	};

	/** A record as the event carries it: each field's value as JSON, formulas left out. */
	const fieldValues = (appToken: string, tableId: string, record: StoredRecord | undefined, only?: Set<string>) => {
		if (!record) return [];
		const read = model.readRecord(appToken, tableId, record, { form: 'get', textAsArray: true, baseUrl: 'https://sandbox.feishu.cn' }).fields as Record<string, unknown>;
		const out: { field_id: string; field_value: string }[] = [];
		for (const f of model.fields(appToken, tableId).values()) {
			if (f.type === FIELD_TYPE.Formula || f.type === FIELD_TYPE.Lookup) continue;
			if (only && !only.has(f.field_id)) continue;
			if (read[f.field_name] === undefined) continue;
			out.push({ field_id: f.field_id, field_value: JSON.stringify(read[f.field_name]) });
		}
		return out;
	};

	model.recordsChanged = (c: RecordChangeNotice) => {
		if (subscribers(c.appToken).length === 0) return;
		const table = model.tables(c.appToken).get(c.tableId);
		const revision = Number(table?.revision ?? 1) + 1;
		if (table) table.revision = revision;
		const actions = c.changes.map(({ recordId, before, after }) => {
			if (!before) return { record_id: recordId, action: 'record_added', before_value: [], after_value: fieldValues(c.appToken, c.tableId, after) };
			if (!after) return { record_id: recordId, action: 'record_deleted', before_value: fieldValues(c.appToken, c.tableId, before), after_value: [] };
			// Only the fields whose value changed.
			const b = new Map(fieldValues(c.appToken, c.tableId, before).map((v) => [v.field_id, v.field_value]));
			const a = new Map(fieldValues(c.appToken, c.tableId, after).map((v) => [v.field_id, v.field_value]));
			const changed = new Set([...b.keys(), ...a.keys()].filter((id) => b.get(id) !== a.get(id)));
			return { record_id: recordId, action: 'record_edited', before_value: fieldValues(c.appToken, c.tableId, before, changed), after_value: fieldValues(c.appToken, c.tableId, after, changed) };
		});
		const operator = operatorOf(c.operatorOpenId);
		// One event per record, as Feishu sends them.
		for (const action of actions) {
			send(c.appToken, RECORD_CHANGED_EVENT, {
				file_type: 'bitable',
				file_token: c.appToken,
				table_id: c.tableId,
				revision,
				operator_id: operator,
				action_list: [action],
				subscriber_id_list: [],
				update_time: Math.floor(Date.now() / 1000),
			});
		}
		// A record change is an edit of the file as well.
		send(c.appToken, FILE_EDITED_EVENT, { file_type: 'bitable', file_token: c.appToken, operator_id_list: [operator], subscriber_id_list: [] });
	};

	const operatorOf = (openId: string) => {
		const user = state.users.get(openId);
		return user ? userIdObject(user) : { open_id: openId };
	};

	const personOf = (openId: unknown): UserRecord => (typeof openId === 'string' && openId ? state.userBy('open_id', openId) : state.defaultUser());

	const addFile: DriveEvents['addFile'] = (p) => {
		const token = p.fileToken || bitableId(p.fileType === 'sheet' ? 'shtcn' : 'doxcn', 22);
		const file: FileRecord = { file_token: token, file_type: p.fileType, collaborators: p.collaborators ?? 'all' };
		files().set(token, file);
		return file;
	};

	registerControl(router, { model, state, files, spreadsheet, subscriptions, addFile, send, operatorOf, personOf });
	return { addFile };
}

function collaboratorsFrom(v: unknown): FileRecord['collaborators'] | undefined {
	if (v === undefined || v === 'all') return 'all';
	if (!isObject(v)) return undefined;
	const out: Record<string, Permission> = {};
	for (const [appId, p] of Object.entries(v)) {
		if (p !== 'edit' && p !== 'read') return undefined;
		out[appId] = p;
	}
	return out;
}

function registerControl(
	router: Router,
	d: {
		model: BitableModel;
		state: SandboxState;
		files: () => Map<string, FileRecord>;
		spreadsheet: (token: string) => FileRecord | undefined;
		subscriptions: () => Map<string, ResourceRecord>;
		addFile: DriveEvents['addFile'];
		send: (token: string, eventType: string, event: Record<string, unknown>) => void;
		operatorOf: (openId: string) => Record<string, string>;
		personOf: (openId: unknown) => UserRecord;
	},
): void {
	const { model } = d;
	// A person's context for the Bitable model: their id is the records' created_by / last_modified_by.
	const personCtx = (user: UserRecord) => ({ app: { appId: '', botOpenId: user.openId } }) as unknown as ApiContext;

	router.add('POST', '/_sandbox/drive/files', async (ctx) => {
		const b = (await ctx.json()) as ResourceRecord;
		const type = String(b.file_type ?? '');
		if (!['sheet', 'docx', 'doc', 'slides', 'file'].includes(type)) return bad(ctx, 'file_type is sheet, docx, doc, slides or file (Bases: POST /_sandbox/bitable/apps)');
		if (b.file_token !== undefined && (typeof b.file_token !== 'string' || !/^[A-Za-z0-9]{8,64}$/.test(b.file_token))) return bad(ctx, 'file_token: letters and digits');
		const collaborators = collaboratorsFrom(b.collaborators);
		if (!collaborators) return bad(ctx, 'collaborators is "all" or {app_id: "edit" | "read"}');
		const file = d.addFile({ fileType: type, fileToken: b.file_token as string | undefined, collaborators });
		sendJson(ctx.res, 200, { ok: true, file_token: file.file_token, file_type: file.file_type, url: `https://sandbox.feishu.cn/${type === 'sheet' ? 'sheets' : type}/${file.file_token}` });
	});

	// A person edits a spreadsheet or document: drive.file.edit_v1 to every subscribed app.
	router.add('POST', '/_sandbox/drive/files/:file_token/edit', async (ctx) => {
		const b = (await ctx.json()) as ResourceRecord;
		const token = ctx.params.file_token;
		const file = d.files().get(token) ?? d.spreadsheet(token);
		const base = model.bases().get(token);
		if (!file && !base) return bad(ctx, `unknown file ${token}`, 404);
		const user = d.personOf(b.open_id);
		if (b.sheet_id !== undefined && typeof b.sheet_id !== 'string') return bad(ctx, 'sheet_id is a string');
		d.send(token, FILE_EDITED_EVENT, {
			file_type: file ? file.file_type : 'bitable',
			file_token: token,
			operator_id_list: [d.operatorOf(user.openId)],
			subscriber_id_list: [],
			...(typeof b.sheet_id === 'string' ? { sheet_id: b.sheet_id } : {}),
		});
		sendJson(ctx.res, 200, { ok: true });
	});

	router.add('GET', '/_sandbox/drive/subscriptions', (ctx) => {
		const appId = ctx.query.get('app_id');
		sendJson(ctx.res, 200, { subscriptions: [...d.subscriptions().values()].filter((s) => !appId || s.app_id === appId) });
	});

	// A person changes a Base's records (the events' operator), as in the Base's own page.
	const table = (appToken: string, tableId: string) => model.bases().has(appToken) && model.tables(appToken).has(tableId);
	const answerError = (ctx: RouteContext, e: unknown) => bad(ctx, e instanceof ApiError ? `${e.code} ${e.message}` : String(e));

	router.add('POST', '/_sandbox/bitable/apps/:app_token/tables/:table_id/records', async (ctx) => {
		const { app_token: appToken, table_id: tableId } = ctx.params;
		if (!table(appToken, tableId)) return bad(ctx, `unknown table ${tableId}`, 404);
		const b = (await ctx.json()) as ResourceRecord;
		const user = d.personOf(b.open_id);
		const pctx = personCtx(user);
		try {
			const r = model.newRecord(pctx, appToken, tableId, model.writeFields(pctx, appToken, tableId, b.fields ?? {}));
			model.records(appToken, tableId).set(r.record_id, r);
			model.notifyRecords(pctx, appToken, tableId, [{ recordId: r.record_id, after: r }]);
			sendJson(ctx.res, 200, { ok: true, record_id: r.record_id });
		} catch (e) {
			answerError(ctx, e);
		}
	});

	router.add('PUT', '/_sandbox/bitable/apps/:app_token/tables/:table_id/records/:record_id', async (ctx) => {
		const { app_token: appToken, table_id: tableId, record_id: recordId } = ctx.params;
		if (!table(appToken, tableId)) return bad(ctx, `unknown table ${tableId}`, 404);
		const records = model.records(appToken, tableId);
		const current = records.get(recordId);
		if (!current) return bad(ctx, `unknown record ${recordId}`, 404);
		const b = (await ctx.json()) as ResourceRecord;
		const pctx = personCtx(d.personOf(b.open_id));
		try {
			const next = model.merged(pctx, current, model.writeFields(pctx, appToken, tableId, b.fields ?? {}));
			records.set(recordId, next);
			model.notifyRecords(pctx, appToken, tableId, [{ recordId, before: current, after: next }]);
			sendJson(ctx.res, 200, { ok: true, record_id: recordId });
		} catch (e) {
			answerError(ctx, e);
		}
	});

	router.add('DELETE', '/_sandbox/bitable/apps/:app_token/tables/:table_id/records/:record_id', async (ctx) => {
		const { app_token: appToken, table_id: tableId, record_id: recordId } = ctx.params;
		if (!table(appToken, tableId)) return bad(ctx, `unknown table ${tableId}`, 404);
		const records = model.records(appToken, tableId);
		const current = records.get(recordId);
		if (!current) return bad(ctx, `unknown record ${recordId}`, 404);
		const b = ((await ctx.json().catch(() => ({}))) ?? {}) as ResourceRecord;
		const pctx = personCtx(d.personOf(b.open_id));
		records.delete(recordId);
		model.notifyRecords(pctx, appToken, tableId, [{ recordId, before: current }]);
		sendJson(ctx.res, 200, { ok: true, record_id: recordId, deleted: true });
	});
}
