// The Bitable (Base) resource: one module per operation; adding one means a new file and a line here
// (plus its option in descriptions/BitableDescription.ts). The batch operations take all input items
// at once (executeBatch, batch.ts).
import type { ResourceOperations } from '../types';
import { batchCreateRecords } from './batchCreateRecords.operation';
import { batchDeleteRecords } from './batchDeleteRecords.operation';
import { batchUpdateRecords } from './batchUpdateRecords.operation';
import { createField } from './createField.operation';
import { createRecord } from './createRecord.operation';
import { createTable } from './createTable.operation';
import { deleteRecord } from './deleteRecord.operation';
import { deleteTable } from './deleteTable.operation';
import { getFields } from './getFields.operation';
import { getRecord } from './getRecord.operation';
import { getTables } from './getTables.operation';
import { getViews } from './getViews.operation';
import { searchRecords } from './searchRecords.operation';
import { updateRecord } from './updateRecord.operation';
import { uploadAttachment } from './uploadAttachment.operation';
import { upsertRecord } from './upsertRecord.operation';

export const bitable: ResourceOperations = {
	usesApi: true,
	operations: {
		batchCreateRecords,
		batchDeleteRecords,
		batchUpdateRecords,
		createField,
		createRecord,
		createTable,
		deleteRecord,
		deleteTable,
		getFields,
		getRecord,
		getTables,
		getViews,
		searchRecords,
		updateRecord,
		uploadAttachment,
		upsertRecord,
	},
};
