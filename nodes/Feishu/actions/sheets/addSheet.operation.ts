import { addSheet as add } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { tokenOf } from './shared';

export const addSheet: ItemOperation = {
	endpoint: 'POST /open-apis/sheets/v2/spreadsheets/:spreadsheet_token/sheets_batch_update',
	scopes: ['drive:drive', 'sheets:spreadsheet'],
	async execute(context) {
		const index = options(context).index;
		const spreadsheetToken = tokenOf(context);
		const made = await add(apiClient(context), { spreadsheetToken, title: param<string>(context, 'sheetTitle', ''), index: index === undefined || index === '' ? undefined : Number(index) });
		return { json: { spreadsheet_token: spreadsheetToken, sheet_id: made.sheetId, title: made.title, index: made.index } };
	},
};
