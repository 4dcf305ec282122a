// Write Range and Append Rows over all input items at once (ItemOperation.executeBatch): items of one
// spreadsheet, sheet and range become the rows of one write, sent in requests of at most 5,000 rows
// (Feishu's cap), one at a time; each item gets its own result (the range its row landed in) or its
// own failure. From input items, the columns follow the header row: the Columns option, else (appending)
// the sheet's own header row, else the items' fields, written as the header row first. A 2-D array
// (Values (JSON)) is appended the same way; written, each item's array goes to its own range.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import {
	appendRows,
	cellOf,
	checkValues,
	columnName,
	FeishuValidationError,
	formatA1,
	objectsToRows,
	readRange,
	SHEETS_LIMITS,
	splitRange,
	writeRange,
	type CellRange,
	type FeishuApiClient,
	type InsertDataOption,
} from '../../../../lib/feishu';
import { options, param } from '../shared';
import { ItemFailure, type BatchContext, type BatchItemResult, type ItemContext } from '../types';
import { cellsOf, columnsOption, jsonValues, sheetOf, tokenOf } from './shared';

type Mode = 'append' | 'write';

interface Entry {
	index: number;
	context: ItemContext;
	/** Rows from JSON; from items they are made once the columns are known. */
	rows?: unknown[][];
}

interface Group {
	token: string;
	sheetId: string;
	cells?: CellRange;
	fromItems: boolean;
	columns: string[];
	entries: Entry[];
}

interface Owned {
	/** The entry's position in its group, -1 for the header row. */
	owner: number;
	row: unknown[];
}

/** The row (1-based) a range such as `6e5ed3!A5:D9` starts at. */
function firstRowOf(range: string): number {
	const row = splitRange(range).cells?.startRow;
	if (!row) throw new FeishuValidationError('Range', `Feishu answered the range "${range}" without a row`);
	return row;
}

/** The header row already in the sheet (the range's first row), as text; empty when there is none. */
async function sheetHeader(client: FeishuApiClient, g: Group): Promise<string[]> {
	const startColumn = g.cells?.startColumn ?? 0;
	const row = g.cells?.startRow ?? 1;
	const bounded = boundedOf(g.cells);
	const endColumn = bounded ? bounded.endColumn : startColumn + SHEETS_LIMITS.writeColumns - 1;
	const read = await readRange(client, { spreadsheetToken: g.token, range: `${g.sheetId}!${formatA1({ startColumn, startRow: row, endColumn, endRow: row })}`, valueRenderOption: 'ToString' });
	const cells = read.values[0] ?? [];
	let last = cells.length - 1;
	while (last >= 0 && (cells[last] === null || cells[last] === '')) last--;
	return cells.slice(0, last + 1).map((c) => (c === null || c === undefined ? '' : typeof c === 'object' ? String((c as { text?: unknown }).text ?? '') : String(c)));
}

/** An item's fields as cells, each within Feishu's 50,000 characters (checked before anything is sent). */
function checkItemCells(json: IDataObject): void {
	for (const [key, value] of Object.entries(json)) {
		const cell = cellOf(value);
		const text = typeof cell === 'string' ? cell : cell && typeof cell === 'object' ? JSON.stringify(cell) : '';
		if (text.length > SHEETS_LIMITS.cellChars) throw new FeishuValidationError('Input Items', `field "${key}" has ${text.length} characters; Feishu takes at most ${SHEETS_LIMITS.cellChars} a cell`);
	}
}

/** A range given as one cell (B3) only says where the rows start. */
const boundedOf = (cells: CellRange | undefined) => (cells && !(cells.startColumn === cells.endColumn && cells.startRow === cells.endRow) ? cells : undefined);

function unionOfKeys(entries: readonly Entry[]): string[] {
	const keys = new Set<string>();
	for (const e of entries) for (const k of Object.keys(e.context.item.json)) keys.add(k);
	return [...keys];
}

export async function runRowWrites(batch: BatchContext, mode: Mode, itemIndexes?: number[]): Promise<BatchItemResult[]> {
	const { ctx, items } = batch;
	const client = batch.client;
	if (!client) throw new Error('this operation needs the Feishu API client');
	const results: BatchItemResult[] = new Array(items.length);
	const groups = new Map<string, Group>();

	// Every item read and checked before anything is written.
	for (let i = 0; i < items.length; i++) {
		const context: ItemContext = { ctx, i: itemIndexes?.[i] ?? i, item: items[i], client };
		try {
			const token = tokenOf(context);
			const sheetId = sheetOf(context);
			const cells = cellsOf(context);
			const fromItems = param<string>(context, 'dataMode', 'items') !== 'json';
			const rows = fromItems ? undefined : checkValues(jsonValues(context), 'Values (JSON)');
			const columns = fromItems ? columnsOption(context) : [];
			if (fromItems) checkItemCells(context.item.json);
			const key = mode === 'write' && !fromItems ? `item:${i}` : JSON.stringify([token, sheetId, cells ? formatA1(cells) : '', fromItems, columns, mode === 'write' ? options(context).headerRow !== false : '']);
			let g = groups.get(key);
			if (!g) groups.set(key, (g = { token, sheetId, cells, fromItems, columns, entries: [] }));
			g.entries.push({ index: i, context, rows });
		} catch (error) {
			const failure = new ItemFailure(error, context.i);
			if (!ctx.continueOnFail()) throw failure;
			results[i] = failure;
		}
	}

	for (const g of groups.values()) {
		const first = g.entries[0].context;
		const owned: Owned[] = [];
		try {
			if (g.fromItems) {
				let header = false;
				if (!g.columns.length && mode === 'append') g.columns = await sheetHeader(client, g);
				if (!g.columns.length) {
					g.columns = unionOfKeys(g.entries);
					header = true;
				} else if (mode === 'append' && columnsOption(first).length) {
					header = (await sheetHeader(client, g)).length === 0;
				}
				if (mode === 'write') header = options(first).headerRow !== false;
				if (!g.columns.length) throw new FeishuValidationError('Columns', 'the items have no fields to write');
				if (g.columns.length > SHEETS_LIMITS.writeColumns) throw new FeishuValidationError('Columns', `${g.columns.length} columns; Feishu writes at most ${SHEETS_LIMITS.writeColumns}`);
				if (header) owned.push({ owner: -1, row: g.columns });
				g.entries.forEach((e, k) => {
					const [row] = objectsToRows([e.context.item.json as Record<string, unknown>], g.columns);
					e.rows = [row];
					owned.push({ owner: k, row });
				});
				for (let at = 0; at < owned.length; at += SHEETS_LIMITS.writeRows) checkValues(owned.slice(at, at + SHEETS_LIMITS.writeRows).map((o) => o.row), 'Input Items');
			} else {
				g.entries.forEach((e, k) => e.rows!.forEach((row) => owned.push({ owner: k, row })));
			}
		} catch (error) {
			for (const e of g.entries) results[e.index] = new ItemFailure(error, e.context.i);
			if (!ctx.continueOnFail()) throw results[g.entries[0].index];
			continue;
		}

		const startColumn = g.cells?.startColumn ?? 0;
		const width = Math.max(...owned.map((o) => o.row.length), 1);
		const bounded = boundedOf(g.cells);
		const endColumn = Math.max(startColumn + width - 1, bounded ? bounded.endColumn : 0);
		const startRow = g.cells?.startRow ?? 1;
		if (mode === 'write' && bounded?.endRow !== undefined && startRow + owned.length - 1 > bounded.endRow) {
			const error = new FeishuValidationError('Range', `${owned.length} rows do not fit in ${formatA1(bounded)}: widen the range or leave its end row open (e.g. A2:D)`);
			for (const e of g.entries) results[e.index] = new ItemFailure(error, e.context.i);
			if (!ctx.continueOnFail()) throw results[g.entries[0].index];
			continue;
		}
		if (bounded && startColumn + width - 1 > bounded.endColumn) {
			const error = new FeishuValidationError('Range', `${width} columns do not fit in ${formatA1(bounded)}`);
			for (const e of g.entries) results[e.index] = new ItemFailure(error, e.context.i);
			if (!ctx.continueOnFail()) throw results[g.entries[0].index];
			continue;
		}

		// Where each entry's rows landed: the first row and the count.
		const landed = new Map<number, { first: number; rows: number; revision?: number }>();
		const failed = new Map<number, unknown>();
		let stopped: unknown;
		for (let at = 0; at < owned.length; at += SHEETS_LIMITS.writeRows) {
			const chunk = owned.slice(at, at + SHEETS_LIMITS.writeRows);
			const owners = new Set(chunk.map((o) => o.owner));
			if (stopped !== undefined) {
				for (const k of owners) if (k >= 0) failed.set(k, stopped);
				continue;
			}
			const values = chunk.map((o) => o.row);
			try {
				let firstRow: number;
				let revision: number | undefined;
				if (mode === 'append') {
					const insertDataOption = (options(first).insertDataOption as InsertDataOption | undefined) ?? 'INSERT_ROWS';
					const range = `${g.sheetId}!${columnName(startColumn)}${startRow}:${columnName(endColumn)}`;
					const r = await appendRows(client, { spreadsheetToken: g.token, range, values, insertDataOption });
					firstRow = firstRowOf(r.updates?.updatedRange ?? r.tableRange ?? '');
					revision = r.updates?.revision ?? r.revision;
				} else {
					const row = startRow + at;
					const range = `${g.sheetId}!${formatA1({ startColumn, startRow: row, endColumn: startColumn + width - 1, endRow: row + chunk.length - 1 })}`;
					const r = await writeRange(client, { spreadsheetToken: g.token, range, values });
					firstRow = firstRowOf(r.updatedRange);
					revision = r.revision;
				}
				chunk.forEach((o, k) => {
					if (o.owner < 0) return;
					const seen = landed.get(o.owner);
					if (seen) seen.rows++;
					else landed.set(o.owner, { first: firstRow + k, rows: 1, revision });
				});
			} catch (error) {
				stopped = error;
				for (const k of owners) if (k >= 0) failed.set(k, error);
			}
		}

		g.entries.forEach((e, k) => {
			const error = failed.get(k);
			if (error !== undefined) {
				results[e.index] = new ItemFailure(error, e.context.i);
				return;
			}
			const at = landed.get(k);
			if (!at) {
				results[e.index] = new ItemFailure(new FeishuValidationError('Values (JSON)', 'had no rows to write'), e.context.i);
				return;
			}
			const json: IDataObject = {
				spreadsheet_token: g.token,
				sheet_id: g.sheetId,
				updated_range: `${g.sheetId}!${formatA1({ startColumn, startRow: at.first, endColumn: startColumn + width - 1, endRow: at.first + at.rows - 1 })}`,
				row: at.first,
				updated_rows: at.rows,
				...(at.revision !== undefined ? { revision: at.revision } : {}),
			};
			if (g.fromItems) json.values = Object.fromEntries(g.columns.map((c, j) => [c, (e.rows![0][j] ?? null) as IDataObject[string]]));
			results[e.index] = { json } as INodeExecutionData;
		});
	}
	return results;
}

/** `execute` for one item, through the same batch path (a batch of one). */
export async function oneRowWrite(context: ItemContext, mode: Mode): Promise<INodeExecutionData> {
	let result: BatchItemResult;
	try {
		[result] = await runRowWrites({ ctx: context.ctx, items: [context.item], client: context.client }, mode, [context.i]);
	} catch (error) {
		throw error instanceof ItemFailure ? error.error : error;
	}
	if (result instanceof ItemFailure) throw result.error;
	return result as INodeExecutionData;
}
