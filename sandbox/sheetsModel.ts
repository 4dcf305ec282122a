// Sheets (电子表格) as the sandbox keeps them (docs/protocol.md, "Sheets"): spreadsheets of the tenant,
// each with the apps that may open it (a spreadsheet an app creates is its own; others are shared with
// apps as collaborators, edit or read), its sheets in order, and each sheet's grid of cells. Kept in
// the resource store, so /_sandbox/reset clears them. Ranges are Feishu's A1 notation; the error codes
// are the Sheets ones (v2 `902xx`, v3 `1310xxx`), with the HTTP status each family answers.
import { randomBytes } from 'node:crypto';
import { ApiError, type ApiContext } from './openApi';
import type { ResourceRecord, ResourceStore } from './resourceStore';

export const SHEETS_FAMILY = 'sheets.sandbox.spreadsheet';

/** Feishu's limits: 5,000 rows and 100 columns per write, 50,000 characters a cell, 10 MB a read's answer, 255 a title. */
export const SHEETS_LIMITS = { writeRows: 5000, writeColumns: 100, cellChars: 50_000, responseBytes: 10 * 1024 * 1024, titleChars: 255, sheetTitleChars: 100 } as const;

/** A new sheet's grid (Feishu: 200 rows, 20 columns). */
export const DEFAULT_GRID = { rows: 200, columns: 20 } as const;

export type Permission = 'edit' | 'read';
export type Cell = unknown;

export interface SheetRecord {
	sheet_id: string;
	title: string;
	hidden: boolean;
	rowCount: number;
	columnCount: number;
	/** Rows of cells (0-based); missing rows and cells are empty. */
	cells: Cell[][];
}

export interface SpreadsheetRecord extends ResourceRecord {
	spreadsheet_token: string;
	title: string;
	/** Whose space it is in (an open_id: a person's, or the bot's of the app that made it); its owner may always edit it. */
	owner_id: string;
	/** The Drive folder it is in; '' for the root of its owner's space. */
	folder_token: string;
	created_time: number;
	/** `all`: every app of the tenant may edit it; otherwise the apps added as collaborators. */
	collaborators: 'all' | Record<string, Permission>;
	sheets: SheetRecord[];
	revision: number;
}

/** The two families' codes: v2 (`/sheets/v2/…`) and v3 (`/sheets/v3/…`); HTTP 400 unless said otherwise. */
const ERRORS = {
	v2: {
		range: [400, 90202, 'validate RangeVal fail'],
		body: [400, 90204, 'WrongRequestBody'],
		emptyTitle: [400, 90207, 'EmptySheetTitle'],
		titleExists: [400, 90210, 'ExistSheetTitle'],
		permission: [403, 90213, 'PermissionFail'],
		notFound: [400, 90214, 'SpreadSheetNotFound'],
		sheetNotFound: [400, 90215, 'SheetIdNotFound'],
		tooLargeResponse: [400, 90221, 'TooLargeResponse'],
		tooLargeCell: [400, 90222, 'TooLargeCell'],
		tooLargeRequest: [400, 90227, 'TooLargeRequest'],
	},
	v3: {
		range: [400, 1310202, 'Wrong Range'],
		body: [400, 1310204, 'Wrong Request Body'],
		permission: [400, 1310213, 'Permission Fail'],
		notFound: [400, 1310214, 'SpreadSheet Not Found'],
		sheetNotFound: [400, 1310215, 'Sheet Id Not Found'],
	},
} as const satisfies Record<string, Record<string, readonly [number, number, string]>>;

export type SheetsVersion = keyof typeof ERRORS;
type ErrorName = keyof (typeof ERRORS)['v2'] | keyof (typeof ERRORS)['v3'];

export function sheetsError(version: SheetsVersion, name: ErrorName, detail?: string): ApiError {
	const table = ERRORS[version] as Record<string, readonly [number, number, string]>;
	const [status, code, msg] = table[name] ?? ERRORS.v2[name as keyof (typeof ERRORS)['v2']];
	return new ApiError(status, code, detail ? `${msg}: ${detail}` : msg);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function sheetsId(length: number): string {
	return [...randomBytes(length)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

// ---- A1 ranges ----

export function columnIndex(letters: string): number {
	let n = 0;
	for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
	return n - 1;
}

export function columnName(index: number): string {
	let n = index + 1;
	let out = '';
	while (n > 0) {
		out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
		n = Math.floor((n - 1) / 26);
	}
	return out;
}

/** A parsed range: columns 0-based, rows 1-based; an end left open is undefined. */
export interface ParsedRange {
	sheetId: string;
	startColumn?: number;
	startRow?: number;
	endColumn?: number;
	endRow?: number;
}

const RANGE = /^([A-Za-z0-9_-]{1,64})(?:!([A-Z]{1,3})(\d*)(?::([A-Z]{1,3})(\d*))?)?$/;

/** `sheetId`, `sheetId!A1:C10`, `sheetId!A:C`, `sheetId!A2:C` or `sheetId!B3`; 90202 (v3: 1310202) otherwise. */
export function parseRange(text: unknown, version: SheetsVersion = 'v2'): ParsedRange {
	const m = typeof text === 'string' ? RANGE.exec(text) : null;
	if (!m) throw sheetsError(version, 'range', `"${String(text).slice(0, 60)}" is not <sheetId>!<start>:<end>`);
	const [, sheetId, c1, r1, c2, r2] = m;
	if (!c1) return { sheetId };
	const single = c2 === undefined;
	const out: ParsedRange = { sheetId, startColumn: columnIndex(c1), endColumn: columnIndex(single ? c1 : c2) };
	if (r1) out.startRow = Number(r1);
	const endRow = single ? r1 : r2;
	if (endRow) out.endRow = Number(endRow);
	if (out.startRow === 0 || out.endRow === 0 || out.endColumn! < out.startColumn! || (out.startRow && out.endRow && out.endRow < out.startRow) || (!out.startRow && out.endRow)) {
		throw sheetsError(version, 'range', `"${text}" is not a range of the sheet`);
	}
	return out;
}

export const a1 = (startColumn: number, startRow: number, endColumn: number, endRow: number) => `${columnName(startColumn)}${startRow}:${columnName(endColumn)}${endRow}`;

const isEmpty = (c: Cell) => c === null || c === undefined || c === '';
const isObject = (v: unknown): v is ResourceRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SheetsModel {
	constructor(private readonly store: ResourceStore) {}

	spreadsheets(): Map<string, SpreadsheetRecord> {
		return this.store.records(SHEETS_FAMILY, '') as Map<string, SpreadsheetRecord>;
	}

	/** The spreadsheet, if the app may open it (for `write`: edit it); Feishu's refusal otherwise. */
	open(ctx: ApiContext, token: string, write: boolean, version: SheetsVersion): SpreadsheetRecord {
		const s = this.spreadsheets().get(token);
		if (!s) throw sheetsError(version, 'notFound');
		const permission = s.collaborators === 'all' || s.owner_id === ctx.app.botOpenId ? 'edit' : s.collaborators[ctx.app.appId];
		if (!permission || (write && permission !== 'edit')) throw sheetsError(version, 'permission');
		return s;
	}

	sheet(s: SpreadsheetRecord, sheetId: string, version: SheetsVersion): SheetRecord {
		const sheet = s.sheets.find((t) => t.sheet_id === sheetId);
		if (!sheet) throw sheetsError(version, 'sheetNotFound', sheetId);
		return sheet;
	}

	create(p: { title?: string; token?: string; ownerId: string; folderToken?: string; collaborators: SpreadsheetRecord['collaborators'] }): SpreadsheetRecord {
		const token = p.token || `shtcn${sheetsId(22)}`;
		const s: SpreadsheetRecord = { spreadsheet_token: token, title: p.title ?? '', owner_id: p.ownerId, folder_token: p.folderToken ?? '', created_time: Date.now(), collaborators: p.collaborators, sheets: [], revision: 0 };
		this.spreadsheets().set(token, s);
		return s;
	}

	addSheet(s: SpreadsheetRecord, p: { title: string; index?: number; sheetId?: string; rows?: number; columns?: number }, version: SheetsVersion = 'v2'): SheetRecord {
		const title = p.title.trim();
		if (!title) throw sheetsError(version, 'emptyTitle');
		if ([...title].length > SHEETS_LIMITS.sheetTitleChars || /[/\\?*[\]:]/.test(title)) throw sheetsError(version, 'body', 'a sheet title has at most 100 characters and none of / \\ ? * [ ] :');
		if (s.sheets.some((t) => t.title === title)) throw sheetsError(version, 'titleExists', title);
		const sheet: SheetRecord = { sheet_id: p.sheetId ?? sheetsId(6), title, hidden: false, rowCount: p.rows ?? DEFAULT_GRID.rows, columnCount: p.columns ?? DEFAULT_GRID.columns, cells: [] };
		const at = p.index === undefined ? 0 : Math.min(Math.max(0, p.index), s.sheets.length);
		s.sheets.splice(at, 0, sheet);
		s.revision++;
		return sheet;
	}

	sheetInfo(s: SpreadsheetRecord, sheet: SheetRecord): ResourceRecord {
		return {
			sheet_id: sheet.sheet_id,
			title: sheet.title,
			index: s.sheets.indexOf(sheet),
			hidden: sheet.hidden,
			grid_properties: { frozen_row_count: 0, frozen_column_count: 0, row_count: sheet.rowCount, column_count: sheet.columnCount },
			resource_type: 'sheet',
		};
	}

	/** The last row (1-based) with a value in columns `from`..`to` (0 when none). */
	lastRow(sheet: SheetRecord, from = 0, to = Number.MAX_SAFE_INTEGER): number {
		for (let r = sheet.cells.length - 1; r >= 0; r--) {
			const row = sheet.cells[r] ?? [];
			for (let c = from; c <= Math.min(to, row.length - 1); c++) if (!isEmpty(row[c])) return r + 1;
		}
		return 0;
	}

	lastColumn(sheet: SheetRecord): number {
		let last = -1;
		for (const row of sheet.cells) for (let c = (row?.length ?? 0) - 1; c > last; c--) if (!isEmpty(row[c])) last = c;
		return last;
	}

	/** Checks values as Feishu takes them: rows of cells, 5,000 × 100 at most, 50,000 characters a cell. */
	checkValues(values: unknown): Cell[][] {
		if (!Array.isArray(values) || values.length === 0 || values.some((row) => !Array.isArray(row))) throw sheetsError('v2', 'body', 'valueRange.values is a list of rows');
		const rows = values as Cell[][];
		if (rows.every((row) => row.length === 0)) throw sheetsError('v2', 'body', 'valueRange.values has no cells');
		if (rows.length > SHEETS_LIMITS.writeRows) throw sheetsError('v2', 'tooLargeRequest', `at most ${SHEETS_LIMITS.writeRows} rows per request`);
		for (const row of rows) {
			if (row.length > SHEETS_LIMITS.writeColumns) throw sheetsError('v2', 'tooLargeRequest', `at most ${SHEETS_LIMITS.writeColumns} columns per request`);
			for (const cell of row) {
				const text = typeof cell === 'string' ? cell : isObject(cell) ? JSON.stringify(cell) : '';
				if (text.length > SHEETS_LIMITS.cellChars) throw sheetsError('v2', 'tooLargeCell', `a cell takes at most ${SHEETS_LIMITS.cellChars} characters`);
				if (Array.isArray(cell) || (isObject(cell) && typeof cell.type !== 'string')) throw sheetsError('v2', 'body', 'a cell is text, a number, null or a typed object ({"type": "url" | "formula" | "mention", …})');
			}
		}
		return rows;
	}

	/** Writes `values` with the top-left cell at (row, column); the grid grows to hold them. */
	put(s: SpreadsheetRecord, sheet: SheetRecord, row: number, column: number, values: Cell[][]): void {
		values.forEach((cells, i) => {
			const r = row - 1 + i;
			const target = (sheet.cells[r] ??= []);
			cells.forEach((cell, j) => {
				target[column + j] = cell === undefined ? null : cell;
			});
		});
		sheet.rowCount = Math.max(sheet.rowCount, row - 1 + values.length);
		sheet.columnCount = Math.max(sheet.columnCount, column + Math.max(...values.map((v) => v.length)));
		s.revision++;
	}

	/** Inserts `count` empty rows before `row` (1-based): the rows below move down. */
	insertRows(sheet: SheetRecord, row: number, count: number): void {
		while (sheet.cells.length < row - 1) sheet.cells.push([]);
		sheet.cells.splice(row - 1, 0, ...Array.from({ length: count }, () => [] as Cell[]));
		sheet.rowCount += count;
	}

	/** A cell as a read answers it (valueRenderOption): links and formulas are kept as written, or as their text. */
	render(cell: Cell, option: string | null): Cell {
		if (cell === undefined || cell === '') return null;
		if (!isObject(cell)) return cell;
		if (cell.type === 'formula') return String(cell.text ?? '');
		if (option === 'ToString' || option === 'FormattedValue' || option === 'UnformattedValue') return String(cell.text ?? cell.link ?? '');
		return [cell];
	}

	/** The values of a range as read answers them: rows up to the last filled one, empty cells null. */
	read(sheet: SheetRecord, r: ParsedRange, option: string | null): { range: string; values: Cell[][] } {
		const startColumn = r.startColumn ?? 0;
		const endColumn = r.endColumn ?? Math.max(this.lastColumn(sheet), 0);
		const startRow = r.startRow ?? 1;
		const last = this.lastRow(sheet, startColumn, endColumn);
		const endRow = Math.max(startRow, Math.min(r.endRow ?? last, Math.max(last, startRow)));
		const values: Cell[][] = [];
		for (let row = startRow; row <= endRow; row++) {
			const cells = sheet.cells[row - 1] ?? [];
			values.push(Array.from({ length: endColumn - startColumn + 1 }, (_, k) => this.render(cells[startColumn + k], option)));
		}
		return { range: `${sheet.sheet_id}!${a1(startColumn, startRow, endColumn, endRow)}`, values };
	}

	/** Text a find compares: numbers as written, links by their text; formulas only with include_formulas. */
	private findText(cell: Cell, includeFormulas: boolean): { text: string; formula: boolean } | undefined {
		if (isEmpty(cell)) return undefined;
		if (isObject(cell)) {
			if (cell.type === 'formula') return includeFormulas ? { text: String(cell.text ?? ''), formula: true } : undefined;
			return { text: String(cell.text ?? cell.link ?? ''), formula: false };
		}
		return { text: String(cell), formula: false };
	}

	find(sheet: SheetRecord, r: ParsedRange, p: { find: string; matchCase: boolean; matchEntireCell: boolean; regex: boolean; includeFormulas: boolean }): { matched_cells: string[]; matched_formula_cells: string[]; rows_count: number } {
		const flags = p.matchCase ? '' : 'i';
		const pattern = p.regex ? p.find : p.find.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		const re = new RegExp(p.matchEntireCell ? `^(?:${pattern})$` : pattern, flags);
		const startColumn = r.startColumn ?? 0;
		const endColumn = r.endColumn ?? Math.max(this.lastColumn(sheet), 0);
		const startRow = r.startRow ?? 1;
		const endRow = Math.min(r.endRow ?? Number.MAX_SAFE_INTEGER, this.lastRow(sheet));
		const matched: string[] = [];
		const formulas: string[] = [];
		const rows = new Set<number>();
		for (let row = startRow; row <= endRow; row++) {
			for (let c = startColumn; c <= endColumn; c++) {
				const t = this.findText(sheet.cells[row - 1]?.[c], p.includeFormulas);
				if (!t || !re.test(t.text)) continue;
				(t.formula ? formulas : matched).push(`${columnName(c)}${row}`);
				rows.add(row);
			}
		}
		return { matched_cells: matched, matched_formula_cells: formulas, rows_count: rows.size };
	}
}
