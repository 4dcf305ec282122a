import { sendMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { idempotentUuid, messageJson, recipient, sendableContent } from './shared';

export const send: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/messages',
	scopes: ['im:message', 'im:message:send_as_bot', 'im:message:send'],
	async execute(context) {
		const msgType = param<string>(context, 'msgType');
		const res = await sendMessage(apiClient(context), {
			...recipient(context),
			msgType,
			content: await sendableContent(context, msgType),
			uuid: idempotentUuid(context, options(context)),
		});
		return { json: messageJson(res) };
	},
};
