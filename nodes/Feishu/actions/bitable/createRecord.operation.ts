import { createBitableRecord } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient } from '../shared';
import { fieldsOf, recordFields, recordItem, simplifyOf, tableOf, userIdTypeOf } from './shared';

export const createRecord: ItemOperation = {
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records',
	scopes: ['base:record:create', 'bitable:app'],
	async execute(context) {
		const ref = tableOf(context);
		const fields = await fieldsOf(context, ref);
		const record = await createBitableRecord(apiClient(context), { ...ref, fields: recordFields(context, fields), userIdType: userIdTypeOf(context) });
		return recordItem(record, fields, simplifyOf(context));
	},
};
