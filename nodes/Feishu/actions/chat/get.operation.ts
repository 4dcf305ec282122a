import type { IDataObject } from 'n8n-workflow';
import { getChat } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue } from '../shared';

export const get: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/chats/:chat_id',
	scopes: ['im:chat', 'im:chat:read', 'im:chat:readonly'],
	async execute(context) {
		return { json: (await getChat(apiClient(context), { chatId: locatorValue(context, 'chatId') })) as IDataObject };
	},
};
