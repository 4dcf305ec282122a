import type { IDataObject } from 'n8n-workflow';
import { listSheets } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { tokenOf } from './shared';

export const getSheets: ItemOperation = {
	endpoint: 'GET /open-apis/sheets/v3/spreadsheets/:spreadsheet_token/sheets/query',
	scopes: ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:readonly'],
	async execute(context) {
		const sheets = await listSheets(apiClient(context), { spreadsheetToken: tokenOf(context) });
		const limit = param<boolean>(context, 'returnAll', false) ? undefined : param<number>(context, 'limit', 50);
		return sheets.slice(0, limit).map((s) => ({ json: s as IDataObject }));
	},
};
