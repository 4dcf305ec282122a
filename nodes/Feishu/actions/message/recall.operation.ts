import { recallMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const recall: ItemOperation = {
	endpoint: 'DELETE /open-apis/im/v1/messages/:message_id',
	scopes: ['im:message', 'im:message:recall', 'im:message:send_as_bot'],
	async execute(context) {
		const messageId = param<string>(context, 'messageId');
		await recallMessage(apiClient(context), { messageId });
		return { json: { message_id: messageId, recalled: true } };
	},
};
