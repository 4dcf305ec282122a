import type { IDataObject } from 'n8n-workflow';
import { type ChatSort, listChats } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';

export const getAll: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/chats',
	scopes: ['im:chat', 'im:chat:readonly', 'im:chat:read', 'im:chat.group_info:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll') ? undefined : param<number>(context, 'limit');
		const sortType = options(context).sortType as ChatSort | undefined;
		const chats = await listChats(apiClient(context), { limit, sortType });
		return chats.map((chat) => ({ json: chat as IDataObject }));
	},
};
