import type { IDataObject } from 'n8n-workflow';
import { getUser as getContactUser } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { idTypes } from './shared';

export const getUser: ItemOperation = {
	endpoint: 'GET /open-apis/contact/v3/users/:user_id',
	scopes: ['contact:contact.base:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
	async execute(context) {
		const user = await getContactUser(apiClient(context), { userId: param<string>(context, 'userId'), ...idTypes(context, 'field') });
		return { json: user as IDataObject };
	},
};
