// The Sheets (电子表格) resource: one module per operation; adding one means a new file and a line here
// (plus its option in descriptions/SheetsDescription.ts). Write Range and Append Rows take all input
// items at once (executeBatch, rows.ts).
import type { ResourceOperations } from '../types';
import { addSheet } from './addSheet.operation';
import { appendRows } from './appendRows.operation';
import { clearRange } from './clearRange.operation';
import { createSpreadsheet } from './createSpreadsheet.operation';
import { findCells } from './findCells.operation';
import { getSheets } from './getSheets.operation';
import { getSpreadsheet } from './getSpreadsheet.operation';
import { readRange } from './readRange.operation';
import { writeRange } from './writeRange.operation';

export const sheets: ResourceOperations = {
	usesApi: true,
	operations: { addSheet, appendRows, clearRange, createSpreadsheet, findCells, getSheets, getSpreadsheet, readRange, writeRange },
};
