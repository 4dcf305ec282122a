import { forwardMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { messageJson, recipient, userUuid } from './shared';

export const forward: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/messages/:message_id/forward',
	scopes: ['im:message', 'im:message:send_as_bot'],
	async execute(context) {
		const res = await forwardMessage(apiClient(context), {
			messageId: param<string>(context, 'messageId'),
			...recipient(context),
			uuid: userUuid(options(context)),
		});
		return { json: messageJson(res) };
	},
};
