import { sendEphemeralCard } from '../../../../lib/feishu';
import { readCard } from '../content';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, param } from '../shared';

export const sendEphemeral: ItemOperation = {
	endpoint: 'POST /open-apis/ephemeral/v1/send',
	scopes: ['im:message', 'im:message:send_as_bot', 'im:message:update'],
	async execute(context) {
		const userIdType = param<string>(context, 'ephemeralUserIdType', 'open_id');
		const userId = userIdType === 'open_id' ? locatorValue(context, 'userId') : param<string>(context, 'ephemeralUser', '');
		const sent = await sendEphemeralCard(apiClient(context), {
			chatId: locatorValue(context, 'chatId'),
			userIdType,
			userId,
			card: readCard(context.ctx, context.i),
		});
		return { json: { ...sent, [userIdType]: userId.trim() } };
	},
};
