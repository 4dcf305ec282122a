import { updateBitableRecord } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { fieldsOf, recordFields, recordItem, simplifyOf, tableOf, userIdTypeOf } from './shared';

export const updateRecord: ItemOperation = {
	endpoint: 'PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id',
	scopes: ['base:record:update', 'bitable:app'],
	async execute(context) {
		const ref = tableOf(context);
		const fields = await fieldsOf(context, ref);
		const values = recordFields(context, fields, { clearEmpty: options(context).clearEmpty === true });
		const record = await updateBitableRecord(apiClient(context), { ...ref, recordId: param<string>(context, 'recordId', ''), fields: values, userIdType: userIdTypeOf(context) });
		return recordItem(record, fields, simplifyOf(context));
	},
};
