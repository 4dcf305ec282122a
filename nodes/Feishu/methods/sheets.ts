// The Sheets resource's editor methods: the spreadsheets behind the Spreadsheet picker's "From List"
// (those in the caller's Drive space) and the spreadsheet's sheets behind the Sheet picker's.
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { listSheets, spreadsheetTokenOf } from '../../../lib/feishu';
import { getFeishuClient, toNodeError } from '../GenericFunctions';
import { searchDriveDocuments } from './driveDocuments';

/** The Spreadsheet parameter of the node being edited, its value extracted. */
function spreadsheetParameter(ctx: ILoadOptionsFunctions): string {
	let raw: unknown;
	try {
		raw = ctx.getCurrentNodeParameter?.('spreadsheetToken', { extractValue: true });
	} catch {
		raw = undefined;
	}
	if (raw === undefined) raw = ctx.getNodeParameter('spreadsheetToken', '') as unknown;
	const value = raw && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
	return typeof value === 'string' ? value : '';
}

/** "From List" for the Spreadsheet: the spreadsheets in the caller's Drive space whose name contains the typed text. */
export async function searchSpreadsheets(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return searchDriveDocuments(this, 'sheet', filter, paginationToken);
}

/** "From List" for the Sheet: the spreadsheet's sheets whose title or ID contains the typed text. */
export async function searchSheets(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const spreadsheet = spreadsheetParameter(this);
	if (!spreadsheet.trim()) return { results: [] };
	try {
		const client = await getFeishuClient(this);
		const sheets = await listSheets(client, { spreadsheetToken: spreadsheetTokenOf(spreadsheet) });
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = sheets
			.filter((s) => !wanted || String(s.title ?? '').toLowerCase().includes(wanted) || s.sheet_id.toLowerCase().includes(wanted))
			.map((s) => ({ name: s.title || s.sheet_id, value: s.sheet_id }));
		return { results };
	} catch (error) {
		throw toNodeError(this, error, 0);
	}
}
