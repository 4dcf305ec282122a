import { listMessages } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, options, param } from '../shared';
import { messageJson } from './shared';

export const getAll: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/messages',
	scopes: ['im:message', 'im:message:readonly', 'im:message.history:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll') ? undefined : param<number>(context, 'limit');
		const containerIdType = param<string>(context, 'containerIdType', 'chat');
		const opts = options(context);
		const inChat = containerIdType === 'chat';
		const messages = await listMessages(apiClient(context), {
			containerIdType,
			containerId: inChat ? locatorValue(context, 'chatId') : param<string>(context, 'threadId'),
			// The time range is offered for chats only (Feishu refuses it for threads).
			startTime: inChat ? (opts.startTime as string | undefined) || undefined : undefined,
			endTime: inChat ? (opts.endTime as string | undefined) || undefined : undefined,
			sortType: opts.sortType as string | undefined,
			limit,
		});
		return messages.map((m) => ({ json: messageJson(m) }));
	},
};
