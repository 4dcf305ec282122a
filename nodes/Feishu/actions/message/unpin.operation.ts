import { unpinMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const unpin: ItemOperation = {
	endpoint: 'DELETE /open-apis/im/v1/pins/:message_id',
	scopes: ['im:message', 'im:message.pins:write_only', 'im:message:send_as_bot'],
	async execute(context) {
		const { message_id } = await unpinMessage(apiClient(context), { messageId: param<string>(context, 'messageId') });
		return { json: { message_id, unpinned: true } };
	},
};
