import { updateCard as updateCardMessage } from '../../../../lib/feishu';
import { readCard } from '../content';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const updateCard: ItemOperation = {
	endpoint: 'PATCH /open-apis/im/v1/messages/:message_id',
	scopes: ['im:message', 'im:message:send_as_bot', 'im:message:update'],
	async execute(context) {
		const messageId = param<string>(context, 'messageId');
		await updateCardMessage(apiClient(context), { messageId, card: readCard(context.ctx, context.i) });
		return { json: { message_id: messageId, updated: true } };
	},
};
