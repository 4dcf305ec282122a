// Bitable (Base) v1 (docs/protocol.md, "Bitable"): records (create, get by batch_get, update, delete,
// search, and the batch writes), tables (list, create, delete), fields (list, create), views (list),
// and uploading a file into a base for an attachment field (drive/v1/medias/upload_all). Values are
// sent as given here; bitableValues.ts converts them, bitableBatch.ts splits big batches.
import { randomUUID } from 'node:crypto';
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import type { MultipartFile } from './multipart';
import { collectConvertedPages } from './overlap';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, seg } from './paths';
import type { BitableFieldInfo } from './bitableValues';

export const BITABLE_APPS = '/open-apis/bitable/v1/apps';
export const BITABLE_MEDIA_UPLOAD = '/open-apis/drive/v1/medias/upload_all';

/** Feishu's per-request limits: records per batch write / read, and the largest pages. */
export const BITABLE_LIMITS = {
	batchCreate: 1000,
	batchUpdate: 1000,
	batchDelete: 500,
	batchGet: 100,
	searchPage: 500,
	tablePage: 100,
	fieldPage: 100,
	viewPage: 100,
	/** upload_all takes files up to 20 MB (larger ones need the chunked upload). */
	mediaBytes: 20 * 1024 * 1024,
} as const;

export interface BitableRecord {
	record_id: string;
	fields: Record<string, unknown>;
	[key: string]: unknown;
}

export interface BitableTable {
	table_id: string;
	name?: string;
	revision?: number;
	[key: string]: unknown;
}

export interface BitableView {
	view_id: string;
	view_name?: string;
	view_type?: string;
	[key: string]: unknown;
}

export type BitableField = BitableFieldInfo & { field_id: string };

export const BITABLE_USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export type BitableUserIdType = (typeof BITABLE_USER_ID_TYPES)[number];

/** Where a request goes: the base and (for records, fields, views) the table. */
export interface TableRef {
	appToken: string;
	tableId: string;
}

const tablePath = (r: TableRef) => `${BITABLE_APPS}/${seg(pathId('app_token', r.appToken))}/tables/${seg(pathId('table_id', r.tableId))}`;

function userIdType(t: string | undefined): BitableUserIdType | undefined {
	if (t === undefined || t === '') return undefined;
	if (!(BITABLE_USER_ID_TYPES as readonly string[]).includes(t)) throw new FeishuValidationError('user_id_type', `"${t}" is not one of ${BITABLE_USER_ID_TYPES.join(', ')}`);
	return t as BitableUserIdType;
}

/** `at`: the field's name for the error, or a record's position in a batch (named only when it fails). */
function fieldsObject(fields: unknown, at: string | number = 'fields'): Record<string, unknown> {
	if (!fields || typeof fields !== 'object' || Array.isArray(fields)) throw new FeishuValidationError(typeof at === 'number' ? `records[${at}].fields` : at, 'should be an object of field name → value');
	return fields as Record<string, unknown>;
}

// ---- records ----

/** A new record; `clientToken` (a UUID) makes a retried request create it only once. */
export async function createBitableRecord(client: FeishuApiClient, p: TableRef & { fields: Record<string, unknown>; userIdType?: string; clientToken?: string }): Promise<BitableRecord> {
	const clientToken = p.clientToken || randomUUID();
	const data = await client.request<{ record: BitableRecord }>({
		method: 'POST',
		path: `${tablePath(p)}/records`,
		query: { user_id_type: userIdType(p.userIdType), client_token: clientToken },
		body: { fields: fieldsObject(p.fields) },
		// Feishu creates one record per client_token, so a repeat cannot add a second one.
		repeatable: true,
	});
	return data.record;
}

/** Records by id (at most 100): Feishu lists the ones it lacks and the ones the app may not read. */
export async function batchGetBitableRecords(
	client: FeishuApiClient,
	p: TableRef & { recordIds: string[]; userIdType?: string; automaticFields?: boolean; withSharedUrl?: boolean },
): Promise<{ records: BitableRecord[]; absent_record_ids: string[]; forbidden_record_ids: string[] }> {
	const ids = p.recordIds.map((id) => pathId('record_id', id));
	if (ids.length === 0 || ids.length > BITABLE_LIMITS.batchGet) throw new FeishuValidationError('record_ids', `takes 1 to ${BITABLE_LIMITS.batchGet} record IDs, not ${ids.length}`);
	const data = await client.request<{ records?: BitableRecord[]; absent_record_ids?: string[]; forbidden_record_ids?: string[] }>({
		method: 'POST',
		path: `${tablePath(p)}/records/batch_get`,
		body: { record_ids: ids, user_id_type: userIdType(p.userIdType), automatic_fields: p.automaticFields, with_shared_url: p.withSharedUrl },
		repeatable: true,
	});
	return { records: data.records ?? [], absent_record_ids: data.absent_record_ids ?? [], forbidden_record_ids: data.forbidden_record_ids ?? [] };
}

/** One record by id (through batch_get, which Feishu recommends over the older single get). */
export async function getBitableRecord(client: FeishuApiClient, p: TableRef & { recordId: string; userIdType?: string; automaticFields?: boolean }): Promise<BitableRecord> {
	const id = pathId('record_id', p.recordId);
	const got = await batchGetBitableRecords(client, { ...p, recordIds: [id] });
	const record = got.records.find((r) => r.record_id === id);
	if (record) return record;
	if (got.forbidden_record_ids.includes(id)) throw new FeishuValidationError('Record ID', `the app may not read record ${id} (the Base's advanced permissions hide it)`);
	throw new FeishuValidationError('Record ID', `table ${p.tableId} has no record ${id}`);
}

/** Changes the fields given (a null clears one); the others keep their values. */
export async function updateBitableRecord(client: FeishuApiClient, p: TableRef & { recordId: string; fields: Record<string, unknown>; userIdType?: string }): Promise<BitableRecord> {
	const data = await client.request<{ record: BitableRecord }>({
		method: 'PUT',
		path: `${tablePath(p)}/records/${seg(pathId('record_id', p.recordId))}`,
		query: { user_id_type: userIdType(p.userIdType) },
		body: { fields: fieldsObject(p.fields) },
	});
	return data.record;
}

export async function deleteBitableRecord(client: FeishuApiClient, p: TableRef & { recordId: string }): Promise<{ deleted: boolean; record_id: string }> {
	return client.request({ method: 'DELETE', path: `${tablePath(p)}/records/${seg(pathId('record_id', p.recordId))}` });
}

export const SEARCH_OPERATORS = ['is', 'isNot', 'contains', 'doesNotContain', 'isEmpty', 'isNotEmpty', 'isGreater', 'isGreaterEqual', 'isLess', 'isLessEqual', 'like', 'in'] as const;
export type SearchOperator = (typeof SEARCH_OPERATORS)[number];

export interface SearchCondition {
	field_name: string;
	operator: SearchOperator;
	value?: string[];
}

export interface SearchFilter {
	conjunction: 'and' | 'or';
	conditions?: SearchCondition[];
	children?: { conjunction: 'and' | 'or'; conditions?: SearchCondition[] }[];
}

export interface SearchBody {
	view_id?: string;
	field_names?: string[];
	sort?: { field_name: string; desc?: boolean }[];
	filter?: SearchFilter;
	automatic_fields?: boolean;
}

/** A filter as Feishu's search takes it, checked: conjunction, known operators, values as strings. */
export function checkSearchFilter(filter: unknown, at = 'filter'): SearchFilter {
	if (!filter || typeof filter !== 'object' || Array.isArray(filter)) throw new FeishuValidationError(at, 'should be an object: {"conjunction": "and", "conditions": [{"field_name": …, "operator": …, "value": […]}]}');
	const f = filter as Record<string, unknown>;
	const conjunction = f.conjunction ?? 'and';
	if (conjunction !== 'and' && conjunction !== 'or') throw new FeishuValidationError(`${at}.conjunction`, 'is "and" or "or"');
	const conditions = (f.conditions ?? []) as unknown[];
	if (!Array.isArray(conditions)) throw new FeishuValidationError(`${at}.conditions`, 'should be a list');
	const checked = conditions.map((c, i) => {
		const cond = (c ?? {}) as Record<string, unknown>;
		if (typeof cond.field_name !== 'string' || !cond.field_name) throw new FeishuValidationError(`${at}.conditions[${i}].field_name`, 'is required');
		if (!(SEARCH_OPERATORS as readonly string[]).includes(String(cond.operator))) throw new FeishuValidationError(`${at}.conditions[${i}].operator`, `is one of ${SEARCH_OPERATORS.join(', ')}`);
		const value = cond.value === undefined || cond.value === null ? undefined : (Array.isArray(cond.value) ? cond.value : [cond.value]).map(String);
		return { field_name: cond.field_name, operator: cond.operator as SearchOperator, ...(value ? { value } : {}) };
	});
	const out: SearchFilter = { conjunction, conditions: checked };
	if (f.children !== undefined) {
		if (!Array.isArray(f.children)) throw new FeishuValidationError(`${at}.children`, 'should be a list of filters');
		out.children = f.children.map((child, i) => {
			const c = checkSearchFilter(child, `${at}.children[${i}]`);
			if (c.children) throw new FeishuValidationError(`${at}.children[${i}]`, 'children nest one level deep');
			return { conjunction: c.conjunction, conditions: c.conditions };
		});
	}
	return out;
}

export async function searchBitableRecordsPage(
	client: FeishuApiClient,
	p: TableRef & { body?: SearchBody; pageToken?: string; pageSize?: number; userIdType?: string },
): Promise<FeishuPage<BitableRecord> & { total?: number }> {
	return client.request({
		method: 'POST',
		path: `${tablePath(p)}/records/search`,
		query: { page_token: p.pageToken, page_size: p.pageSize ?? BITABLE_LIMITS.searchPage, user_id_type: userIdType(p.userIdType) },
		body: p.body ?? {},
		// A search changes nothing: safe to repeat.
		repeatable: true,
	});
}

type SearchParams = TableRef & { body?: SearchBody; limit?: number; userIdType?: string };

/**
 * Every record the search finds, or the first `limit`; with `convert`, each one converted, a page's
 * records while the next page is fetched.
 */
export async function searchBitableRecords(client: FeishuApiClient, p: SearchParams): Promise<BitableRecord[]>;
export async function searchBitableRecords<T>(client: FeishuApiClient, p: SearchParams, convert: (record: BitableRecord) => T): Promise<T[]>;
export async function searchBitableRecords<T>(client: FeishuApiClient, p: SearchParams, convert?: (record: BitableRecord) => T): Promise<(T | BitableRecord)[]> {
	const pageSize = pageSizeFor(p.limit, BITABLE_LIMITS.searchPage);
	const page = (pageToken: string | undefined) => searchBitableRecordsPage(client, { ...p, pageToken, pageSize });
	return convert ? collectConvertedPages(page, convert, p.limit) : collectPages(page, p.limit);
}

/** One batch_create request (at most 1000 records; all or none are created). */
export async function batchCreateBitableRecords(client: FeishuApiClient, p: TableRef & { records: Record<string, unknown>[]; userIdType?: string; clientToken?: string }): Promise<BitableRecord[]> {
	if (p.records.length === 0 || p.records.length > BITABLE_LIMITS.batchCreate) throw new FeishuValidationError('records', `takes 1 to ${BITABLE_LIMITS.batchCreate} records per request, not ${p.records.length}`);
	const data = await client.request<{ records?: BitableRecord[] }>({
		method: 'POST',
		path: `${tablePath(p)}/records/batch_create`,
		query: { user_id_type: userIdType(p.userIdType), client_token: p.clientToken || randomUUID() },
		body: { records: p.records.map((fields, i) => ({ fields: fieldsObject(fields, i) })) },
		repeatable: true,
	});
	return data.records ?? [];
}

/** One batch_update request (at most 1000 records). */
export async function batchUpdateBitableRecords(client: FeishuApiClient, p: TableRef & { records: { record_id: string; fields: Record<string, unknown> }[]; userIdType?: string }): Promise<BitableRecord[]> {
	if (p.records.length === 0 || p.records.length > BITABLE_LIMITS.batchUpdate) throw new FeishuValidationError('records', `takes 1 to ${BITABLE_LIMITS.batchUpdate} records per request, not ${p.records.length}`);
	const data = await client.request<{ records?: BitableRecord[] }>({
		method: 'POST',
		path: `${tablePath(p)}/records/batch_update`,
		query: { user_id_type: userIdType(p.userIdType) },
		body: { records: p.records.map((r, i) => ({ record_id: pathId(`records[${i}].record_id`, r.record_id), fields: fieldsObject(r.fields, i) })) },
		// Setting the same values twice leaves the same record.
		repeatable: true,
	});
	return data.records ?? [];
}

/** One batch_delete request (at most 500 record ids). */
export async function batchDeleteBitableRecords(client: FeishuApiClient, p: TableRef & { recordIds: string[] }): Promise<{ deleted: boolean; record_id: string }[]> {
	if (p.recordIds.length === 0 || p.recordIds.length > BITABLE_LIMITS.batchDelete) throw new FeishuValidationError('records', `takes 1 to ${BITABLE_LIMITS.batchDelete} record IDs per request, not ${p.recordIds.length}`);
	const data = await client.request<{ records?: { deleted: boolean; record_id: string }[] }>({
		method: 'POST',
		path: `${tablePath(p)}/records/batch_delete`,
		body: { records: p.recordIds.map((id, i) => pathId(`records[${i}]`, id)) },
	});
	return data.records ?? [];
}

// ---- tables, fields, views ----

export async function listBitableTablesPage(client: FeishuApiClient, p: { appToken: string; pageToken?: string; pageSize?: number }): Promise<FeishuPage<BitableTable>> {
	return client.request({ method: 'GET', path: `${BITABLE_APPS}/${seg(pathId('app_token', p.appToken))}/tables`, query: { page_token: p.pageToken, page_size: p.pageSize ?? BITABLE_LIMITS.tablePage } });
}

export async function listBitableTables(client: FeishuApiClient, p: { appToken: string; limit?: number }): Promise<BitableTable[]> {
	const pageSize = pageSizeFor(p.limit, BITABLE_LIMITS.tablePage);
	return collectPages((pageToken) => listBitableTablesPage(client, { appToken: p.appToken, pageToken, pageSize }), p.limit);
}

/** A new table; without `fields` Feishu gives it a primary text field. */
export async function createBitableTable(
	client: FeishuApiClient,
	p: { appToken: string; name: string; defaultViewName?: string; fields?: { field_name: string; type: number; property?: unknown }[] },
): Promise<{ table_id: string; default_view_id?: string; field_id_list?: string[] }> {
	const name = p.name.trim();
	if (!name) throw new FeishuValidationError('Name', 'is required');
	if (/[/\\?*[\]:]/.test(name) || [...name].length > 100) throw new FeishuValidationError('Name', 'should be at most 100 characters, without / \\ ? * [ ] :');
	return client.request({
		method: 'POST',
		path: `${BITABLE_APPS}/${seg(pathId('app_token', p.appToken))}/tables`,
		body: { table: { name, ...(p.defaultViewName ? { default_view_name: p.defaultViewName } : {}), ...(p.fields?.length ? { fields: p.fields } : {}) } },
	});
}

export async function deleteBitableTable(client: FeishuApiClient, p: TableRef): Promise<void> {
	await client.request({ method: 'DELETE', path: tablePath(p) });
}

export async function listBitableFieldsPage(client: FeishuApiClient, p: TableRef & { viewId?: string; pageToken?: string; pageSize?: number }): Promise<FeishuPage<BitableField>> {
	return client.request({ method: 'GET', path: `${tablePath(p)}/fields`, query: { view_id: p.viewId, page_token: p.pageToken, page_size: p.pageSize ?? BITABLE_LIMITS.fieldPage } });
}

export async function listBitableFields(client: FeishuApiClient, p: TableRef & { viewId?: string; limit?: number }): Promise<BitableField[]> {
	const pageSize = pageSizeFor(p.limit, BITABLE_LIMITS.fieldPage);
	return collectPages((pageToken) => listBitableFieldsPage(client, { ...p, pageToken, pageSize }), p.limit);
}

export async function createBitableField(client: FeishuApiClient, p: TableRef & { fieldName: string; type: number; property?: Record<string, unknown>; description?: string }): Promise<BitableField> {
	const fieldName = p.fieldName.trim();
	if (!fieldName) throw new FeishuValidationError('Field Name', 'is required');
	const data = await client.request<{ field: BitableField }>({
		method: 'POST',
		path: `${tablePath(p)}/fields`,
		query: { client_token: randomUUID() },
		body: { field_name: fieldName, type: p.type, ...(p.property ? { property: p.property } : {}), ...(p.description ? { description: { text: p.description } } : {}) },
		repeatable: true,
	});
	return data.field;
}

export async function listBitableViewsPage(client: FeishuApiClient, p: TableRef & { pageToken?: string; pageSize?: number }): Promise<FeishuPage<BitableView>> {
	return client.request({ method: 'GET', path: `${tablePath(p)}/views`, query: { page_token: p.pageToken, page_size: p.pageSize ?? BITABLE_LIMITS.viewPage } });
}

export async function listBitableViews(client: FeishuApiClient, p: TableRef & { limit?: number }): Promise<BitableView[]> {
	const pageSize = pageSizeFor(p.limit, BITABLE_LIMITS.viewPage);
	return collectPages((pageToken) => listBitableViewsPage(client, { ...p, pageToken, pageSize }), p.limit);
}

// ---- attachments ----

/**
 * Uploads a file into the base (images as `bitable_image`, other files as `bitable_file`); the
 * returned `file_token` goes into an attachment field as `[{file_token}]`.
 */
export async function uploadBitableMedia(client: FeishuApiClient, p: { appToken: string; file: MultipartFile; image?: boolean }): Promise<{ file_token: string }> {
	const appToken = pathId('app_token', p.appToken);
	const size = p.file.data.length;
	if (size === 0) throw new FeishuValidationError('file', 'is empty');
	if (size > BITABLE_LIMITS.mediaBytes) throw new FeishuValidationError('file', `is ${size} bytes; Feishu's upload takes at most 20 MB`);
	const fileName = p.file.fileName || 'file';
	if ([...fileName].length > 250) throw new FeishuValidationError('file', 'its name is longer than 250 characters');
	return client.request({
		method: 'POST',
		path: BITABLE_MEDIA_UPLOAD,
		form: { file_name: fileName, parent_type: p.image ? 'bitable_image' : 'bitable_file', parent_node: appToken, size, file: p.file },
		// A repeat only leaves an unused file behind.
		repeatable: true,
	});
}
