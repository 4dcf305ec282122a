import { replyMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { idempotentUuid, messageJson, sendableContent } from './shared';

export const reply: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/messages/:message_id/reply',
	scopes: ['im:message', 'im:message:send_as_bot', 'im:message:send'],
	async execute(context) {
		const msgType = param<string>(context, 'msgType');
		const opts = options(context);
		const res = await replyMessage(apiClient(context), {
			messageId: param<string>(context, 'messageId'),
			msgType,
			content: await sendableContent(context, msgType),
			replyInThread: opts.replyInThread === true,
			uuid: idempotentUuid(context, opts),
		});
		return { json: messageJson(res) };
	},
};
