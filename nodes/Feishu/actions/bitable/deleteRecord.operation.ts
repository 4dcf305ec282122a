import type { IDataObject } from 'n8n-workflow';
import { deleteBitableRecord } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { tableOf } from './shared';

export const deleteRecord: ItemOperation = {
	endpoint: 'DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id',
	scopes: ['base:record:delete', 'bitable:app'],
	async execute(context) {
		const r = await deleteBitableRecord(apiClient(context), { ...tableOf(context), recordId: param<string>(context, 'recordId', '') });
		return { json: r as unknown as IDataObject };
	},
};
