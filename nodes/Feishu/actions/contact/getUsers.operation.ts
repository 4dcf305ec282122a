import type { IDataObject } from 'n8n-workflow';
import { getUsersByIds } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, param } from '../shared';
import { idTypes } from './shared';

export const getUsers: ItemOperation = {
	endpoint: 'GET /open-apis/contact/v3/users/batch',
	scopes: ['contact:contact.base:readonly'],
	async execute(context) {
		const users = await getUsersByIds(apiClient(context), { userIds: idsFrom(param(context, 'userIds')), ...idTypes(context, 'field') });
		return users.map((user) => ({ json: user as IDataObject }));
	},
};
