// Bitable field values both ways (docs/protocol.md, "Bitable"): what a workflow hands over
// (text, numbers, ISO dates, "a, b" lists, open_ids, file tokens, record ids) into the form Feishu's
// record endpoints take for each field type, checked before anything is sent; and Feishu's answer
// (rich-text segments, millisecond timestamps, link objects, formula wrappers) back into plain values.
import { FeishuValidationError } from './errors';
import { isoTime } from './isoTime';

/** Field types by Feishu's number. */
export const BITABLE_FIELD_TYPES = {
	1: 'Text',
	2: 'Number',
	3: 'SingleSelect',
	4: 'MultiSelect',
	5: 'DateTime',
	7: 'Checkbox',
	11: 'User',
	13: 'Phone',
	15: 'Url',
	17: 'Attachment',
	18: 'SingleLink',
	19: 'Lookup',
	20: 'Formula',
	21: 'DuplexLink',
	22: 'Location',
	23: 'GroupChat',
	1001: 'CreatedTime',
	1002: 'ModifiedTime',
	1003: 'CreatedUser',
	1004: 'ModifiedUser',
	1005: 'AutoNumber',
} as const satisfies Record<number, string>;

/** Types Feishu computes (lookups, formulas, the automatic fields): read-only. */
export const BITABLE_READ_ONLY_TYPES: ReadonlySet<number> = new Set([19, 20, 1001, 1002, 1003, 1004, 1005]);

/** A field as the field list describes it (only what the conversions need). */
export interface BitableFieldInfo {
	field_id?: string;
	field_name: string;
	type: number;
	ui_type?: string;
	is_primary?: boolean;
	property?: { options?: { name?: string }[]; table_id?: string; multiple?: boolean; [key: string]: unknown } | null;
	[key: string]: unknown;
}

export function fieldTypeName(type: number): string {
	return (BITABLE_FIELD_TYPES as Record<number, string>)[type] ?? `type ${type}`;
}

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "a, b" text, a JSON list, or a list: the non-empty trimmed entries. */
export function listOf(value: unknown): unknown[] {
	if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined && v !== '');
	if (typeof value === 'string') {
		const text = value.trim();
		if (text.startsWith('[')) {
			try {
				const parsed = JSON.parse(text) as unknown;
				if (Array.isArray(parsed)) return listOf(parsed);
			} catch {
				/* not JSON: split it */
			}
		}
		return text.split(/\s*,\s*/).filter(Boolean);
	}
	return value === null || value === undefined || value === '' ? [] : [value];
}

/**
 * A moment as Feishu's DateTime takes it, milliseconds since the epoch: an ISO date or date-time
 * (a date alone is midnight UTC), a number (seconds when below 10^11, else milliseconds), a Date or
 * an n8n / Luxon DateTime.
 */
export function toTimestamp(field: string, value: unknown): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
	if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
	if (isObject(value) && typeof value.toMillis === 'function') return Number((value.toMillis as () => number)());
	if (typeof value === 'string') {
		const text = value.trim();
		if (/^\d+$/.test(text)) return toTimestamp(field, Number(text));
		const ms = Date.parse(text);
		if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}/.test(text)) return ms;
	}
	throw new FeishuValidationError(field, `"${String(value).slice(0, 60)}" is not a date: give an ISO date such as 2024-05-01 or 2024-05-01T09:30:00+08:00, or a timestamp`);
}

function ids(field: string, value: unknown, what: string, pattern: RegExp): string[] {
	const out = listOf(value).map((v) => (isObject(v) ? v.id ?? v.record_id ?? v.file_token : v)).map((v) => String(v ?? '').trim());
	for (const id of out) if (!pattern.test(id)) throw new FeishuValidationError(field, `"${id.slice(0, 60)}" is not ${what}`);
	return out;
}

/**
 * One value for a field, in the form Feishu's record writes take; `null` clears the field.
 * Throws a FeishuValidationError naming the field when the value cannot be that type.
 */
export function toBitableValue(field: BitableFieldInfo, value: unknown): unknown {
	const name = field.field_name;
	if (BITABLE_READ_ONLY_TYPES.has(field.type)) throw new FeishuValidationError(name, `is a ${fieldTypeName(field.type)} field, which Feishu computes: it cannot be written`);
	if (value === null) return null;
	switch (field.type) {
		case 1:
		case 13:
		case 22:
			if (typeof value === 'string') return value;
			if (typeof value === 'number' || typeof value === 'boolean') return String(value);
			throw new FeishuValidationError(name, 'should be text');
		case 2: {
			const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.replace(/,/g, '')) : NaN;
			if (!Number.isFinite(n)) throw new FeishuValidationError(name, `"${String(value).slice(0, 60)}" is not a number`);
			return n;
		}
		case 3: {
			const option = Array.isArray(value) ? value[0] : value;
			if (option === undefined || option === '' || typeof option === 'object') throw new FeishuValidationError(name, 'should be the name of one option');
			return String(option);
		}
		case 4: {
			const options = listOf(value);
			if (options.some((o) => typeof o === 'object')) throw new FeishuValidationError(name, 'should be option names ("a, b" or a list)');
			return options.map(String);
		}
		case 5:
			return toTimestamp(name, value);
		case 7:
			if (typeof value === 'boolean') return value;
			if (value === 'true' || value === 'false') return value === 'true';
			if (value === 1 || value === 0) return value === 1;
			throw new FeishuValidationError(name, 'should be true or false');
		case 11:
			return ids(name, value, 'a user ID (ou_…, on_… or a user_id)', /^[A-Za-z0-9_-]{1,64}$/).map((id) => ({ id }));
		case 23:
			return ids(name, value, 'a group chat ID (oc_…)', /^oc_[A-Za-z0-9_-]+$/).map((id) => ({ id }));
		case 15: {
			if (isObject(value) && typeof value.link === 'string') return { link: value.link, text: typeof value.text === 'string' ? value.text : value.link };
			if (typeof value === 'string' && /^https?:\/\/\S+$/i.test(value.trim())) return { link: value.trim(), text: value.trim() };
			throw new FeishuValidationError(name, 'should be an http(s) link, or {"link": …, "text": …}');
		}
		case 17:
			return ids(name, value, 'a file token (Upload Attachment gives one)', /^[A-Za-z0-9_-]{8,}$/).map((file_token) => ({ file_token }));
		case 18:
		case 21:
			return ids(name, value, 'a record ID (rec…)', /^rec[A-Za-z0-9]+$/);
		default:
			return value;
	}
}

// A table's fields by name, built once per field list (a batch converts thousands of records against one list).
const fieldsByName = new WeakMap<readonly BitableFieldInfo[], Map<string, BitableFieldInfo>>();
function byNameOf(fields: readonly BitableFieldInfo[]): Map<string, BitableFieldInfo> {
	let byName = fieldsByName.get(fields);
	if (!byName) fieldsByName.set(fields, (byName = new Map(fields.map((f) => [f.field_name, f]))));
	return byName;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * A record's fields for Feishu from name → value: each value converted for its field. A name the
 * table does not have is refused, or skipped with `skipUnknown` (an auto-mapped item carries other
 * data too), as are read-only fields then; `undefined` and "" are left out ("" clears nothing).
 * `empty`: what becomes of every empty value (null, undefined, "", []): left out ('omit') or sent
 * as null, which clears the field ('clear').
 */
export function toBitableFields(fields: readonly BitableFieldInfo[], values: Record<string, unknown>, opts: { skipUnknown?: boolean; empty?: 'omit' | 'clear' } = {}): Record<string, unknown> {
	const byName = byNameOf(fields);
	const out: Record<string, unknown> = {};
	// for…in rather than Object.keys: no array per record (own keys only, as Object.keys gives).
	for (const name in values) {
		if (!hasOwn(values, name)) continue;
		let value = values[name];
		if (opts.empty && isEmpty(value)) {
			if (opts.empty === 'omit') continue;
			value = null;
		}
		if (value === undefined || value === '') continue;
		const field = byName.get(name);
		if (!field) {
			if (opts.skipUnknown) continue;
			throw new FeishuValidationError(name, 'the table has no field of that name (field names are case-sensitive)');
		}
		if (opts.skipUnknown && BITABLE_READ_ONLY_TYPES.has(field.type)) continue;
		out[name] = toBitableValue(field, value);
	}
	return out;
}

/** Rich text (`[{text, type}, …]`) as plain text; anything else unchanged. */
function plainText(value: unknown): unknown {
	if (!Array.isArray(value)) return value;
	// An index loop rather than every/map/join: a read converts one of these per text field and record.
	let text = '';
	for (let k = 0; k < value.length; k++) {
		const s: unknown = value[k];
		if (!isObject(s) || typeof s.text !== 'string') return value;
		text += s.text;
	}
	return text;
}

const iso = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? isoTime(v) : v);

/** One value of Feishu's answer as a workflow wants it; `field` unknown: as sent. */
export function fromBitableValue(field: BitableFieldInfo | undefined, value: unknown): unknown {
	if (!field || value === null || value === undefined) return value;
	switch (field.type) {
		case 1:
		case 13:
			return plainText(value);
		case 2:
			return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
		case 5:
		case 1001:
		case 1002:
			return iso(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
		case 15:
			return isObject(value) ? value : Array.isArray(value) && isObject(value[0]) ? value[0] : value;
		case 18:
		case 21: {
			if (isObject(value) && Array.isArray(value.link_record_ids)) return value.link_record_ids;
			if (Array.isArray(value)) return value.flatMap((v) => (isObject(v) && Array.isArray(v.record_ids) ? (v.record_ids as unknown[]) : typeof v === 'string' ? [v] : []));
			return value;
		}
		case 19:
		case 20: {
			const inner = isObject(value) && 'value' in value ? value.value : value;
			const text = plainText(inner);
			if (Array.isArray(text) && text.length === 1 && typeof text[0] !== 'object') return text[0];
			return text;
		}
		case 22:
			return isObject(value) ? (value.full_address ?? value.location ?? value) : value;
		default:
			return value;
	}
}

/** A record's fields from Feishu's answer, each made plain by its field's type. */
export function fromBitableFields(fields: readonly BitableFieldInfo[], values: Record<string, unknown> | undefined): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	if (!values) return out;
	const byName = byNameOf(fields);
	for (const name in values) if (hasOwn(values, name)) out[name] = fromBitableValue(byName.get(name), values[name]);
	return out;
}
