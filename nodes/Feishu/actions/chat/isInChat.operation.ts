import { isInChat as checkIsInChat } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue } from '../shared';

export const isInChat: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/chats/:chat_id/members/is_in_chat',
	scopes: ['im:chat', 'im:chat:readonly', 'im:chat.members:read', 'im:chat.group_info:readonly'],
	async execute(context) {
		return { json: await checkIsInChat(apiClient(context), { chatId: locatorValue(context, 'chatId') }) };
	},
};
