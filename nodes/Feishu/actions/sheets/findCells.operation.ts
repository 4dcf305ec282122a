import { findCells as find } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { rangeOf, sheetOf, tokenOf } from './shared';

export const findCells: ItemOperation = {
	endpoint: 'POST /open-apis/sheets/v3/spreadsheets/:spreadsheet_token/sheets/:sheet_id/find',
	scopes: ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:readonly'],
	async execute(context) {
		const o = options(context);
		const spreadsheetToken = tokenOf(context);
		const range = rangeOf(context);
		const found = await find(apiClient(context), {
			spreadsheetToken,
			sheetId: sheetOf(context),
			range,
			find: param<string>(context, 'find', ''),
			matchCase: o.matchCase === true,
			matchEntireCell: o.matchEntireCell === true,
			searchByRegex: o.searchByRegex === true,
			includeFormulas: o.includeFormulas === true,
		});
		return { json: { spreadsheet_token: spreadsheetToken, range, ...found } };
	},
};
