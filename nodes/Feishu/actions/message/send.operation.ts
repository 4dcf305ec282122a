import { sendMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { messageJson, recipient, sendableContent, userUuid } from './shared';

export const send: ItemOperation = {
	async execute(context) {
		const msgType = param<string>(context, 'msgType');
		const res = await sendMessage(apiClient(context), {
			...recipient(context),
			msgType,
			content: await sendableContent(context, msgType),
			uuid: userUuid(options(context)),
		});
		return { json: messageJson(res) };
	},
};
