import type { IDataObject } from 'n8n-workflow';
import { searchUsers as searchFeishuUsers } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { limitOf } from './shared';

/**
 * The users whose name matches, as the signed-in user sees them: Feishu takes only a user token for
 * this (Authentication "User (OAuth2)"; with the bot credential the node says so before calling).
 */
export const searchUsers: ItemOperation = {
	endpoint: 'GET /open-apis/search/v1/user',
	scopes: ['contact:user:search'],
	async execute(context) {
		const users = await searchFeishuUsers(apiClient(context), { query: param<string>(context, 'query', ''), limit: limitOf(context) });
		return users.map((user) => ({ json: user as IDataObject }));
	},
};
