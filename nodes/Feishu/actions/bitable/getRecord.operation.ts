import { getBitableRecord } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { fieldsOf, recordItem, simplifyOf, tableOf, userIdTypeOf } from './shared';

export const getRecord: ItemOperation = {
	// Feishu recommends batch_get over the older GET …/records/:record_id.
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_get',
	scopes: ['base:record:read', 'bitable:app', 'bitable:app:readonly'],
	async execute(context) {
		const ref = tableOf(context);
		const simplify = simplifyOf(context);
		const record = await getBitableRecord(apiClient(context), { ...ref, recordId: param<string>(context, 'recordId', ''), userIdType: userIdTypeOf(context) });
		return recordItem(record, simplify ? await fieldsOf(context, ref) : [], simplify);
	},
};
