import type { IDataObject } from 'n8n-workflow';
import { removeChatMembers } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, locatorValue, param } from '../shared';

export const removeMembers: ItemOperation = {
	endpoint: 'DELETE /open-apis/im/v1/chats/:chat_id/members',
	scopes: ['im:chat', 'im:chat.members:write_only'],
	async execute(context) {
		const result = await removeChatMembers(apiClient(context), {
			chatId: locatorValue(context, 'chatId'),
			ids: idsFrom(param(context, 'memberIds', '')),
			memberIdType: param<string>(context, 'memberIdType', 'open_id'),
		});
		return { json: result as IDataObject };
	},
};
