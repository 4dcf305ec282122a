import type { IDataObject } from 'n8n-workflow';
import { getChatLink } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, param } from '../shared';

export const getLink: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/chats/:chat_id/link',
	scopes: ['im:chat', 'im:chat:read', 'im:chat:readonly'],
	async execute(context) {
		const link = await getChatLink(apiClient(context), { chatId: locatorValue(context, 'chatId'), validityPeriod: param<string>(context, 'validityPeriod', 'week') });
		return { json: link as IDataObject };
	},
};
