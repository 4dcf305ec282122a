// What the Bitable operations share: the Base and table of an item (a link or an ID), the table's
// fields (read once per execution and table: the conversions and the resource mapper need them),
// the resource mapper's values as Feishu fields, and records as output items.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	bitableAppToken,
	bitableTableId,
	fromBitableFields,
	listBitableFields,
	toBitableFields,
	type BitableField,
	type BitableRecord,
	type FeishuApiClient,
	type TableRef,
} from '../../../../lib/feishu';
import { apiClient, locatorValue, options, param } from '../shared';
import type { ItemContext } from '../types';

/** The item's Base (app token), from a link or the token. */
export function appTokenOf(context: ItemContext): string {
	return bitableAppToken(locatorValue(context, 'appToken'));
}

/** The item's Base and table. */
export function tableOf(context: ItemContext): TableRef {
	return { appToken: appTokenOf(context), tableId: bitableTableId(locatorValue(context, 'tableId')) };
}

/**
 * tableOf for many items: each distinct Base or table value is parsed once (a batch's items mostly
 * name the same table), and each table is one TableRef object. The values are still read per item,
 * in the same order.
 */
export function tableParser(): (context: ItemContext) => TableRef {
	const apps = new Map<string, string>();
	const tables = new Map<string, string>();
	const refs = new Map<string, TableRef>();
	const once = (cache: Map<string, string>, raw: string, parse: (raw: string) => string) => {
		let value = cache.get(raw);
		if (value === undefined) cache.set(raw, (value = parse(raw)));
		return value;
	};
	let last: TableRef | undefined;
	return (context) => {
		const appToken = once(apps, locatorValue(context, 'appToken'), bitableAppToken);
		const tableId = once(tables, locatorValue(context, 'tableId'), bitableTableId);
		if (last?.appToken === appToken && last.tableId === tableId) return last;
		const key = `${appToken}/${tableId}`;
		let ref = refs.get(key);
		if (!ref) refs.set(key, (ref = { appToken, tableId }));
		return (last = ref);
	};
}

// One field list per execution and table: a batch of 2,500 items reads it once.
const fieldCache = new WeakMap<IExecuteFunctions, Map<string, Promise<BitableField[]>>>();

export function tableFields(ctx: IExecuteFunctions, client: FeishuApiClient, ref: TableRef): Promise<BitableField[]> {
	let cache = fieldCache.get(ctx);
	if (!cache) fieldCache.set(ctx, (cache = new Map()));
	const key = `${ref.appToken}/${ref.tableId}`;
	let fields = cache.get(key);
	if (!fields) {
		fields = listBitableFields(client, ref);
		cache.set(key, fields);
		// A failed read is not kept: the next item asks again.
		fields.catch(() => cache.delete(key));
	}
	return fields;
}

export function fieldsOf(context: ItemContext, ref: TableRef): Promise<BitableField[]> {
	return tableFields(context.ctx, apiClient(context), ref);
}

interface MapperValue {
	mappingMode?: string;
	value?: Record<string, unknown> | null;
	matchingColumns?: string[];
}

export function mapperOf(context: ItemContext): MapperValue {
	return param<MapperValue>(context, 'columns', {}) ?? {};
}

/**
 * The item's values as Feishu fields: from the mapper's "define below" values, or the item's JSON
 * with "map automatically" (then keys that are no writable field are left out). Empty values are not
 * sent unless `clearEmpty` (then they clear the field).
 */
export function recordFields(context: ItemContext, fields: readonly BitableField[], o: { clearEmpty?: boolean } = {}): Record<string, unknown> {
	const mapper = mapperOf(context);
	const auto = mapper.mappingMode === 'autoMapInputData';
	const raw = (auto ? context.item.json : (mapper.value ?? {})) as Record<string, unknown>;
	return toBitableFields(fields, raw, { skipUnknown: auto, empty: o.clearEmpty ? 'clear' : 'omit' });
}

export function userIdTypeOf(context: ItemContext): string | undefined {
	return (options(context).userIdType as string | undefined) || undefined;
}

/** A record as an output item: `{record_id, fields}` with plain values, or Feishu's record as it came. */
export function recordItem(record: BitableRecord, fields: readonly BitableField[], simplify: boolean): INodeExecutionData {
	if (!simplify) return { json: record as unknown as IDataObject };
	// {record_id, ...the rest but id, fields}, copied key by key (a rest pattern is slow over thousands of records).
	const json: IDataObject = { record_id: record.record_id };
	for (const key in record) {
		if (key === 'fields' || key === 'id' || key === 'record_id' || !Object.prototype.hasOwnProperty.call(record, key)) continue;
		// An own "__proto__" from Feishu's JSON stays a plain key, as the spread kept it.
		if (key === '__proto__') Object.defineProperty(json, key, { value: record[key], enumerable: true, writable: true, configurable: true });
		else json[key] = record[key] as IDataObject[string];
	}
	json.fields = fromBitableFields(fields, record.fields) as IDataObject;
	return { json };
}

export function simplifyOf(context: ItemContext): boolean {
	return param<boolean>(context, 'simplify', true);
}
