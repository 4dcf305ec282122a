import type { IDataObject } from 'n8n-workflow';
import { createBitableTable } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { appTokenOf } from './shared';

export const createTable: ItemOperation = {
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables',
	scopes: ['base:table:create', 'bitable:app'],
	async execute(context) {
		const fields = (param<{ field?: IDataObject[] }>(context, 'tableFields', {}).field ?? []).map((f) => ({ field_name: String(f.fieldName ?? '').trim(), type: Number(f.type ?? 1) }));
		const made = await createBitableTable(apiClient(context), {
			appToken: appTokenOf(context),
			name: param<string>(context, 'tableName', ''),
			defaultViewName: String(options(context).defaultViewName ?? '') || undefined,
			fields,
		});
		return { json: { ...made, name: param<string>(context, 'tableName', '').trim() } as IDataObject };
	},
};
