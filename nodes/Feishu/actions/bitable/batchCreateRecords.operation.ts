import { BITABLE_LIMITS, batchCreateBitableRecords, type BitableRecord } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { oneOfBatch, runRecordBatch, type RecordBatch } from './batch';
import { recordFields, recordItem, simplifyOf, userIdTypeOf } from './shared';

const spec: RecordBatch<Record<string, unknown>, BitableRecord> = {
	size: BITABLE_LIMITS.batchCreate,
	prepare: (context, fields) => recordFields(context, fields),
	send: (client, ref, records, context) => batchCreateBitableRecords(client, { ...ref, records, userIdType: userIdTypeOf(context) }),
	output: (record, fields, context) => recordItem(record, fields, simplifyOf(context)),
};

export const batchCreateRecords: ItemOperation = {
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_create',
	scopes: ['base:record:create', 'bitable:app'],
	execute: (context) => oneOfBatch(context, spec),
	executeBatch: (batch) => runRecordBatch(batch, spec),
};
