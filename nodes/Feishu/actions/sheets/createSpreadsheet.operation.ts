import type { IDataObject } from 'n8n-workflow';
import { createSpreadsheet as create } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';

export const createSpreadsheet: ItemOperation = {
	endpoint: 'POST /open-apis/sheets/v3/spreadsheets',
	scopes: ['drive:drive', 'sheets:spreadsheet', 'sheets:spreadsheet:create'],
	async execute(context) {
		// A folder's link (…/drive/folder/<token>) or the token.
		const folder = String(options(context).folder ?? '').trim();
		const folderToken = /\/folder\/([A-Za-z0-9]+)/.exec(folder)?.[1] ?? folder;
		const made = await create(apiClient(context), { title: param<string>(context, 'title', ''), folderToken });
		return { json: made as IDataObject };
	},
};
