import type { IDataObject } from 'n8n-workflow';
import { listReactions } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';

export const getReactions: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/messages/:message_id/reactions',
	scopes: ['im:message.reactions:read', 'im:message:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll') ? undefined : param<number>(context, 'limit');
		const opts = options(context);
		const reactions = await listReactions(apiClient(context), {
			messageId: param<string>(context, 'messageId'),
			emojiType: opts.emojiType as string | undefined,
			userIdType: opts.userIdType as string | undefined,
			limit,
		});
		return reactions.map((reaction) => ({ json: reaction as IDataObject }));
	},
};
