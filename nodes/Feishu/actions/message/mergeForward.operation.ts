import { mergeForwardMessages } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, options, param } from '../shared';
import { messageJson, recipient, userUuid } from './shared';

export const mergeForward: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/messages/merge_forward',
	scopes: ['im:message', 'im:message:send_as_bot'],
	async execute(context) {
		const res = await mergeForwardMessages(apiClient(context), {
			messageIds: idsFrom(param(context, 'messageIds', '')),
			...recipient(context),
			uuid: userUuid(options(context)),
		});
		return { json: { ...messageJson(res.message), invalid_message_id_list: res.invalid_message_id_list } };
	},
};
