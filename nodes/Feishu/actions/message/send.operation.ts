import { sendMessage } from '../../../../lib/feishu';
import { readContent } from '../content';
import type { ItemOperation } from '../types';
import { apiClient, messageJson, options, param, userUuid } from './shared';

export const send: ItemOperation = {
	async execute(context) {
		const msgType = param<string>(context, 'msgType');
		const res = await sendMessage(apiClient(context), {
			receiveIdType: param<string>(context, 'receiveIdType'),
			receiveId: param<string>(context, 'receiveId'),
			msgType,
			content: readContent(context.ctx, context.i, msgType),
			uuid: userUuid(options(context)),
		});
		return { json: messageJson(res) };
	},
};
