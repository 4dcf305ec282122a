import { deleteChat } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue } from '../shared';

// "delete" is a reserved word, hence the name.
export const deleteChatOperation: ItemOperation = {
	async execute(context) {
		return { json: await deleteChat(apiClient(context), { chatId: locatorValue(context, 'chatId') }) };
	},
};
