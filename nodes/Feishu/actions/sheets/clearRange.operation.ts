import { clearRange as clear } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient } from '../shared';
import { rangeOf, tokenOf } from './shared';

export const clearRange: ItemOperation = {
	// Feishu has no clear call: the cells are written empty.
	endpoint: 'PUT /open-apis/sheets/v2/spreadsheets/:spreadsheetToken/values',
	scopes: ['drive:drive', 'sheets:spreadsheet'],
	async execute(context) {
		const spreadsheetToken = tokenOf(context);
		const cleared = await clear(apiClient(context), { spreadsheetToken, range: rangeOf(context) });
		return { json: { spreadsheet_token: spreadsheetToken, cleared_range: cleared.clearedRange, cleared_rows: cleared.clearedRows, cleared_columns: cleared.clearedColumns } };
	},
};
