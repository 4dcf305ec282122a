// Sheets > Read Range: the range's values, one item per row keyed by the first row (empty rows left
// out), or one item with the 2-D array as Feishu answers it.
import type { IDataObject } from 'n8n-workflow';
import { readRange as read, rowsToObjects, splitRange } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { rangeOf, tokenOf } from './shared';

export const readRange: ItemOperation = {
	endpoint: 'GET /open-apis/sheets/v2/spreadsheets/:spreadsheetToken/values/:range',
	scopes: ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:readonly'],
	async execute(context) {
		const o = options(context);
		const spreadsheetToken = tokenOf(context);
		const got = await read(apiClient(context), {
			spreadsheetToken,
			range: rangeOf(context),
			valueRenderOption: (o.valueRenderOption as string | undefined) ?? 'ToString',
			dateTimeRenderOption: (o.dateTimeRenderOption as string | undefined) || undefined,
		});
		if (param<string>(context, 'output', 'headers') === 'raw') {
			return { json: { spreadsheet_token: spreadsheetToken, range: got.range, revision: got.revision ?? null, values: got.values } as unknown as IDataObject };
		}
		const { rows } = rowsToObjects(got.values, splitRange(got.range).cells?.startColumn ?? 0);
		return rows.map((row) => ({ json: row as IDataObject }));
	},
};
