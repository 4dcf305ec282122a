// Bitable > Create or Update Record: finds the record whose key field (the mapper's "Key Field") has
// the item's value with one search; updates it, or creates a record when there is none. Two records
// with that value are an error: the key is meant to be unique.
import { createBitableRecord, FeishuValidationError, searchBitableRecordsPage, updateBitableRecord } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options } from '../shared';
import { conditionFor } from './searchRecords.operation';
import { fieldsOf, mapperOf, recordFields, recordItem, simplifyOf, tableOf, userIdTypeOf } from './shared';

/** Field types a record can be found by: text, number, single select, phone, date. */
export const KEY_FIELD_TYPES: ReadonlySet<number> = new Set([1, 2, 3, 5, 13]);

export const upsertRecord: ItemOperation = {
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search, then POST …/records or PUT …/records/:record_id',
	scopes: ['bitable:app'],
	async execute(context) {
		const ref = tableOf(context);
		const fields = await fieldsOf(context, ref);
		const key = (mapperOf(context).matchingColumns ?? [])[0];
		if (!key) throw new FeishuValidationError('Key Field', 'pick the field that identifies the record (Fields > Key Field)');
		const field = fields.find((f) => f.field_name === key);
		if (!field) throw new FeishuValidationError('Key Field', `the table has no field "${key}"`);
		if (!KEY_FIELD_TYPES.has(field.type)) throw new FeishuValidationError('Key Field', `"${key}" cannot identify a record: use a text, number, single select, phone or date field`);
		const values = recordFields(context, fields, { clearEmpty: options(context).clearEmpty === true });
		const keyValue = values[key];
		if (keyValue === undefined || keyValue === null) throw new FeishuValidationError(key, 'the key field needs a value to find the record by');
		const client = apiClient(context);
		const userIdType = userIdTypeOf(context);
		const raw = field.type === 5 ? new Date(Number(keyValue)).toISOString() : keyValue;
		const found = await searchBitableRecordsPage(client, { ...ref, pageSize: 2, body: { filter: { conjunction: 'and', conditions: [conditionFor(fields, { fieldName: key, operator: 'is', value: raw }, 'Key Field')] } } });
		const matches = found.items ?? [];
		if (matches.length > 1) throw new FeishuValidationError(key, `${found.total ?? 'several'} records have "${String(raw)}": the key field should be unique`);
		const record = matches.length
			? await updateBitableRecord(client, { ...ref, recordId: matches[0].record_id, fields: values, userIdType })
			: await createBitableRecord(client, { ...ref, fields: values, userIdType });
		const item = recordItem(record, fields, simplifyOf(context));
		return { json: { ...item.json, operation: matches.length ? 'updated' : 'created' } };
	},
};
