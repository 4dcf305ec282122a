import type { IDataObject } from 'n8n-workflow';
import { createBitableField, FeishuValidationError, listOf } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { tableOf } from './shared';

export const createField: ItemOperation = {
	endpoint: 'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields',
	scopes: ['base:field:create', 'bitable:app'],
	async execute(context) {
		const type = Number(param<number>(context, 'fieldType', 1));
		const o = options(context);
		const property: Record<string, unknown> = {};
		if (type === 3 || type === 4) {
			const names = listOf(o.selectOptions ?? '').map(String);
			if (names.length) property.options = names.map((name) => ({ name }));
		}
		if (type === 18 || type === 21) {
			const table = String(o.linkedTableId ?? '').trim();
			if (!table) throw new FeishuValidationError('Linked Table ID', 'a link field needs the table it links to (Options > Linked Table ID)');
			property.table_id = table;
		}
		if (type === 20) {
			const expression = String(o.formulaExpression ?? '').trim();
			if (expression) property.formula_expression = expression;
		}
		const field = await createBitableField(apiClient(context), {
			...tableOf(context),
			fieldName: param<string>(context, 'fieldName', ''),
			type,
			property: Object.keys(property).length ? property : undefined,
			description: String(o.description ?? '') || undefined,
		});
		return { json: field as IDataObject };
	},
};
