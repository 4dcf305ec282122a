import { deleteBitableTable } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient } from '../shared';
import { tableOf } from './shared';

export const deleteTable: ItemOperation = {
	endpoint: 'DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id',
	scopes: ['base:table:delete', 'bitable:app'],
	async execute(context) {
		const ref = tableOf(context);
		await deleteBitableTable(apiClient(context), ref);
		return { json: { table_id: ref.tableId, deleted: true } };
	},
};
