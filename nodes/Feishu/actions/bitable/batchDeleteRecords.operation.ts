import type { IDataObject } from 'n8n-workflow';
import { BITABLE_LIMITS, batchDeleteBitableRecords, pathId } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { param } from '../shared';
import { oneOfBatch, runRecordBatch, type RecordBatch } from './batch';

const spec: RecordBatch<string, { deleted: boolean; record_id: string }> = {
	size: BITABLE_LIMITS.batchDelete,
	prepare: (context) => pathId('Record ID', param<string>(context, 'recordId', '')),
	send: (client, ref, recordIds) => batchDeleteBitableRecords(client, { ...ref, recordIds }),
	output: (r) => ({ json: r as unknown as IDataObject }),
};

export const batchDeleteRecords: ItemOperation = {
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_delete',
	scopes: ['base:record:delete', 'bitable:app'],
	execute: (context) => oneOfBatch(context, spec),
	executeBatch: (batch) => runRecordBatch(batch, spec),
};
