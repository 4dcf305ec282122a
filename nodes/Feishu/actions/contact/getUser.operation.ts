import type { IDataObject } from 'n8n-workflow';
import { getUser as getContactUser } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { idTypes } from './shared';

export const getUser: ItemOperation = {
	endpoint: 'GET /open-apis/contact/v3/users/:user_id',
	async execute(context) {
		const user = await getContactUser(apiClient(context), { userId: param<string>(context, 'userId'), ...idTypes(context, 'field') });
		return { json: user as IDataObject };
	},
};
