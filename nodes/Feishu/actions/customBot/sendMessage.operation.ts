// Posts one item's message through the custom bot of the credential; Feishu answers no message id.
import { sendCustomBotMessage } from '../../../../lib/feishu';
import { customBotHook, n8nTransport } from '../../GenericFunctions';
import { readCard, readContent } from '../content';
import type { ItemOperation } from '../types';
import { param } from '../shared';

export const sendMessage: ItemOperation = {
	endpoint: 'POST /open-apis/bot/v2/hook/:token',
	async execute(context) {
		const { ctx, i } = context;
		const msgType = param<string>(context, 'msgType', 'text');
		const content = msgType === 'interactive' ? readCard(ctx, i, { linkButtonsOnly: true }) : readContent(ctx, i, msgType);
		const res = await sendCustomBotMessage(await customBotHook(ctx, i), { msgType, content }, { transport: n8nTransport(ctx) });
		return { json: { sent: true, msg_type: msgType, ...(Object.keys(res.data).length ? { data: res.data } : {}) } };
	},
};
