import type { ItemOperation } from '../types';
import { oneRowWrite, runRowWrites } from './rows';

export const appendRows: ItemOperation = {
	endpoint: 'POST /open-apis/sheets/v2/spreadsheets/:spreadsheetToken/values_append',
	scopes: ['drive:drive', 'sheets:spreadsheet'],
	execute: (context) => oneRowWrite(context, 'append'),
	executeBatch: (batch) => runRowWrites(batch, 'append'),
};
