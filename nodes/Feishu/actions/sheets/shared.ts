// What the Sheets operations share: the item's spreadsheet (a link or the token), its sheet (picked,
// a link, an ID, or the ?sheet= of the spreadsheet's link), the range, and the rows to write (from the
// input items by column name, or a 2-D array of JSON).
import type { IDataObject } from 'n8n-workflow';
import { FeishuValidationError, parseA1, parseSheetsUrl, sheetIdOf, sheetRange, spreadsheetTokenOf, type CellRange } from '../../../../lib/feishu';
import { locatorValue, options, param } from '../shared';
import type { ItemContext } from '../types';

export function tokenOf(context: ItemContext): string {
	return spreadsheetTokenOf(locatorValue(context, 'spreadsheetToken'));
}

/** The sheet: as picked, or from the spreadsheet's link (…?sheet=) when the Sheet field is left empty. */
export function sheetOf(context: ItemContext): string {
	const picked = locatorValue(context, 'sheetId').trim();
	if (picked) return sheetIdOf(picked);
	// The locator's text as typed (its extracted value is the token alone).
	const raw = context.ctx.getNodeParameter('spreadsheetToken', context.i, '') as unknown;
	const text = raw && typeof raw === 'object' && 'value' in raw ? String((raw as { value: unknown }).value ?? '') : String(raw ?? '');
	const fromLink = /^https?:\/\//i.test(text.trim()) ? parseSheetsUrl(text)?.sheetId : undefined;
	if (fromLink) return fromLink;
	throw new FeishuValidationError('Sheet', 'is required: pick the sheet, or paste the spreadsheet\'s link with its ?sheet=');
}

/** The A1 cells of the Range field (undefined: the whole sheet). */
export function cellsOf(context: ItemContext): CellRange | undefined {
	return parseA1(param<string>(context, 'range', ''));
}

/** Feishu's range for the item: `<sheetId>!A1:D10`, or the sheet alone. */
export function rangeOf(context: ItemContext): string {
	return sheetRange(sheetOf(context), param<string>(context, 'range', ''));
}

/** The Columns option as a list (empty: not set). */
export function columnsOption(context: ItemContext): string[] {
	return String(options(context).columns ?? '')
		.split(',')
		.map((c) => c.trim())
		.filter(Boolean);
}

/** The Values (JSON) field as rows of cells. */
export function jsonValues(context: ItemContext): unknown[][] {
	let value: unknown = param(context, 'values', '[]');
	if (typeof value === 'string') {
		let problem: string | undefined;
		try {
			value = JSON.parse(value);
		} catch (error) {
			problem = (error as Error).message;
		}
		if (problem !== undefined) throw new FeishuValidationError('Values (JSON)', `is not valid JSON (${problem})`);
	}
	if (!Array.isArray(value) || value.some((row) => !Array.isArray(row))) throw new FeishuValidationError('Values (JSON)', 'should be a list of rows, each a list of cells: [["Alice", 1], ["Bob", 2]]');
	return value as unknown[][];
}

/** The fields of the item that go into the sheet (its JSON as it is). */
export function itemFields(context: ItemContext): IDataObject {
	return context.item.json;
}
