import type { IDataObject } from 'n8n-workflow';
import { listBitableTables } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { appTokenOf } from './shared';

export const getTables: ItemOperation = {
	endpoint: 'GET /open-apis/bitable/v1/apps/:app_token/tables',
	scopes: ['base:table:read', 'bitable:app', 'bitable:app:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll', false) ? undefined : param<number>(context, 'limit', 50);
		const tables = await listBitableTables(apiClient(context), { appToken: appTokenOf(context), limit });
		return tables.map((t) => ({ json: t as IDataObject }));
	},
};
