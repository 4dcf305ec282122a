import type { IDataObject } from 'n8n-workflow';
import { removeReaction as removeMessageReaction } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const removeReaction: ItemOperation = {
	endpoint: 'DELETE /open-apis/im/v1/messages/:message_id/reactions/:reaction_id',
	scopes: ['im:message', 'im:message.reactions:write_only'],
	async execute(context) {
		const messageId = param<string>(context, 'messageId');
		const reaction = await removeMessageReaction(apiClient(context), { messageId, reactionId: param<string>(context, 'reactionId') });
		return { json: { message_id: messageId.trim(), ...reaction } as IDataObject };
	},
};
