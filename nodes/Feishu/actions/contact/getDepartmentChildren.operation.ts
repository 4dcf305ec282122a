import type { IDataObject } from 'n8n-workflow';
import { listDepartmentChildren } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { idTypes, limitOf } from './shared';

export const getDepartmentChildren: ItemOperation = {
	endpoint: 'GET /open-apis/contact/v3/departments/:department_id/children',
	scopes: ['contact:contact.base:readonly', 'contact:department.organize:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
	async execute(context) {
		const departments = await listDepartmentChildren(apiClient(context), {
			departmentId: String(param(context, 'departmentId', '0')),
			fetchChild: options(context).fetchChild === true,
			limit: limitOf(context),
			...idTypes(context, 'options'),
		});
		return departments.map((department) => ({ json: department as IDataObject }));
	},
};
