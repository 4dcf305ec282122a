import { deleteChat } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue } from '../shared';

// "delete" is a reserved word, hence the name.
export const deleteChatOperation: ItemOperation = {
	endpoint: 'DELETE /open-apis/im/v1/chats/:chat_id',
	scopes: ['im:chat', 'im:chat:delete'],
	async execute(context) {
		return { json: await deleteChat(apiClient(context), { chatId: locatorValue(context, 'chatId') }) };
	},
};
