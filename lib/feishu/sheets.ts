// Sheets (电子表格; docs/protocol.md, "Sheets"): spreadsheets (create, get: v3), their sheets (list,
// get: v3; add: v2 sheets_batch_update), values (read a range, write a range, append rows: v2),
// clearing a range (a write of empty cells) and finding cells (v3 find). Ranges are Feishu's A1
// notation `<sheetId>!A1:C10` (also `<sheetId>!A:C`, `<sheetId>!A2:C` and the bare `<sheetId>`); the
// link users paste (`https://<tenant>.feishu.cn/sheets/<token>?sheet=<sheetId>`) gives token and sheet.
import type { FeishuApiClient } from './apiClient';
import { type DocumentKind, documentTokenOf, parseDocumentUrl } from './documentUrl';
import { FeishuValidationError } from './errors';
import { pathId, seg } from './paths';

export const SHEETS_V3 = '/open-apis/sheets/v3/spreadsheets';
export const SHEETS_V2 = '/open-apis/sheets/v2/spreadsheets';

/** Feishu's limits per request: 5,000 rows and 100 columns per write, 50,000 characters a cell, 255 a title. */
export const SHEETS_LIMITS = {
	writeRows: 5000,
	writeColumns: 100,
	cellChars: 50_000,
	titleChars: 255,
	/** The largest answer a read gives (10 MB). */
	responseBytes: 10 * 1024 * 1024,
} as const;

export const VALUE_RENDER_OPTIONS = ['ToString', 'FormattedValue', 'Formula', 'UnformattedValue'] as const;
export type ValueRenderOption = (typeof VALUE_RENDER_OPTIONS)[number];
export const INSERT_DATA_OPTIONS = ['OVERWRITE', 'INSERT_ROWS'] as const;
export type InsertDataOption = (typeof INSERT_DATA_OPTIONS)[number];

export interface Spreadsheet {
	spreadsheet_token?: string;
	token?: string;
	title?: string;
	url?: string;
	owner_id?: string;
	folder_token?: string;
	[key: string]: unknown;
}

export interface SheetInfo {
	sheet_id: string;
	title?: string;
	index?: number;
	hidden?: boolean;
	grid_properties?: { frozen_row_count?: number; frozen_column_count?: number; row_count?: number; column_count?: number };
	resource_type?: string;
	[key: string]: unknown;
}

export type CellValue = unknown;

export interface ValueRange {
	range: string;
	majorDimension?: string;
	revision?: number;
	values: CellValue[][];
}

export interface WriteResult {
	spreadsheetToken?: string;
	revision?: number;
	updatedRange: string;
	updatedRows: number;
	updatedColumns: number;
	updatedCells: number;
}

export interface AppendResult {
	spreadsheetToken?: string;
	revision?: number;
	tableRange?: string;
	updates: WriteResult;
}

// ---- ranges (A1 notation) ----

const SHEET_ID = /^[A-Za-z0-9_-]{1,64}$/;
const A1 = /^([A-Z]{1,3})(\d*)(?::([A-Z]{1,3})(\d*))?$/;

/** A column's letters as its 0-based index (A = 0, Z = 25, AA = 26). */
export function columnIndex(letters: string): number {
	let n = 0;
	for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
	return n - 1;
}

/** A 0-based column index as letters. */
export function columnName(index: number): string {
	let n = index + 1;
	let out = '';
	while (n > 0) {
		const r = (n - 1) % 26;
		out = String.fromCharCode(65 + r) + out;
		n = Math.floor((n - 1) / 26);
	}
	return out;
}

/** A cell range inside one sheet: columns 0-based, rows 1-based (undefined: open-ended). */
export interface CellRange {
	startColumn: number;
	startRow?: number;
	endColumn: number;
	endRow?: number;
}

/** `A1:C10`, `A:C`, `A2:C` or a single cell `B3`; undefined for empty text (the whole sheet). */
export function parseA1(text: string | undefined, field = 'Range'): CellRange | undefined {
	const value = (text ?? '').trim().toUpperCase();
	if (!value) return undefined;
	const m = A1.exec(value);
	if (!m) throw new FeishuValidationError(field, `"${value.slice(0, 40)}" is not an A1 range such as A1:C10, A:C or A2:C`);
	const [, c1, r1, c2, r2] = m;
	const range: CellRange = { startColumn: columnIndex(c1), endColumn: columnIndex(c2 ?? c1), ...(r1 ? { startRow: Number(r1) } : {}) };
	const endRow = c2 === undefined ? r1 : r2;
	if (endRow) range.endRow = Number(endRow);
	if (range.startRow === 0 || range.endRow === 0) throw new FeishuValidationError(field, 'rows are counted from 1');
	if (range.endColumn < range.startColumn || (range.startRow && range.endRow && range.endRow < range.startRow)) {
		throw new FeishuValidationError(field, `"${value}" ends before it starts`);
	}
	return range;
}

/** A cell range back in A1 notation. */
export function formatA1(r: CellRange): string {
	return `${columnName(r.startColumn)}${r.startRow ?? ''}:${columnName(r.endColumn)}${r.endRow ?? ''}`;
}

/** A sheet id, checked (letters, digits, "_" and "-"). */
export function sheetIdOf(input: string | undefined, field = 'Sheet'): string {
	const value = (input ?? '').trim();
	const parsed = parseSheetsUrl(value);
	if (parsed) {
		if (!parsed.sheetId) throw new FeishuValidationError(field, 'the link names no sheet (it has no ?sheet=…): open the sheet and copy its link, or pick it from the list');
		return parsed.sheetId;
	}
	if (!value) throw new FeishuValidationError(field, 'is required');
	if (!SHEET_ID.test(value)) throw new FeishuValidationError(field, `"${value.slice(0, 40)}" is not a sheet ID (as in the link after ?sheet=)`);
	return value;
}

/** Feishu's range `<sheetId>!A1:C10`, or the bare sheet id for the whole sheet. */
export function sheetRange(sheetId: string, a1?: string, field = 'Range'): string {
	const id = sheetIdOf(sheetId);
	const cells = parseA1(a1, field);
	return cells ? `${id}!${formatA1(cells)}` : id;
}

/** A full range as Feishu answers it (`6e5ed3!A1:C3`), split. */
export function splitRange(range: string): { sheetId: string; cells?: CellRange } {
	const at = range.indexOf('!');
	if (at < 0) return { sheetId: sheetIdOf(range) };
	return { sheetId: sheetIdOf(range.slice(0, at)), cells: parseA1(range.slice(at + 1)) };
}

/** The range as one URL path segment (checked first: a sheet id and A1 cells, nothing else). */
function rangeSegment(range: string): string {
	splitRange(range);
	return encodeURIComponent(range);
}

// ---- links and tokens ----

export interface SheetsLocation {
	spreadsheetToken: string;
	sheetId?: string;
}

const SPREADSHEET: DocumentKind = { segment: 'sheets', field: 'Spreadsheet', name: 'spreadsheet', tokenName: 'spreadsheet token', aTokenName: 'a spreadsheet token' };

/** The token (and sheet) in a spreadsheet's link; `undefined` for text that is no URL at all. */
export function parseSheetsUrl(input: string): SheetsLocation | undefined {
	const parsed = parseDocumentUrl(input, SPREADSHEET);
	if (!parsed) return undefined;
	const sheet = parsed.query.get('sheet') ?? undefined;
	return { spreadsheetToken: parsed.token, ...(sheet && SHEET_ID.test(sheet) ? { sheetId: sheet } : {}) };
}

/** A spreadsheet's token from its link or the token itself. */
export function spreadsheetTokenOf(input: string | undefined): string {
	return documentTokenOf(input, SPREADSHEET);
}

// ---- values ----

/** A 2-D array as Feishu writes it: at most 5,000 rows of at most 100 cells, each at most 50,000 characters. */
export function checkValues(values: unknown, field = 'Values'): CellValue[][] {
	if (!Array.isArray(values) || values.some((row) => !Array.isArray(row))) throw new FeishuValidationError(field, 'should be a list of rows, each a list of cells: [["Name", "Amount"], ["Alice", 1]]');
	const rows = values as CellValue[][];
	if (rows.length === 0) throw new FeishuValidationError(field, 'has no rows');
	if (rows.length > SHEETS_LIMITS.writeRows) throw new FeishuValidationError(field, `has ${rows.length} rows; Feishu writes at most ${SHEETS_LIMITS.writeRows} per request`);
	rows.forEach((row, r) => {
		if (row.length > SHEETS_LIMITS.writeColumns) throw new FeishuValidationError(field, `row ${r + 1} has ${row.length} cells; Feishu writes at most ${SHEETS_LIMITS.writeColumns} columns`);
		row.forEach((cell, c) => {
			const text = typeof cell === 'string' ? cell : cell && typeof cell === 'object' ? JSON.stringify(cell) : '';
			if (text.length > SHEETS_LIMITS.cellChars) throw new FeishuValidationError(field, `cell ${columnName(c)}${r + 1} has ${text.length} characters; Feishu takes at most ${SHEETS_LIMITS.cellChars}`);
		});
	});
	return rows;
}

/** The widest row's length. */
export function widthOf(values: readonly (readonly unknown[])[]): number {
	return values.reduce((w, row) => Math.max(w, row.length), 0);
}

/** The rows under a header row as objects keyed by its cells (an empty header: the column's letter). */
export function rowsToObjects(values: readonly (readonly unknown[])[], firstColumn = 0): { headers: string[]; rows: Record<string, unknown>[] } {
	const [head = [], ...body] = values;
	const width = widthOf(values);
	const headers: string[] = [];
	for (let c = 0; c < width; c++) {
		const h = head[c];
		let name = h === null || h === undefined || h === '' ? columnName(firstColumn + c) : String(typeof h === 'object' ? ((h as { text?: unknown }).text ?? JSON.stringify(h)) : h);
		while (headers.includes(name)) name = `${name}_${c + 1}`;
		headers.push(name);
	}
	const rows = body
		.filter((row) => row.some((cell) => cell !== null && cell !== undefined && cell !== ''))
		.map((row) => Object.fromEntries(headers.map((h, c) => [h, row[c] ?? null])));
	return { headers, rows };
}

/** Objects as rows in the order of `columns` (a missing key: an empty cell). */
export function objectsToRows(objects: readonly Record<string, unknown>[], columns: readonly string[]): CellValue[][] {
	return objects.map((o) => columns.map((c) => (Object.hasOwn(o, c) ? cellOf(o[c]) : null)));
}

/** A value as a cell: text, numbers and Feishu's cell objects (links, formulas, mentions) as they are; other objects as JSON. */
export function cellOf(value: unknown): CellValue {
	if (value === undefined) return null;
	if (value === null || typeof value === 'string' || typeof value === 'number') return value;
	if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
	if (typeof value === 'object' && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string') return value;
	return JSON.stringify(value);
}

// ---- spreadsheets and sheets ----

const tokenPath = (token: string) => seg(pathId('spreadsheet_token', token));

export async function createSpreadsheet(client: FeishuApiClient, p: { title?: string; folderToken?: string }): Promise<Spreadsheet> {
	const title = (p.title ?? '').trim();
	if ([...title].length > SHEETS_LIMITS.titleChars) throw new FeishuValidationError('Title', `is longer than ${SHEETS_LIMITS.titleChars} characters`);
	const folder = (p.folderToken ?? '').trim();
	const data = await client.request<{ spreadsheet: Spreadsheet }>({
		method: 'POST',
		path: SHEETS_V3,
		body: { ...(title ? { title } : {}), ...(folder ? { folder_token: pathId('Folder Token', folder) } : {}) },
	});
	return data.spreadsheet;
}

export async function getSpreadsheet(client: FeishuApiClient, p: { spreadsheetToken: string; userIdType?: string }): Promise<Spreadsheet> {
	const data = await client.request<{ spreadsheet: Spreadsheet }>({ method: 'GET', path: `${SHEETS_V3}/${tokenPath(p.spreadsheetToken)}`, query: { user_id_type: p.userIdType || undefined } });
	return data.spreadsheet;
}

/** Every sheet of the spreadsheet, in their order (Feishu answers them all at once). */
export async function listSheets(client: FeishuApiClient, p: { spreadsheetToken: string }): Promise<SheetInfo[]> {
	const data = await client.request<{ sheets?: SheetInfo[] }>({ method: 'GET', path: `${SHEETS_V3}/${tokenPath(p.spreadsheetToken)}/sheets/query` });
	return data.sheets ?? [];
}

export async function getSheet(client: FeishuApiClient, p: { spreadsheetToken: string; sheetId: string }): Promise<SheetInfo> {
	const data = await client.request<{ sheet: SheetInfo }>({ method: 'GET', path: `${SHEETS_V3}/${tokenPath(p.spreadsheetToken)}/sheets/${seg(sheetIdOf(p.sheetId))}` });
	return data.sheet;
}

/** A new sheet (at `index`, default the first position): its sheetId, title, index. */
export async function addSheet(client: FeishuApiClient, p: { spreadsheetToken: string; title: string; index?: number }): Promise<{ sheetId: string; title: string; index: number }> {
	const title = p.title.trim();
	if (!title) throw new FeishuValidationError('Title', 'is required');
	if ([...title].length > 100 || /[/\\?*[\]:]/.test(title)) throw new FeishuValidationError('Title', 'should be at most 100 characters, without / \\ ? * [ ] :');
	if (p.index !== undefined && (!Number.isInteger(p.index) || p.index < 0)) throw new FeishuValidationError('Index', 'is a position from 0');
	const data = await client.request<{ replies?: { addSheet?: { properties?: { sheetId: string; title: string; index: number } } }[] }>({
		method: 'POST',
		path: `${SHEETS_V2}/${tokenPath(p.spreadsheetToken)}/sheets_batch_update`,
		body: { requests: [{ addSheet: { properties: { title, ...(p.index !== undefined ? { index: p.index } : {}) } } }] },
	});
	const made = data.replies?.[0]?.addSheet?.properties;
	if (!made) throw new FeishuValidationError('Sheets', 'Feishu answered no new sheet');
	return made;
}

// ---- values ----

export async function readRange(
	client: FeishuApiClient,
	p: { spreadsheetToken: string; range: string; valueRenderOption?: string; dateTimeRenderOption?: string; userIdType?: string },
): Promise<ValueRange> {
	if (p.valueRenderOption && !(VALUE_RENDER_OPTIONS as readonly string[]).includes(p.valueRenderOption)) throw new FeishuValidationError('Value Render Option', `is one of ${VALUE_RENDER_OPTIONS.join(', ')}`);
	const data = await client.request<{ valueRange: ValueRange }>({
		method: 'GET',
		path: `${SHEETS_V2}/${tokenPath(p.spreadsheetToken)}/values/${rangeSegment(p.range)}`,
		query: { valueRenderOption: p.valueRenderOption || undefined, dateTimeRenderOption: p.dateTimeRenderOption || undefined, user_id_type: p.userIdType || undefined },
	});
	return { ...data.valueRange, values: data.valueRange?.values ?? [] };
}

/** Writes `values` from the range's first cell (one request: at most 5,000 rows, 100 columns). */
export async function writeRange(client: FeishuApiClient, p: { spreadsheetToken: string; range: string; values: unknown }): Promise<WriteResult> {
	const values = checkValues(p.values);
	splitRange(p.range);
	return client.request<WriteResult>({
		method: 'PUT',
		path: `${SHEETS_V2}/${tokenPath(p.spreadsheetToken)}/values`,
		body: { valueRange: { range: p.range, values } },
		// The same values in the same cells: safe to repeat.
		repeatable: true,
	});
}

/** Adds rows after the range's last filled row (INSERT_ROWS: new rows are inserted first, nothing is overwritten). */
export async function appendRows(client: FeishuApiClient, p: { spreadsheetToken: string; range: string; values: unknown; insertDataOption?: InsertDataOption }): Promise<AppendResult> {
	const values = checkValues(p.values);
	splitRange(p.range);
	const option = p.insertDataOption ?? 'INSERT_ROWS';
	if (!(INSERT_DATA_OPTIONS as readonly string[]).includes(option)) throw new FeishuValidationError('Insert Data Option', `is one of ${INSERT_DATA_OPTIONS.join(', ')}`);
	return client.request<AppendResult>({
		method: 'POST',
		path: `${SHEETS_V2}/${tokenPath(p.spreadsheetToken)}/values_append`,
		query: { insertDataOption: option },
		body: { valueRange: { range: p.range, values } },
	});
}

/**
 * Empties the range's cells (Feishu has no clear call: the cells are written empty). An open range
 * (`A:C`, `A2:C`, the whole sheet) ends at the sheet's last row; more than 5,000 rows go in several writes.
 */
export async function clearRange(client: FeishuApiClient, p: { spreadsheetToken: string; range: string }): Promise<{ clearedRange: string; clearedRows: number; clearedColumns: number; requests: number }> {
	const { sheetId, cells } = splitRange(p.range);
	let range = cells;
	if (!range || range.endRow === undefined) {
		const grid = (await getSheet(client, { spreadsheetToken: p.spreadsheetToken, sheetId })).grid_properties ?? {};
		const rows = grid.row_count ?? 0;
		const columns = grid.column_count ?? 0;
		range = range ? { ...range, startRow: range.startRow ?? 1, endRow: rows } : { startColumn: 0, startRow: 1, endColumn: Math.max(columns - 1, 0), endRow: rows };
	}
	const startRow = range.startRow ?? 1;
	const endRow = range.endRow ?? startRow;
	const width = range.endColumn - range.startColumn + 1;
	if (width > SHEETS_LIMITS.writeColumns) throw new FeishuValidationError('Range', `spans ${width} columns; Feishu writes at most ${SHEETS_LIMITS.writeColumns} at a time: clear it in parts`);
	let requests = 0;
	for (let from = startRow; from <= endRow; from += SHEETS_LIMITS.writeRows) {
		const to = Math.min(from + SHEETS_LIMITS.writeRows - 1, endRow);
		const part = `${sheetId}!${formatA1({ startColumn: range.startColumn, startRow: from, endColumn: range.endColumn, endRow: to })}`;
		await writeRange(client, { spreadsheetToken: p.spreadsheetToken, range: part, values: Array.from({ length: to - from + 1 }, () => Array.from({ length: width }, () => null)) });
		requests++;
	}
	const clearedRows = Math.max(endRow - startRow + 1, 0);
	return { clearedRange: `${sheetId}!${formatA1({ ...range, startRow, endRow })}`, clearedRows, clearedColumns: width, requests };
}

export interface FindOptions {
	matchCase?: boolean;
	matchEntireCell?: boolean;
	searchByRegex?: boolean;
	includeFormulas?: boolean;
}

/** The cells of the range (default: the whole sheet) that contain `find` (or match it). */
export async function findCells(
	client: FeishuApiClient,
	p: { spreadsheetToken: string; sheetId: string; range?: string; find: string } & FindOptions,
): Promise<{ matched_cells: string[]; matched_formula_cells: string[]; rows_count: number }> {
	const sheetId = sheetIdOf(p.sheetId);
	if (!p.find) throw new FeishuValidationError('Find', 'is required');
	if (p.searchByRegex) {
		try {
			new RegExp(p.find);
		} catch (error) {
			throw new FeishuValidationError('Find', `is not a valid regular expression (${(error as Error).message})`);
		}
	}
	const data = await client.request<{ find_result?: { matched_cells?: string[]; matched_formula_cells?: string[]; rows_count?: number } }>({
		method: 'POST',
		path: `${SHEETS_V3}/${tokenPath(p.spreadsheetToken)}/sheets/${seg(sheetId)}/find`,
		body: {
			find_condition: { range: p.range || sheetId, match_case: p.matchCase ?? false, match_entire_cell: p.matchEntireCell ?? false, search_by_regex: p.searchByRegex ?? false, include_formulas: p.includeFormulas ?? false },
			find: p.find,
		},
		repeatable: true,
	});
	const r = data.find_result ?? {};
	return { matched_cells: r.matched_cells ?? [], matched_formula_cells: r.matched_formula_cells ?? [], rows_count: r.rows_count ?? 0 };
}
