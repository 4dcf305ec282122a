// The Bitable resource's editor methods: the Bases behind the Base picker's "From List" (those in the
// caller's Drive space), the Base's tables behind the Table picker's "From List", and
// the table's fields for n8n's resource mapper (the Fields parameter of the record writes): one mapper
// field per Feishu field, typed for the editor (numbers, dates, checkboxes, single select options),
// computed fields shown read-only, and the types a record can be found by offered as the upsert key.
import type { FieldType, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import { BITABLE_READ_ONLY_TYPES, bitableAppToken, bitableTableId, fieldTypeName, listBitableFields, listBitableTablesPage, type BitableField } from '../../../lib/feishu';
import { KEY_FIELD_TYPES } from '../actions/bitable/upsertRecord.operation';
import { getFeishuClient, toNodeError } from '../GenericFunctions';
import { searchDriveDocuments } from './driveDocuments';

/** A parameter of the node being edited, as a plain value (a resource locator's value, extracted). */
function current(ctx: ILoadOptionsFunctions, name: string): string {
	let raw: unknown;
	try {
		raw = ctx.getCurrentNodeParameter?.(name, { extractValue: true });
	} catch {
		raw = undefined;
	}
	if (raw === undefined) raw = ctx.getNodeParameter(name, '') as unknown;
	const value = raw && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
	return typeof value === 'string' ? value : '';
}

/** "From List" for the Base: the Bases in the caller's Drive space whose name contains the typed text. */
export async function searchBitableBases(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return searchDriveDocuments(this, 'bitable', filter, paginationToken);
}

/** "From List" for the Table: the Base's tables whose name or ID contains the typed text. */
export async function searchBitableTables(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const base = current(this, 'appToken');
	if (!base.trim()) return { results: [] };
	try {
		const appToken = bitableAppToken(base);
		const client = await getFeishuClient(this);
		const page = await listBitableTablesPage(client, { appToken, pageToken: paginationToken });
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = (page.items ?? [])
			.filter((t) => !wanted || String(t.name ?? '').toLowerCase().includes(wanted) || t.table_id.toLowerCase().includes(wanted))
			.map((t) => ({ name: t.name || t.table_id, value: t.table_id }));
		return { results, paginationToken: page.has_more ? page.page_token : undefined };
	} catch (error) {
		throw toNodeError(this, error, 0);
	}
}

const MAPPER_TYPES: Record<number, FieldType> = { 1: 'string', 2: 'number', 3: 'options', 4: 'array', 5: 'dateTime', 7: 'boolean', 13: 'string', 15: 'url' };

const HOW: Record<number, string> = {
	4: 'options, "a, b" or a list',
	11: 'open_ids, "ou_a, ou_b"',
	17: 'file tokens from Upload Attachment',
	18: 'record IDs, "rec1, rec2"',
	21: 'record IDs, "rec1, rec2"',
	23: 'chat IDs, "oc_…"',
};

/** One Feishu field as the mapper shows it. */
export function mapperField(f: BitableField): ResourceMapperField {
	const readOnly = BITABLE_READ_ONLY_TYPES.has(f.type);
	const type = MAPPER_TYPES[f.type] ?? 'string';
	const options = f.type === 3 ? (f.property?.options ?? []).map((o) => ({ name: String(o.name), value: String(o.name) })) : undefined;
	const how = HOW[f.type];
	return {
		id: f.field_name,
		displayName: `${f.field_name} (${fieldTypeName(f.type)}${readOnly ? ', read-only' : how ? `: ${how}` : ''})`,
		required: false,
		defaultMatch: false,
		canBeUsedToMatch: KEY_FIELD_TYPES.has(f.type),
		display: true,
		type,
		readOnly,
		removed: readOnly,
		...(options ? { options } : {}),
	};
}

/** The chosen table's fields for the resource mapper. */
export async function getBitableFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const base = current(this, 'appToken');
	const table = current(this, 'tableId');
	if (!base.trim() || !table.trim()) return { fields: [], emptyFieldsNotice: 'Choose the Base and the table first' };
	try {
		const client = await getFeishuClient(this);
		const fields = await listBitableFields(client, { appToken: bitableAppToken(base), tableId: bitableTableId(table) });
		return { fields: fields.map(mapperField) };
	} catch (error) {
		throw toNodeError(this, error, 0);
	}
}
