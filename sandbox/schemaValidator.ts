// Checks a request against one endpoint's schema (sandbox/schemas/<project>_<version>.json, imported by
// scripts/sandbox/importSchemas.ts) the way Feishu's gateway does: a missing required field, a wrong
// type, a value outside its enum or range is HTTP 400, code 99992402 "field validation failed", with
// one `field_violations` entry per problem. Fields the schema does not know pass: Feishu ignores them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiError } from './openApi';
import { fieldViolations } from './paging';

export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'any';

export interface FieldSpec {
	type: FieldType;
	/** Object: the properties that must be present. */
	required?: string[];
	properties?: Record<string, FieldSchema>;
	/** Object: what keys outside `properties` hold (`true`: anything). */
	additionalProperties?: FieldSchema | true;
	items?: FieldSchema;
	enum?: (string | number | boolean)[];
	minLength?: number;
	maxLength?: number;
	minimum?: number;
	maximum?: number;
	minItems?: number;
	maxItems?: number;
	nullable?: true;
}
/** A bare type name stands for `{ type }` (most fields have no other constraint). */
export type FieldSchema = FieldSpec | FieldType;

export interface EndpointSchema {
	method: string;
	/** Router pattern, e.g. `/open-apis/task/v2/tasks/:task_guid`. */
	path: string;
	/** Which tokens Feishu accepts (`tenant`, `user`); recorded, not enforced: the sandbox issues tenant tokens only. */
	accessTokens: string[];
	path_params?: FieldSchema;
	params?: FieldSchema;
	data?: FieldSchema;
}

export interface SchemaFile {
	source: { package: string; version: string; license: string; file: string; generator: string };
	project: string;
	endpoints: Record<string, EndpointSchema>;
}

export interface Violation {
	field: string;
	description: string;
}

const SCHEMA_DIR = join(__dirname, 'schemas');
const loaded = new Map<string, SchemaFile>();

/** The committed schemas of one project, e.g. `loadSchemas('task_v2')` (read once, then cached). */
export function loadSchemas(project: string): SchemaFile {
	if (!/^[a-z_]+_v\d+$/.test(project)) throw new Error(`not a <project>_<version> name: ${project}`);
	let file = loaded.get(project);
	if (!file) {
		file = JSON.parse(readFileSync(join(SCHEMA_DIR, `${project}.json`), 'utf8')) as SchemaFile;
		loaded.set(project, file);
	}
	return file;
}

export function endpointSchema(file: SchemaFile, name: string): EndpointSchema {
	const e = file.endpoints[name];
	if (!e) throw new Error(`${file.project} has no endpoint ${name}`);
	return e;
}

const spec = (s: FieldSchema): FieldSpec => (typeof s === 'string' ? { type: s } : s);

const child = (parent: string, key: string | number): string => (typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key);

const an = (type: FieldType): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function typeName(v: unknown): string {
	return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Checks a JSON value; `at` is the field's path as Feishu names it (`task.summary`, `members[0].role`). */
export function checkValue(schema: FieldSchema, value: unknown, at: string, out: Violation[]): void {
	const s = spec(schema);
	if (value === null && s.nullable) return;
	const bad = (what: string) => out.push({ field: at, description: `${at} ${what}` });
	switch (s.type) {
		case 'any':
			return;
		case 'string':
			if (typeof value !== 'string') return void bad(`must be a string, got ${typeName(value)}`);
			// Feishu counts characters, not UTF-16 units.
			if (s.minLength !== undefined && [...value].length < s.minLength) return void bad(s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters`);
			if (s.maxLength !== undefined && [...value].length > s.maxLength) return void bad(`must be at most ${s.maxLength} characters`);
			break;
		case 'number':
		case 'integer':
			if (typeof value !== 'number' || !Number.isFinite(value)) return void bad(`must be a number, got ${typeName(value)}`);
			if (s.type === 'integer' && !Number.isInteger(value)) return void bad('must be an integer');
			if (s.minimum !== undefined && value < s.minimum) return void bad(`must be at least ${s.minimum}`);
			if (s.maximum !== undefined && value > s.maximum) return void bad(`must be at most ${s.maximum}`);
			break;
		case 'boolean':
			if (typeof value !== 'boolean') return void bad(`must be a boolean, got ${typeName(value)}`);
			break;
		case 'array':
			if (!Array.isArray(value)) return void bad(`must be an array, got ${typeName(value)}`);
			if (s.minItems !== undefined && value.length < s.minItems) return void bad(`must have at least ${s.minItems} items`);
			if (s.maxItems !== undefined && value.length > s.maxItems) return void bad(`must have at most ${s.maxItems} items`);
			if (s.items) value.forEach((item, i) => checkValue(s.items!, item, child(at, i), out));
			return;
		case 'object': {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) return void bad(`must be an object, got ${typeName(value)}`);
			checkObject(s, value as Record<string, unknown>, at, out);
			return;
		}
	}
	if (s.enum && !s.enum.includes(value as string | number | boolean)) bad(`must be one of ${s.enum.join(', ')}`);
}

function checkObject(s: FieldSpec, value: Record<string, unknown>, at: string, out: Violation[]): void {
	// JSON null is "not set" for Feishu's optional fields, and missing for required ones.
	for (const key of s.required ?? []) if (value[key] === undefined || value[key] === null) out.push({ field: child(at, key), description: `${child(at, key)} is required` });
	for (const [key, v] of Object.entries(value)) {
		if (v === undefined) continue;
		const field = s.properties?.[key];
		if (field) {
			if (v !== null || spec(field).nullable) checkValue(field, v, child(at, key), out);
		} else if (s.additionalProperties && s.additionalProperties !== true) {
			checkValue(s.additionalProperties, v, child(at, key), out);
		}
	}
}

/** A query string value as its schema type; `undefined` when it cannot be one (the caller reports it). */
function fromQuery(type: FieldType, raw: string): unknown {
	switch (type) {
		case 'number':
		case 'integer': {
			const n = raw.trim() === '' ? NaN : Number(raw);
			return Number.isFinite(n) ? n : undefined;
		}
		case 'boolean':
			return raw === 'true' ? true : raw === 'false' ? false : undefined;
		default:
			return raw;
	}
}

/** Checks query parameters (all strings on the wire; numbers and booleans are parsed first). */
export function checkQuery(schema: FieldSchema | undefined, query: URLSearchParams, out: Violation[]): void {
	const s = schema && spec(schema);
	if (!s?.properties) return;
	const required = new Set(s.required ?? []);
	for (const [name, field] of Object.entries(s.properties)) {
		const f = spec(field);
		const raw = query.getAll(name);
		if (raw.length === 0 || (raw.length === 1 && raw[0] === '' && f.type !== 'string')) {
			if (required.has(name)) out.push({ field: name, description: `${name} is required` });
			continue;
		}
		// Feishu repeats a key for a list (`?ids=a&ids=b`).
		if (f.type === 'array') {
			const itemType = f.items ? spec(f.items).type : 'string';
			checkValue(f, raw.map((r) => fromQuery(itemType, r) ?? r), name, out);
			continue;
		}
		if (raw.length > 1) {
			out.push({ field: name, description: `${name} must be given once` });
			continue;
		}
		const value = fromQuery(f.type, raw[0]);
		if (value === undefined) out.push({ field: name, description: `${name} must be ${f.type === 'boolean' ? 'true or false' : an(f.type)}, got "${raw[0]}"` });
		else checkValue(f, value, name, out);
	}
}

/** Checks path parameters (strings from the router; an empty one is missing). */
export function checkPath(schema: FieldSchema | undefined, params: Record<string, string>, out: Violation[]): void {
	const s = schema && spec(schema);
	if (!s?.properties) return;
	for (const [name, field] of Object.entries(s.properties)) {
		const raw = params[name];
		if (raw === undefined || raw === '') {
			if (s.required?.includes(name)) out.push({ field: name, description: `${name} is required` });
			continue;
		}
		const f = spec(field);
		const value = fromQuery(f.type, raw);
		if (value === undefined) out.push({ field: name, description: `${name} must be ${an(f.type)}, got "${raw}"` });
		else checkValue(f, value, name, out);
	}
}

export interface RequestParts {
	path?: Record<string, string>;
	query?: URLSearchParams;
	/** The parsed JSON body; `undefined` when the endpoint takes none or none was sent. */
	body?: unknown;
}

/** Every violation of the request against the endpoint's schema (empty when it passes). */
export function violations(endpoint: EndpointSchema, req: RequestParts): Violation[] {
	const out: Violation[] = [];
	checkPath(endpoint.path_params, req.path ?? {}, out);
	checkQuery(endpoint.params, req.query ?? new URLSearchParams(), out);
	if (endpoint.data) {
		const body = req.body === undefined ? {} : req.body;
		checkValue(endpoint.data, body, '', out);
	}
	// A body-level type error has no field name; Feishu then names the body.
	return out.map((v) => (v.field === '' ? { field: 'body', description: v.description.replace(/^ /, 'body ') } : v));
}

/** The error Feishu answers a refused request with, listing every violation. */
export function validationError(found: Violation[]): ApiError {
	return fieldViolations(found);
}

/** Throws Feishu's 99992402 when the request breaks the endpoint's schema. */
export function validateRequest(endpoint: EndpointSchema, req: RequestParts): void {
	const found = violations(endpoint, req);
	if (found.length > 0) throw validationError(found);
}
