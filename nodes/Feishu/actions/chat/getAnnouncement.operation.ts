import type { IDataObject } from 'n8n-workflow';
import { getChatAnnouncement } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, options } from '../shared';

export const getAnnouncement: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/chats/:chat_id/announcement',
	scopes: ['im:chat', 'im:chat.announcement:read', 'im:chat:readonly'],
	async execute(context) {
		const announcement = await getChatAnnouncement(apiClient(context), { chatId: locatorValue(context, 'chatId'), userIdType: options(context).userIdType as string | undefined });
		return { json: announcement as IDataObject };
	},
};
