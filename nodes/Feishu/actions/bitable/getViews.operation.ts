import type { IDataObject } from 'n8n-workflow';
import { listBitableViews } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { tableOf } from './shared';

export const getViews: ItemOperation = {
	endpoint: 'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views',
	scopes: ['base:view:read', 'bitable:app', 'bitable:app:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll', false) ? undefined : param<number>(context, 'limit', 50);
		const views = await listBitableViews(apiClient(context), { ...tableOf(context), limit });
		return views.map((v) => ({ json: v as IDataObject }));
	},
};
