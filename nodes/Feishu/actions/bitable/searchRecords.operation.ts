// Bitable > Search Records: Feishu's record search with its filter (built from conditions, or given as
// Feishu's JSON), sort and options, walked page by page (pages of 500) for Return All / Limit.
import type { IDataObject } from 'n8n-workflow';
import {
	checkSearchFilter,
	FeishuValidationError,
	listOf,
	searchBitableRecords,
	toTimestamp,
	type BitableField,
	type SearchBody,
	type SearchCondition,
	type SearchOperator,
} from '../../../../lib/feishu';
import type { ItemContext, ItemOperation } from '../types';
import { apiClient, idsFrom, options, param } from '../shared';
import { fieldsOf, recordItem, simplifyOf, tableOf, userIdTypeOf } from './shared';

/** The date keywords Feishu's filter takes instead of an exact date. */
export const DATE_KEYWORDS = ['Today', 'Tomorrow', 'Yesterday', 'CurrentWeek', 'LastWeek', 'CurrentMonth', 'LastMonth', 'TheLastWeek', 'TheNextWeek', 'TheLastMonth', 'TheNextMonth'];
const DATE_TYPES = new Set([5, 1001, 1002]);
const LIST_TYPES = new Set([4, 11, 18, 21, 23, 1003, 1004]);

/** A builder condition as Feishu's: the value as the field's type wants it (dates as ExactDate + ms). */
export function conditionFor(fields: readonly BitableField[], c: { fieldName?: string; operator?: string; value?: unknown }, at: string): SearchCondition {
	const name = String(c.fieldName ?? '').trim();
	const field = fields.find((f) => f.field_name === name);
	if (!field) throw new FeishuValidationError(at, `the table has no field "${name}" (field names are case-sensitive)`);
	const operator = String(c.operator ?? 'is') as SearchOperator;
	if (operator === 'isEmpty' || operator === 'isNotEmpty') return { field_name: name, operator, value: [] };
	const raw = c.value;
	if (raw === undefined || raw === null || raw === '') throw new FeishuValidationError(at, `"${name}" ${operator} needs a value`);
	let value: string[];
	if (DATE_TYPES.has(field.type)) {
		const keyword = DATE_KEYWORDS.find((k) => k.toLowerCase() === String(raw).trim().toLowerCase());
		value = keyword ? [keyword] : ['ExactDate', String(toTimestamp(`${at} (${name})`, raw))];
	} else if (LIST_TYPES.has(field.type)) {
		value = listOf(raw).map(String);
	} else if (field.type === 7) {
		value = [String(raw === true || String(raw).toLowerCase() === 'true')];
	} else {
		value = [String(raw)];
	}
	return { field_name: name, operator, value };
}

function jsonObject(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	let parsed: unknown;
	let problem: string | undefined;
	try {
		parsed = JSON.parse(value);
	} catch (error) {
		problem = (error as Error).message;
	}
	if (problem !== undefined) throw new FeishuValidationError('Filter (JSON)', `is not valid JSON (${problem})`);
	return parsed;
}

export async function searchBody(context: ItemContext, fields: readonly BitableField[]): Promise<SearchBody> {
	const body: SearchBody = {};
	const filterType = param<string>(context, 'filterType', 'none');
	if (filterType === 'conditions') {
		const list = param<{ condition?: IDataObject[] }>(context, 'conditions', {}).condition ?? [];
		const conjunction = param<'and' | 'or'>(context, 'conjunction', 'and');
		if (list.length) body.filter = { conjunction, conditions: list.map((c, k) => conditionFor(fields, c, `Conditions ${k + 1}`)) };
	} else if (filterType === 'json') {
		body.filter = checkSearchFilter(jsonObject(param(context, 'filterJson', '{}')), 'Filter (JSON)');
	}
	const sort = param<{ field?: IDataObject[] }>(context, 'sort', {}).field ?? [];
	if (sort.length) {
		body.sort = sort.map((s, k) => {
			const name = String(s.fieldName ?? '').trim();
			if (!fields.some((f) => f.field_name === name)) throw new FeishuValidationError(`Sort ${k + 1}`, `the table has no field "${name}"`);
			return { field_name: name, desc: s.direction === 'desc' };
		});
	}
	const o = options(context);
	if (o.viewId) body.view_id = String(o.viewId).trim();
	const names = idsFrom(o.fieldNames ?? '');
	if (names.length) body.field_names = names;
	if (o.automaticFields === true) body.automatic_fields = true;
	return body;
}

export const searchRecords: ItemOperation = {
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search',
	scopes: ['base:record:retrieve', 'bitable:app', 'bitable:app:readonly'],
	async execute(context) {
		const ref = tableOf(context);
		const fields = await fieldsOf(context, ref);
		const limit = param<boolean>(context, 'returnAll', false) ? undefined : param<number>(context, 'limit', 50);
		const body = await searchBody(context, fields);
		const simplify = simplifyOf(context);
		// Each page's records become output items while the next page is fetched.
		return searchBitableRecords(apiClient(context), { ...ref, body, limit, userIdType: userIdTypeOf(context) }, (r) => recordItem(r, fields, simplify));
	},
};
