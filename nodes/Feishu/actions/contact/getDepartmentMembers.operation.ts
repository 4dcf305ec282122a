import type { IDataObject } from 'n8n-workflow';
import { listDepartmentUsers } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { idTypes, limitOf } from './shared';

export const getDepartmentMembers: ItemOperation = {
	endpoint: 'GET /open-apis/contact/v3/users/find_by_department',
	scopes: ['contact:contact.base:readonly', 'contact:department.organize:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
	async execute(context) {
		const users = await listDepartmentUsers(apiClient(context), { departmentId: String(param(context, 'departmentId', '0')), limit: limitOf(context), ...idTypes(context, 'options') });
		return users.map((user) => ({ json: user as IDataObject }));
	},
};
