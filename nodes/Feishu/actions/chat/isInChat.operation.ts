import { isInChat as checkIsInChat } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue } from '../shared';

export const isInChat: ItemOperation = {
	async execute(context) {
		return { json: await checkIsInChat(apiClient(context), { chatId: locatorValue(context, 'chatId') }) };
	},
};
