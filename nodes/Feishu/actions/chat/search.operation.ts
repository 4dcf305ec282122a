import type { IDataObject } from 'n8n-workflow';
import { searchChats } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const search: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/chats/search',
	scopes: ['im:chat', 'im:chat:readonly', 'im:chat:read', 'im:chat.group_info:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll') ? undefined : param<number>(context, 'limit');
		const chats = await searchChats(apiClient(context), { query: param<string>(context, 'searchQuery', ''), limit });
		return chats.map((chat) => ({ json: chat as IDataObject }));
	},
};
