import { recallMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const recall: ItemOperation = {
	async execute(context) {
		const messageId = param<string>(context, 'messageId');
		await recallMessage(apiClient(context), { messageId });
		return { json: { message_id: messageId, recalled: true } };
	},
};
