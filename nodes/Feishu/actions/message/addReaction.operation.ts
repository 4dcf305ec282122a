import type { IDataObject } from 'n8n-workflow';
import { addReaction as addMessageReaction } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const addReaction: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/messages/:message_id/reactions',
	scopes: ['im:message', 'im:message.reactions:write_only'],
	async execute(context) {
		const messageId = param<string>(context, 'messageId');
		const reaction = await addMessageReaction(apiClient(context), { messageId, emojiType: param<string>(context, 'emojiType') });
		// The message id too, so a later Remove Reaction can take both from this item.
		return { json: { message_id: messageId.trim(), ...reaction } as IDataObject };
	},
};
