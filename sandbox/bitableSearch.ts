// Bitable's record search (POST …/records/search, docs/protocol.md "Bitable search"): the filter's
// conditions (field_name, operator, value as a list of strings), `and` / `or` and one level of
// `children`, sort by several fields, `field_names`, `view_id`. Operators per field type as Feishu's
// filter guide lists them; a condition a field type cannot take is refused as an invalid filter.
import { bitableError, dayOf, FIELD_TYPE, TZ_OFFSET_MS, type BitableModel, type FieldRecord, type StoredRecord } from './bitableModel';
import type { ResourceRecord } from './resourceStore';

export const SEARCH_OPERATORS = ['is', 'isNot', 'contains', 'doesNotContain', 'isEmpty', 'isNotEmpty', 'isGreater', 'isGreaterEqual', 'isLess', 'isLessEqual', 'like', 'in'] as const;
type Operator = (typeof SEARCH_OPERATORS)[number];
/** The date keywords a DateTime condition's first value may be. */
export const DATE_KEYWORDS = ['ExactDate', 'Today', 'Tomorrow', 'Yesterday', 'CurrentWeek', 'LastWeek', 'CurrentMonth', 'LastMonth', 'TheLastWeek', 'TheNextWeek', 'TheLastMonth', 'TheNextMonth'] as const;
/** Feishu's cap on conditions in one filter. */
export const MAX_CONDITIONS = 50;

const ORDERED: Operator[] = ['isGreater', 'isGreaterEqual', 'isLess', 'isLessEqual'];
const TEXTUAL = new Set<number>([FIELD_TYPE.Text, FIELD_TYPE.Phone, FIELD_TYPE.Url, FIELD_TYPE.Location, FIELD_TYPE.AutoNumber, FIELD_TYPE.Lookup]);
const NUMERIC = new Set<number>([FIELD_TYPE.Number, FIELD_TYPE.Formula]);
const DATES = new Set<number>([FIELD_TYPE.DateTime, FIELD_TYPE.CreatedTime, FIELD_TYPE.ModifiedTime]);
const ID_LISTS = new Set<number>([FIELD_TYPE.User, FIELD_TYPE.GroupChat, FIELD_TYPE.CreatedUser, FIELD_TYPE.ModifiedUser, FIELD_TYPE.SingleLink, FIELD_TYPE.DuplexLink, FIELD_TYPE.MultiSelect]);

/** Which operators each kind of field takes (besides isEmpty / isNotEmpty, which all take). */
function allowed(type: number): Operator[] {
	if (TEXTUAL.has(type)) return ['is', 'isNot', 'contains', 'doesNotContain', 'like', 'in'];
	if (NUMERIC.has(type)) return ['is', 'isNot', ...ORDERED];
	if (DATES.has(type)) return ['is', 'isNot', ...ORDERED];
	if (type === FIELD_TYPE.SingleSelect) return ['is', 'isNot', 'contains', 'doesNotContain', 'in'];
	if (type === FIELD_TYPE.Checkbox) return ['is'];
	if (ID_LISTS.has(type)) return ['is', 'isNot', 'contains', 'doesNotContain'];
	return [];
}

const isObject = (v: unknown): v is ResourceRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A record's value for filtering and sorting: a string, a number, a list of strings, or undefined. */
function plain(model: BitableModel, appToken: string, tableId: string, field: FieldRecord, record: StoredRecord): unknown {
	if (field.type === FIELD_TYPE.CreatedTime) return record.created_time;
	if (field.type === FIELD_TYPE.ModifiedTime) return record.last_modified_time;
	if (field.type === FIELD_TYPE.CreatedUser) return [record.created_by];
	if (field.type === FIELD_TYPE.ModifiedUser) return [record.last_modified_by];
	if (field.type === FIELD_TYPE.AutoNumber) return String(record.auto_number);
	if (field.type === FIELD_TYPE.Formula) {
		const v = model.readRecord(appToken, tableId, record, { form: 'get', fieldNames: [field.field_name], baseUrl: '' }).fields as ResourceRecord;
		const f = v[field.field_name] as { value?: number[] } | undefined;
		return f?.value?.[0];
	}
	const v = record.fields[field.field_name];
	if (field.type === FIELD_TYPE.Url && isObject(v)) return String(v.text ?? v.link ?? '');
	return v;
}

const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** The day range [first, last] a date condition names, in the tenant's days. */
function dayRange(values: string[]): [number, number] {
	const [keyword, exact] = values;
	const today = dayOf(Date.now());
	// Monday-based weeks; months by the calendar in the tenant's zone.
	const weekday = (new Date((today * 86_400_000)).getUTCDay() + 6) % 7;
	const local = new Date(Date.now() + TZ_OFFSET_MS);
	const monthStart = (offset: number) => dayOf(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + offset, 1) - TZ_OFFSET_MS);
	switch (keyword) {
		case 'ExactDate': {
			const ms = Number(exact);
			if (!Number.isFinite(ms)) throw bitableError('invalidFilter', 'ExactDate needs a timestamp in milliseconds as the second value');
			const d = dayOf(ms);
			return [d, d];
		}
		case 'Today':
			return [today, today];
		case 'Tomorrow':
			return [today + 1, today + 1];
		case 'Yesterday':
			return [today - 1, today - 1];
		case 'CurrentWeek':
			return [today - weekday, today - weekday + 6];
		case 'LastWeek':
			return [today - weekday - 7, today - weekday - 1];
		case 'CurrentMonth':
			return [monthStart(0), monthStart(1) - 1];
		case 'LastMonth':
			return [monthStart(-1), monthStart(0) - 1];
		case 'TheLastWeek':
			return [today - 7, today];
		case 'TheNextWeek':
			return [today, today + 7];
		case 'TheLastMonth':
			return [today - 30, today];
		case 'TheNextMonth':
			return [today, today + 30];
		default:
			throw bitableError('invalidFilter', `a date condition's first value is one of ${DATE_KEYWORDS.join(', ')}`);
	}
}

function matches(field: FieldRecord, operator: Operator, values: string[], v: unknown): boolean {
	if (operator === 'isEmpty') return empty(v);
	if (operator === 'isNotEmpty') return !empty(v);
	if (!values.length) throw bitableError('invalidFilter', `${operator} on "${field.field_name}" needs a value`);
	const type = field.type;
	if (DATES.has(type)) {
		const [first, last] = dayRange(values);
		if (typeof v !== 'number') return operator === 'isNot';
		const d = dayOf(v);
		return { is: d >= first && d <= last, isNot: d < first || d > last, isGreater: d > last, isGreaterEqual: d >= first, isLess: d < first, isLessEqual: d <= last }[operator as 'is'] ?? false;
	}
	if (NUMERIC.has(type)) {
		const n = Number(values[0]);
		if (!Number.isFinite(n)) throw bitableError('invalidFilter', `"${values[0]}" is not a number for "${field.field_name}"`);
		if (typeof v !== 'number') return operator === 'isNot';
		return { is: v === n, isNot: v !== n, isGreater: v > n, isGreaterEqual: v >= n, isLess: v < n, isLessEqual: v <= n }[operator as 'is'] ?? false;
	}
	if (type === FIELD_TYPE.Checkbox) return (v === true) === (values[0] === 'true');
	if (ID_LISTS.has(type)) {
		const have = Array.isArray(v) ? (v as string[]) : [];
		const any = values.some((x) => have.includes(x));
		if (operator === 'contains') return any;
		if (operator === 'doesNotContain') return !any;
		const same = have.length === values.length && values.every((x) => have.includes(x));
		return operator === 'is' ? same : !same;
	}
	const s = v === undefined || v === null ? '' : String(v);
	switch (operator) {
		case 'is':
			return s === values[0];
		case 'isNot':
			return s !== values[0];
		case 'in':
			return values.includes(s);
		case 'contains':
		case 'like':
			return type === FIELD_TYPE.SingleSelect ? values.includes(s) : values.some((x) => s.includes(x));
		case 'doesNotContain':
			return type === FIELD_TYPE.SingleSelect ? !values.includes(s) : !values.some((x) => s.includes(x));
		default:
			return false;
	}
}

type Test = (r: StoredRecord) => boolean;

function compile(model: BitableModel, appToken: string, tableId: string, filter: unknown, depth: number, counted: { n: number }): Test {
	if (!isObject(filter)) throw bitableError('invalidFilter', 'filter must be an object');
	const conjunction = filter.conjunction ?? 'and';
	if (conjunction !== 'and' && conjunction !== 'or') throw bitableError('invalidFilter', 'conjunction is and or or');
	const tests: Test[] = [];
	for (const c of Array.isArray(filter.conditions) ? filter.conditions : []) {
		if (!isObject(c)) throw bitableError('invalidFilter', 'a condition must be an object');
		if (++counted.n > MAX_CONDITIONS) throw bitableError('invalidFilter', `at most ${MAX_CONDITIONS} conditions`);
		const field = model.fieldByName(appToken, tableId, String(c.field_name ?? ''));
		if (!field) throw bitableError('fieldNameNotFound', String(c.field_name ?? ''));
		const operator = String(c.operator) as Operator;
		if (!(SEARCH_OPERATORS as readonly string[]).includes(operator)) throw bitableError('invalidFilter', `operator ${operator}`);
		if (operator !== 'isEmpty' && operator !== 'isNotEmpty' && !allowed(field.type).includes(operator)) {
			throw bitableError('invalidFilter', `"${field.field_name}" (type ${field.type}) does not take ${operator}`);
		}
		const values = Array.isArray(c.value) ? c.value.map(String) : c.value === undefined || c.value === null ? [] : [String(c.value)];
		if (DATES.has(field.type) && operator !== 'isEmpty' && operator !== 'isNotEmpty') dayRange(values);
		tests.push((r) => matches(field, operator, values, plain(model, appToken, tableId, field, r)));
	}
	if (Array.isArray(filter.children)) {
		if (depth > 0) throw bitableError('invalidFilter', 'children nest one level deep');
		for (const child of filter.children) tests.push(compile(model, appToken, tableId, child, depth + 1, counted));
	}
	if (!tests.length) return () => true;
	return conjunction === 'and' ? (r) => tests.every((t) => t(r)) : (r) => tests.some((t) => t(r));
}

function compare(a: unknown, b: unknown): number {
	const ea = empty(a);
	const eb = empty(b);
	if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	const s = (v: unknown) => (Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v));
	return s(a).localeCompare(s(b));
}

/** The table's records a search body selects, in its order. */
export function searchRecords(model: BitableModel, appToken: string, tableId: string, body: ResourceRecord): StoredRecord[] {
	if (body.view_id !== undefined && !model.views(appToken, tableId).has(String(body.view_id))) throw bitableError('viewNotFound');
	for (const name of Array.isArray(body.field_names) ? body.field_names : []) {
		if (!model.fieldByName(appToken, tableId, String(name))) throw bitableError('fieldNameNotFound', String(name));
	}
	const test = body.filter === undefined || body.filter === null ? () => true : compile(model, appToken, tableId, body.filter, 0, { n: 0 });
	const sorts = (Array.isArray(body.sort) ? body.sort : []).map((s) => {
		const field = isObject(s) ? model.fieldByName(appToken, tableId, String(s.field_name ?? '')) : undefined;
		if (!field) throw bitableError('invalidSort', isObject(s) ? String(s.field_name ?? '') : 'sort');
		return { field, desc: isObject(s) && s.desc === true };
	});
	const found = [...model.records(appToken, tableId).values()].filter(test);
	if (!sorts.length) return found;
	return found.sort((x, y) => {
		for (const { field, desc } of sorts) {
			const a = plain(model, appToken, tableId, field, x);
			const b = plain(model, appToken, tableId, field, y);
			const ea = empty(a);
			const eb = empty(b);
			// Records without a value stay last whichever way the sort goes.
			const c = ea || eb ? compare(a, b) : desc ? compare(b, a) : compare(a, b);
			if (c !== 0) return c;
		}
		return 0;
	});
}
