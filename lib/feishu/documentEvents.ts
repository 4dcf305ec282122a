// Document events (docs/protocol.md, "Document events"): a Base's record changes
// (drive.file.bitable_record_changed_v1) and a file's edits (drive.file.edit_v1) reach an app only for
// the files it subscribed to with POST /open-apis/drive/v1/files/:file_token/subscribe?file_type=…
// (GET …/get_subscribe asks, DELETE …/delete_subscribe ends it, for every document event at once).
// Here: the documents as users paste them (Base and spreadsheet links, or tokens), the three calls,
// and the flat convenience fields of the two events.
import type { FeishuApiClient } from './apiClient';
import { parseBitableUrl } from './bitableUrl';
import { FeishuValidationError } from './errors';
import { pathId, seg } from './paths';
import { isObject } from './values';

export const RECORD_CHANGED_EVENT = 'drive.file.bitable_record_changed_v1';
export const FILE_EDITED_EVENT = 'drive.file.edit_v1';
/** The events that need a subscription to the file. */
export const DOCUMENT_EVENT_TYPES: readonly string[] = [RECORD_CHANGED_EVENT, FILE_EDITED_EVENT];

export type DocumentFileType = 'bitable' | 'sheet' | 'docx';

/** A document to subscribe to. */
export interface DocumentRef {
	fileToken: string;
	fileType: DocumentFileType;
}

const FILES = '/open-apis/drive/v1/files';
const TOKEN = /^[A-Za-z0-9]{8,64}$/;
const PATHS: Record<string, DocumentFileType> = { base: 'bitable', sheets: 'sheet', docx: 'docx' };

export function isDocumentEventType(eventType: string | undefined): boolean {
	return eventType !== undefined && DOCUMENT_EVENT_TYPES.includes(eventType);
}

/**
 * One document: a Base link (`…/base/<app_token>`), a spreadsheet link (`…/sheets/<token>`), a
 * document link (`…/docx/<token>`), `sheet:<token>` / `docx:<token>`, or a bare token (a Base's
 * app_token). A wiki link names the wiki node, not the file, and is refused with what to paste instead.
 */
export function parseDocumentRef(input: string): DocumentRef {
	const text = input.trim();
	if (/^https?:\/\//i.test(text)) {
		let url: URL;
		try {
			url = new URL(text);
		} catch {
			throw new FeishuValidationError('Documents', `"${text.slice(0, 120)}" is not a valid URL`);
		}
		const m = /^\/(base|sheets|docx)\/([A-Za-z0-9]+)\/?$/.exec(url.pathname);
		if (m) return { fileToken: m[2], fileType: PATHS[m[1]] };
		// parseBitableUrl explains wiki links and other paths.
		parseBitableUrl(text);
		throw new FeishuValidationError('Documents', `"${text.slice(0, 120)}" is not a Base or spreadsheet link`);
	}
	const typed = /^(bitable|base|sheet|docx):(.+)$/i.exec(text);
	const token = typed ? typed[2].trim() : text;
	if (!TOKEN.test(token)) throw new FeishuValidationError('Documents', `"${token.slice(0, 80)}" is not a document token (letters and digits) or a Base / spreadsheet link`);
	const kind = typed ? typed[1].toLowerCase() : 'bitable';
	return { fileToken: token, fileType: kind === 'sheet' ? 'sheet' : kind === 'docx' ? 'docx' : 'bitable' };
}

/** The documents of a list (commas, spaces or new lines between them), each once. */
export function parseDocumentList(value: unknown): DocumentRef[] {
	const items = (Array.isArray(value) ? value.map(String) : [typeof value === 'string' ? value : ''])
		.flatMap((s) => s.split(/[\s,]+/))
		.filter((s) => s.trim() !== '');
	const seen = new Map<string, DocumentRef>();
	for (const item of items) {
		const ref = parseDocumentRef(item);
		seen.set(`${ref.fileType}:${ref.fileToken}`, ref);
	}
	return [...seen.values()];
}

function filePath(ref: DocumentRef, action: string): string {
	return `${FILES}/${seg(pathId('file_token', ref.fileToken))}/${action}`;
}

/** Subscribes the app to the file's events (subscribing again changes nothing). */
export async function subscribeToDocument(client: FeishuApiClient, ref: DocumentRef): Promise<void> {
	// Safe to repeat: a second subscribe leaves one subscription.
	await client.request({ method: 'POST', path: filePath(ref, 'subscribe'), query: { file_type: ref.fileType }, repeatable: true });
}

/** Whether the app is subscribed to the file's events. */
export async function isSubscribedToDocument(client: FeishuApiClient, ref: DocumentRef): Promise<boolean> {
	const data = await client.request<{ is_subscribe?: boolean }>({ method: 'GET', path: filePath(ref, 'get_subscribe'), query: { file_type: ref.fileType } });
	return data?.is_subscribe === true;
}

/** Ends the app's subscription to every event of the file. */
export async function unsubscribeFromDocument(client: FeishuApiClient, ref: DocumentRef): Promise<void> {
	await client.request({ method: 'DELETE', path: filePath(ref, 'delete_subscribe'), query: { file_type: ref.fileType } });
}

function str(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

/** A field_value as sent (a JSON string), parsed; kept as sent when it is not JSON. */
function parseFieldValue(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

/** `[{field_id, field_value}]` → `{<field_id>: value}`. Feishu names fields by id only. */
function valuesById(list: unknown): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const entry of Array.isArray(list) ? list : []) {
		if (!isObject(entry) || typeof entry.field_id !== 'string') continue;
		out[entry.field_id] = isObject(entry.field_identity_value) ? { value: parseFieldValue(entry.field_value), ...entry.field_identity_value } : parseFieldValue(entry.field_value);
	}
	return out;
}

/** One changed record of a bitable_record_changed_v1 event, flat. */
export interface RecordChange {
	record_id: string;
	action: string;
	table_id?: string;
	/** Field values before / after the change, by field id (a created record has no before, a deleted one no after). */
	before: Record<string, unknown>;
	after: Record<string, unknown>;
	/** The ids of the fields whose value changed. */
	changed_field_ids: string[];
}

export function recordChanges(event: Record<string, any>): RecordChange[] {
	const tableId = str(event.table_id);
	return (Array.isArray(event.action_list) ? event.action_list : []).filter(isObject).map((a: Record<string, any>) => {
		const before = valuesById(a.before_value);
		const after = valuesById(a.after_value);
		return {
			record_id: String(a.record_id ?? ''),
			action: String(a.action ?? ''),
			...(tableId ? { table_id: tableId } : {}),
			before,
			after,
			changed_field_ids: [...new Set([...Object.keys(before), ...Object.keys(after)])],
		};
	});
}

/**
 * Convenience fields of the two document events: the file, the operator, and for record changes one
 * flat entry per changed record (`records`), plus the first one's `record_id` / `action` at the top
 * (Feishu sends one event per change in practice, so that is the record).
 */
export function documentEventFields(eventType: string | undefined, event: Record<string, any>): Record<string, unknown> {
	const base = { file_token: str(event.file_token), file_type: str(event.file_type) };
	if (eventType === RECORD_CHANGED_EVENT) {
		const records = recordChanges(event);
		return {
			...base,
			table_id: str(event.table_id),
			revision: typeof event.revision === 'number' ? event.revision : undefined,
			operator: isObject(event.operator_id) ? event.operator_id : undefined,
			record_id: records[0]?.record_id,
			action: records[0]?.action,
			records,
		};
	}
	const operators = Array.isArray(event.operator_id_list) ? event.operator_id_list.filter(isObject) : [];
	return { ...base, sheet_id: str(event.sheet_id), operator: operators[0], operators };
}
