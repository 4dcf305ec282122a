// Bitable (Base) as the sandbox keeps it (docs/protocol.md, "Bitable"): bases of the tenant, each with
// the apps that were added to it as collaborators (edit or read; anything else gets Feishu's 91403),
// its tables, their fields, views and records. Everything lives in the resource store (tenant-wide, so
// every app that may open a base sees the same records) and so is cleared by /_sandbox/reset. Record
// values are checked against the field's type the way Feishu refuses them (1254045, 125406x) and
// kept in one stored form; `readRecord` turns that into what get/list and search answer.
import { randomBytes } from 'node:crypto';
import { ApiError, type ApiContext } from './openApi';
import type { ResourceRecord, ResourceStore } from './resourceStore';
import type { SandboxState } from './state';

export const BITABLE_FAMILIES = {
	base: 'bitable.sandbox.base',
	media: 'bitable.sandbox.media',
	clientToken: 'bitable.sandbox.clientToken',
	table: 'bitable.v1.appTable',
	field: 'bitable.v1.appTableField',
	view: 'bitable.v1.appTableView',
	record: 'bitable.v1.appTableRecord',
} as const;

/** Field types by Feishu's number (docs/protocol.md, "Bitable"). */
export const FIELD_TYPE = {
	Text: 1, Number: 2, SingleSelect: 3, MultiSelect: 4, DateTime: 5, Checkbox: 7, User: 11, Phone: 13, Url: 15, Attachment: 17,
	SingleLink: 18, Lookup: 19, Formula: 20, DuplexLink: 21, Location: 22, GroupChat: 23,
	CreatedTime: 1001, ModifiedTime: 1002, CreatedUser: 1003, ModifiedUser: 1004, AutoNumber: 1005,
} as const;
const TYPE_NAMES = new Map<number, string>(Object.entries(FIELD_TYPE).map(([k, v]) => [v, k]));
/** Types whose values Feishu computes: a write to one is refused. */
export const READ_ONLY_TYPES = new Set<number>([19, 20, 1001, 1002, 1003, 1004, 1005]);

/** Feishu's limits: 100 tables (and dashboards) per base, 200 views per table. */
export const BITABLE_LIMITS = { tablesPerBase: 100, viewsPerTable: 200, batchCreate: 1000, batchUpdate: 1000, batchDelete: 500, batchGet: 100, mediaBytes: 20 * 1024 * 1024 } as const;

/** Bitable's own error codes (the record/table pages' error tables; HTTP 400 unless said otherwise). */
export const BITABLE_ERRORS = {
	baseNotFound: [1254040, 'BaseTokenNotFound'],
	tableNotFound: [1254041, 'TableIdNotFound'],
	viewNotFound: [1254042, 'ViewIdNotFound'],
	recordNotFound: [1254043, 'RecordIdNotFound'],
	fieldNotFound: [1254044, 'FieldIdNotFound'],
	fieldNameNotFound: [1254045, 'FieldNameNotFound'],
	typeMismatch: [1254015, 'Field types do not match.'],
	invalidFilter: [1254018, 'InvalidFilter'],
	invalidSort: [1254016, 'InvalidSort'],
	text: [1254060, 'TextFieldConvFail'],
	number: [1254061, 'NumberFieldConvFail'],
	singleSelect: [1254062, 'SingleSelectFieldConvFail'],
	multiSelect: [1254063, 'MultiSelectFieldConvFail'],
	datetime: [1254064, 'DatetimeFieldConvFail'],
	checkbox: [1254065, 'CheckboxFieldConvFail'],
	user: [1254066, 'UserFieldConvFail'],
	link: [1254067, 'LinkFieldConvFail'],
	url: [1254068, 'URLFieldConvFail'],
	attachment: [1254069, 'AttachFieldConvFail'],
	tableLimit: [1254100, 'TableExceedLimit'],
	viewLimit: [1254101, 'ViewExceedLimit'],
	batchLimit: [1254104, 'RecordAddOnceExceedLimit'],
	fieldNameDuplicated: [1254014, 'FieldNameDuplicated'],
	lastOne: [1254002, 'Fail'],
} as const satisfies Record<string, readonly [number, string]>;

export type BitableErrorName = keyof typeof BITABLE_ERRORS;

export function bitableError(name: BitableErrorName, detail?: string): ApiError {
	const [code, msg] = BITABLE_ERRORS[name];
	return new ApiError(400, code, detail ? `${msg}: ${detail}` : msg);
}

/** 91403: the app is not a collaborator of the base (or only reads it and tried to write). */
export const FORBIDDEN = () => new ApiError(403, 91403, 'Forbidden');

export type Permission = 'edit' | 'read';

export interface BaseRecord extends ResourceRecord {
	app_token: string;
	name: string;
	/** Whose space it is in (an open_id: a person's, or an app's bot's for a Base the app made); its owner may always edit it. */
	owner_id: string;
	/** The Drive folder it is in; '' for the root of its owner's space. */
	folder_token: string;
	created_time: number;
	/** Which apps may open it, and how; `all` for every app of the tenant with edit (the default). */
	collaborators: 'all' | Record<string, Permission>;
	/** The next AutoNumber per table. */
	autoNumbers: Record<string, number>;
}

/** A field as checked, before it has an id. */
export interface FieldSpec {
	field_name: string;
	type: number;
	ui_type: string;
	property: ResourceRecord | null;
	description?: unknown;
}

export interface FieldRecord extends ResourceRecord {
	field_id: string;
	field_name: string;
	type: number;
	ui_type: string;
	is_primary: boolean;
	property: ResourceRecord | null;
	description?: unknown;
}

export interface StoredRecord extends ResourceRecord {
	record_id: string;
	fields: Record<string, unknown>;
	created_time: number;
	last_modified_time: number;
	created_by: string;
	last_modified_by: string;
	auto_number: number;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Feishu-looking ids: a prefix and base62 characters (app tokens have 27, tables tbl + 13, records rec + 11). */
export function bitableId(prefix: string, length: number): string {
	const bytes = randomBytes(length);
	return prefix + [...bytes].map((b) => ALNUM[b % ALNUM.length]).join('');
}

const isObject = (v: unknown): v is ResourceRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A day in the tenant's zone (the sandbox tenant is UTC+8, like most Feishu tenants). */
const TZ_OFFSET_MS = 8 * 3600_000;
const dayOf = (ms: number) => Math.floor((ms + TZ_OFFSET_MS) / 86_400_000);

/** Records that changed in one write (driveEvents.ts sends drive.file.bitable_record_changed_v1 for them). */
export interface RecordChangeNotice {
	appToken: string;
	tableId: string;
	/** Who made the change: the app's bot through the API, a person through the control API. */
	operatorOpenId: string;
	/** No `before`: added; no `after`: deleted. */
	changes: { recordId: string; before?: StoredRecord; after?: StoredRecord }[];
}

export class BitableModel {
	/** Told of every record write (set by driveEvents.ts). */
	recordsChanged?: (notice: RecordChangeNotice) => void;

	constructor(
		private readonly store: ResourceStore,
		private readonly state: SandboxState,
	) {}

	/** Reports a write to `recordsChanged`, the caller's bot (or person) as the operator. */
	notifyRecords(ctx: ApiContext, appToken: string, tableId: string, changes: RecordChangeNotice['changes']): void {
		if (changes.length > 0) this.recordsChanged?.({ appToken, tableId, operatorOpenId: ctx.app.botOpenId, changes });
	}

	bases(): Map<string, BaseRecord> {
		return this.store.records(BITABLE_FAMILIES.base, '') as Map<string, BaseRecord>;
	}

	media(): Map<string, ResourceRecord> {
		return this.store.records(BITABLE_FAMILIES.media, '');
	}

	/** batch_create's client_tokens already used, with the records each made. */
	clientTokens(): Map<string, ResourceRecord> {
		return this.store.records(BITABLE_FAMILIES.clientToken, '');
	}

	tables(appToken: string): Map<string, ResourceRecord> {
		return this.store.records(BITABLE_FAMILIES.table, '', { app_token: appToken });
	}

	fields(appToken: string, tableId: string): Map<string, FieldRecord> {
		return this.store.records(BITABLE_FAMILIES.field, '', { app_token: appToken, table_id: tableId }) as Map<string, FieldRecord>;
	}

	views(appToken: string, tableId: string): Map<string, ResourceRecord> {
		return this.store.records(BITABLE_FAMILIES.view, '', { app_token: appToken, table_id: tableId });
	}

	records(appToken: string, tableId: string): Map<string, StoredRecord> {
		return this.store.records(BITABLE_FAMILIES.record, '', { app_token: appToken, table_id: tableId }) as Map<string, StoredRecord>;
	}

	/** The base, if the app may open it (for `write`: with edit permission); Feishu's error otherwise. */
	base(ctx: ApiContext, appToken: string, write: boolean): BaseRecord {
		const base = this.bases().get(appToken);
		if (!base) throw bitableError('baseNotFound');
		const permission = base.collaborators === 'all' || base.owner_id === ctx.app.botOpenId ? 'edit' : base.collaborators[ctx.app.appId];
		if (!permission || (write && permission !== 'edit')) throw FORBIDDEN();
		return base;
	}

	table(appToken: string, tableId: string): ResourceRecord {
		const table = this.tables(appToken).get(tableId);
		if (!table) throw bitableError('tableNotFound');
		return table;
	}

	/** The route's base (and table, when the path has one), checked for the request's method. */
	access(ctx: ApiContext): void {
		const write = (ctx.req.method ?? 'GET') !== 'GET' && !/\/(search|batch_get)$/.test(ctx.path);
		this.base(ctx, ctx.params.app_token, write);
		if (ctx.params.table_id) this.table(ctx.params.app_token, ctx.params.table_id);
	}

	createBase(p: { name?: string; appToken?: string; ownerId?: string; folderToken?: string; collaborators?: BaseRecord['collaborators'] }): BaseRecord {
		const token = p.appToken || bitableId('', 27);
		const base: BaseRecord = {
			app_token: token,
			name: p.name ?? 'Sandbox Base',
			owner_id: p.ownerId ?? 'ou_sandbox_base_owner',
			folder_token: p.folderToken ?? '',
			created_time: Date.now(),
			collaborators: p.collaborators ?? 'all',
			autoNumbers: {},
		};
		this.bases().set(token, base);
		return base;
	}

	createTable(appToken: string, p: { name?: string; default_view_name?: string; fields?: ResourceRecord[]; tableId?: string }): { table: ResourceRecord; viewId: string; fieldIds: string[] } {
		const tables = this.tables(appToken);
		if (tables.size >= BITABLE_LIMITS.tablesPerBase) throw bitableError('tableLimit');
		const tableId = p.tableId ?? bitableId('tbl', 13);
		const name = p.name || `Table ${tables.size + 1}`;
		const table: ResourceRecord = { table_id: tableId, name, revision: 1 };
		tables.set(tableId, table);
		const specs = p.fields?.length ? p.fields : [{ field_name: 'Text', type: FIELD_TYPE.Text }];
		const fieldIds: string[] = [];
		try {
			for (const spec of specs) fieldIds.push(this.addField(appToken, tableId, spec).field_id);
		} catch (e) {
			tables.delete(tableId);
			this.fields(appToken, tableId).clear();
			throw e;
		}
		const viewId = bitableId('vew', 10);
		this.views(appToken, tableId).set(viewId, { view_id: viewId, view_name: p.default_view_name || 'Table', view_type: 'grid', property: null });
		return { table, viewId, fieldIds };
	}

	dropTable(appToken: string, tableId: string): void {
		this.tables(appToken).delete(tableId);
		this.fields(appToken, tableId).clear();
		this.views(appToken, tableId).clear();
		this.records(appToken, tableId).clear();
	}

	/** A new field as Feishu stores it: name unique in the table, a known type, the first one primary. */
	addField(appToken: string, tableId: string, spec: ResourceRecord): FieldRecord {
		const fields = this.fields(appToken, tableId);
		const field = this.checkField(spec, [...fields.values()]);
		const record: FieldRecord = { ...field, field_id: bitableId('fld', 10), is_primary: fields.size === 0 };
		fields.set(record.field_id, record);
		return record;
	}

	checkField(spec: ResourceRecord, others: FieldRecord[]): FieldSpec {
		const name = String(spec.field_name ?? '').trim();
		if (!name) throw new ApiError(400, 99992402, 'field validation failed', {}, { field_violations: [{ field: 'field_name', description: 'field_name is required' }] });
		if (others.some((f) => f.field_name === name)) throw bitableError('fieldNameDuplicated');
		const type = Number(spec.type);
		if (!TYPE_NAMES.has(type)) throw new ApiError(400, 99992402, 'field validation failed', {}, { field_violations: [{ field: 'type', description: `type ${String(spec.type)} is not a field type` }] });
		const property = isObject(spec.property) ? structuredClone(spec.property) : null;
		if ((type === FIELD_TYPE.SingleSelect || type === FIELD_TYPE.MultiSelect) && property) {
			property.options = (Array.isArray(property.options) ? property.options : []).map((o, i) => ({ name: String((o as ResourceRecord).name ?? ''), id: (o as ResourceRecord).id ?? `opt${bitableId('', 7)}`, color: (o as ResourceRecord).color ?? i % 10 }));
		}
		if ((type === FIELD_TYPE.SingleLink || type === FIELD_TYPE.DuplexLink) && !property?.table_id) {
			throw new ApiError(400, 99992402, 'field validation failed', {}, { field_violations: [{ field: 'property.table_id', description: 'a link field needs the table it links to' }] });
		}
		return { field_name: name, type, ui_type: typeof spec.ui_type === 'string' ? spec.ui_type : TYPE_NAMES.get(type)!, property, ...(spec.description !== undefined ? { description: spec.description } : {}) };
	}

	fieldByName(appToken: string, tableId: string, name: string): FieldRecord | undefined {
		for (const f of this.fields(appToken, tableId).values()) if (f.field_name === name) return f;
		return undefined;
	}

	/**
	 * A record's `fields` as written, checked field by field against the table and stored in one form
	 * (null clears a field). Throws the code Feishu answers for the first value it cannot take.
	 */
	writeFields(ctx: ApiContext, appToken: string, tableId: string, input: unknown): Record<string, unknown> {
		if (!isObject(input)) throw new ApiError(400, 99992402, 'field validation failed', {}, { field_violations: [{ field: 'fields', description: 'fields must be an object' }] });
		const out: Record<string, unknown> = {};
		for (const [name, value] of Object.entries(input)) {
			const field = this.fieldByName(appToken, tableId, name);
			if (!field) throw bitableError('fieldNameNotFound', name);
			if (READ_ONLY_TYPES.has(field.type)) throw bitableError('typeMismatch', `${name} is computed by Feishu and cannot be written`);
			out[name] = value === null ? null : this.storeValue(ctx, appToken, field, value);
		}
		return out;
	}

	private storeValue(ctx: ApiContext, appToken: string, field: FieldRecord, v: unknown): unknown {
		const fail = (name: BitableErrorName) => {
			throw bitableError(name, field.field_name);
		};
		switch (field.type) {
			case FIELD_TYPE.Text:
			case FIELD_TYPE.Phone:
			case FIELD_TYPE.Location:
				if (typeof v === 'string') return v;
				if (typeof v === 'number') return String(v);
				return fail('text');
			case FIELD_TYPE.Number:
				if (typeof v === 'number' && Number.isFinite(v)) return v;
				return fail('number');
			case FIELD_TYPE.SingleSelect:
				if (typeof v !== 'string' || !v) return fail('singleSelect');
				this.ensureOptions(field, [v]);
				return v;
			case FIELD_TYPE.MultiSelect:
				if (!Array.isArray(v) || !v.every((o) => typeof o === 'string' && o)) return fail('multiSelect');
				this.ensureOptions(field, v as string[]);
				return [...new Set(v as string[])];
			case FIELD_TYPE.DateTime:
				if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
				return fail('datetime');
			case FIELD_TYPE.Checkbox:
				if (typeof v === 'boolean') return v;
				return fail('checkbox');
			case FIELD_TYPE.User:
			case FIELD_TYPE.GroupChat: {
				const prefix = field.type === FIELD_TYPE.User ? /^(ou|on)_[A-Za-z0-9_-]+$|^[0-9a-z]{8}$/ : /^oc_[A-Za-z0-9_-]+$/;
				if (!Array.isArray(v) || !v.every((x) => isObject(x) && typeof x.id === 'string' && prefix.test(x.id))) return fail('user');
				return (v as ResourceRecord[]).map((x) => String(x.id));
			}
			case FIELD_TYPE.Url:
				if (isObject(v) && typeof v.link === 'string' && /^https?:\/\/\S+$/.test(v.link)) return { link: v.link, text: typeof v.text === 'string' ? v.text : v.link };
				return fail('url');
			case FIELD_TYPE.Attachment: {
				if (!Array.isArray(v) || !v.every((x) => isObject(x) && typeof x.file_token === 'string')) return fail('attachment');
				const media = this.media();
				const tokens = (v as ResourceRecord[]).map((x) => String(x.file_token));
				if (tokens.some((t) => media.get(t)?.parent_node !== appToken)) return fail('attachment');
				return tokens;
			}
			case FIELD_TYPE.SingleLink:
			case FIELD_TYPE.DuplexLink: {
				const ids = Array.isArray(v) ? v : typeof v === 'string' ? [v] : undefined;
				if (!ids || !ids.every((x) => typeof x === 'string')) return fail('link');
				const linked = this.records(appToken, String(field.property?.table_id));
				if ((ids as string[]).some((id) => !linked.has(id))) return fail('link');
				if (field.type === FIELD_TYPE.SingleLink && field.property?.multiple === false && ids.length > 1) return fail('link');
				return [...new Set(ids as string[])];
			}
			default:
				void ctx;
				return fail('typeMismatch');
		}
	}

	/** Feishu adds an option a select field does not have yet when a record names it. */
	private ensureOptions(field: FieldRecord, names: string[]): void {
		const property = (field.property ??= { options: [] });
		const options = (property.options ??= []) as ResourceRecord[];
		for (const name of names) if (!options.some((o) => o.name === name)) options.push({ name, id: `opt${bitableId('', 7)}`, color: options.length % 10 });
	}

	newRecord(ctx: ApiContext, appToken: string, tableId: string, fields: Record<string, unknown>, id = bitableId('rec', 11)): StoredRecord {
		const base = this.bases().get(appToken)!;
		const now = Date.now();
		const auto = (base.autoNumbers[tableId] ?? 0) + 1;
		base.autoNumbers[tableId] = auto;
		const stored: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(fields)) if (v !== null) stored[k] = v;
		return { record_id: id, fields: stored, created_time: now, last_modified_time: now, created_by: ctx.app.botOpenId, last_modified_by: ctx.app.botOpenId, auto_number: auto };
	}

	/** The record after an update: only the fields sent change, a null clears one (Feishu's incremental update). */
	merged(ctx: ApiContext, record: StoredRecord, fields: Record<string, unknown>): StoredRecord {
		const next = { ...record.fields };
		for (const [k, v] of Object.entries(fields)) {
			if (v === null) delete next[k];
			else next[k] = v;
		}
		return { ...record, fields: next, last_modified_time: Date.now(), last_modified_by: ctx.app.botOpenId };
	}

	private person(openId: string): ResourceRecord {
		const user = this.state.users.get(openId);
		if (user) return { id: openId, name: user.name, en_name: user.name, email: user.email };
		const app = [...this.state.apps.values()].find((a) => a.botOpenId === openId);
		return app ? { id: openId, name: app.botName } : { id: openId };
	}

	/**
	 * What Feishu answers for a record. `search`: text comes as rich-text segments and links as
	 * `{record_ids, table_id, text, text_arr, type}`; get/list: text as a string (segments with
	 * `text_field_as_array`), links as `{link_record_ids}`. `baseUrl` makes attachment URLs.
	 */
	readRecord(appToken: string, tableId: string, record: StoredRecord, o: { form: 'get' | 'search'; textAsArray?: boolean; fieldNames?: string[]; automatic?: boolean; baseUrl: string }): ResourceRecord {
		const fields: Record<string, unknown> = {};
		const segments = o.form === 'search' || o.textAsArray;
		for (const field of this.fields(appToken, tableId).values()) {
			if (o.fieldNames && !o.fieldNames.includes(field.field_name)) continue;
			const v = this.readValue(appToken, tableId, field, record, segments === true, o.form, o.baseUrl);
			if (v !== undefined && v !== null) fields[field.field_name] = v;
		}
		return {
			fields,
			record_id: record.record_id,
			...(o.form === 'get' ? { id: record.record_id } : {}),
			...(o.automatic
				? { created_time: record.created_time, last_modified_time: record.last_modified_time, created_by: this.person(record.created_by), last_modified_by: this.person(record.last_modified_by) }
				: {}),
		};
	}

	private readValue(appToken: string, tableId: string, field: FieldRecord, record: StoredRecord, segments: boolean, form: 'get' | 'search', baseUrl: string): unknown {
		const v = record.fields[field.field_name];
		switch (field.type) {
			case FIELD_TYPE.CreatedTime:
				return record.created_time;
			case FIELD_TYPE.ModifiedTime:
				return record.last_modified_time;
			case FIELD_TYPE.CreatedUser:
				return [this.person(record.created_by)];
			case FIELD_TYPE.ModifiedUser:
				return [this.person(record.last_modified_by)];
			case FIELD_TYPE.AutoNumber:
				return String(record.auto_number);
			case FIELD_TYPE.Formula: {
				const n = this.formula(appToken, tableId, field, record);
				return n === undefined ? null : { type: FIELD_TYPE.Number, value: [n] };
			}
			case FIELD_TYPE.Lookup:
				return null;
		}
		if (v === undefined) return undefined;
		switch (field.type) {
			case FIELD_TYPE.Text:
				return segments ? [{ text: v, type: 'text' }] : v;
			case FIELD_TYPE.User:
			case FIELD_TYPE.GroupChat:
				return (v as string[]).map((id) => (field.type === FIELD_TYPE.User ? this.person(id) : { id, name: this.state.chats.get(id)?.name ?? id }));
			case FIELD_TYPE.Attachment:
				return (v as string[]).map((token) => {
					const m = this.media().get(token) ?? {};
					return { file_token: token, name: m.name, size: m.size, type: m.type, url: `${baseUrl}/open-apis/drive/v1/medias/${token}/download`, tmp_url: `${baseUrl}/open-apis/drive/v1/medias/batch_get_tmp_download_url?file_tokens=${token}` };
				});
			case FIELD_TYPE.SingleLink:
			case FIELD_TYPE.DuplexLink:
				return form === 'search' ? [{ record_ids: v, table_id: field.property?.table_id, text: '', text_arr: [], type: 'text' }] : { link_record_ids: v };
			case FIELD_TYPE.Location:
				return { location: v, full_address: v };
			default:
				return structuredClone(v);
		}
	}

	/**
	 * A formula Feishu would compute, for the arithmetic of number fields the sandbox evaluates:
	 * `bitable::$table[tbl…].$field[fld…]`, numbers, + - * / and parentheses. Anything else: no value.
	 */
	private formula(appToken: string, tableId: string, field: FieldRecord, record: StoredRecord): number | undefined {
		const expr = String(field.property?.formula_expression ?? '');
		const fields = this.fields(appToken, tableId);
		let failed = false;
		const substituted = expr.replace(/bitable::\$table\[[A-Za-z0-9]+\]\.\$field\[([A-Za-z0-9]+)\]/g, (_, id: string) => {
			const f = fields.get(id);
			const value = f ? record.fields[f.field_name] : undefined;
			if (typeof value !== 'number') failed = true;
			return `(${String(value ?? 0)})`;
		});
		if (failed || !/^[\d\s.+\-*/()]+$/.test(substituted)) return undefined;
		const n = evaluateArithmetic(substituted);
		return Number.isFinite(n) ? n : undefined;
	}
}

/** + - * / over numbers and parentheses (already checked to contain nothing else). */
function evaluateArithmetic(src: string): number {
	const tokens = src.match(/\d+(?:\.\d+)?|[+\-*/()]/g) ?? [];
	let at = 0;
	const primary = (): number => {
		const t = tokens[at++];
		if (t === '(') {
			const v = sum();
			at++;
			return v;
		}
		if (t === '-') return -primary();
		return Number(t);
	};
	const product = (): number => {
		let v = primary();
		while (tokens[at] === '*' || tokens[at] === '/') v = tokens[at++] === '*' ? v * primary() : v / primary();
		return v;
	};
	const sum = (): number => {
		let v = product();
		while (tokens[at] === '+' || tokens[at] === '-') v = tokens[at++] === '+' ? v + product() : v - product();
		return v;
	};
	return sum();
}

export { dayOf, TZ_OFFSET_MS };
