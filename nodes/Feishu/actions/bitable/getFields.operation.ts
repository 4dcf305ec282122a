import type { IDataObject } from 'n8n-workflow';
import { fieldTypeName, listBitableFields } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { tableOf } from './shared';

export const getFields: ItemOperation = {
	endpoint: 'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields',
	scopes: ['base:field:read', 'bitable:app', 'bitable:app:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll', false) ? undefined : param<number>(context, 'limit', 50);
		const viewId = String(options(context).viewId ?? '').trim() || undefined;
		const fields = await listBitableFields(apiClient(context), { ...tableOf(context), viewId, limit });
		// type_name: what the number means (Feishu sends ui_type, which some field kinds share).
		return fields.map((f) => ({ json: { ...f, type_name: fieldTypeName(f.type) } as IDataObject }));
	},
};
