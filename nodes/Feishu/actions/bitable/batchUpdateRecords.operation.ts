import { BITABLE_LIMITS, batchUpdateBitableRecords, pathId, type BitableRecord } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { options, param } from '../shared';
import { oneOfBatch, runRecordBatch, type RecordBatch } from './batch';
import { recordFields, recordItem, simplifyOf, userIdTypeOf } from './shared';

const spec: RecordBatch<{ record_id: string; fields: Record<string, unknown> }, BitableRecord> = {
	size: BITABLE_LIMITS.batchUpdate,
	prepare: (context, fields) => ({
		record_id: pathId('Record ID', param<string>(context, 'recordId', '')),
		fields: recordFields(context, fields, { clearEmpty: options(context).clearEmpty === true }),
	}),
	send: (client, ref, records, context) => batchUpdateBitableRecords(client, { ...ref, records, userIdType: userIdTypeOf(context) }),
	output: (record, fields, context) => recordItem(record, fields, simplifyOf(context)),
};

export const batchUpdateRecords: ItemOperation = {
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_update',
	scopes: ['base:record:update', 'bitable:app'],
	execute: (context) => oneOfBatch(context, spec),
	executeBatch: (batch) => runRecordBatch(batch, spec),
};
