import type { ItemOperation } from '../types';
import { oneRowWrite, runRowWrites } from './rows';

export const writeRange: ItemOperation = {
	endpoint: 'PUT /open-apis/sheets/v2/spreadsheets/:spreadsheetToken/values',
	scopes: ['drive:drive', 'sheets:spreadsheet'],
	execute: (context) => oneRowWrite(context, 'write'),
	executeBatch: (batch) => runRowWrites(batch, 'write'),
};
