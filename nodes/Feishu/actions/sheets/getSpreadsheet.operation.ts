import type { IDataObject } from 'n8n-workflow';
import { getSpreadsheet as get } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient } from '../shared';
import { tokenOf } from './shared';

export const getSpreadsheet: ItemOperation = {
	endpoint: 'GET /open-apis/sheets/v3/spreadsheets/:spreadsheet_token',
	scopes: ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:read', 'sheets:spreadsheet:readonly'],
	async execute(context) {
		return { json: (await get(apiClient(context), { spreadsheetToken: tokenOf(context) })) as IDataObject };
	},
};
