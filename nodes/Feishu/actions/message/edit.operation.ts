import { editMessage } from '../../../../lib/feishu';
import { readContent } from '../content';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { messageJson } from './shared';

export const edit: ItemOperation = {
	endpoint: 'PUT /open-apis/im/v1/messages/:message_id',
	scopes: ['im:message', 'im:message:send_as_bot', 'im:message:update'],
	async execute(context) {
		const msgType = param<string>(context, 'msgType');
		const res = await editMessage(apiClient(context), {
			messageId: param<string>(context, 'messageId'),
			msgType,
			content: readContent(context.ctx, context.i, msgType),
		});
		return { json: messageJson(res) };
	},
};
