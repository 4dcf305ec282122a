// Add Managers and Remove Managers: the same request to Feishu's add_managers / delete_managers.
import type { IDataObject } from 'n8n-workflow';
import { addChatManagers, removeChatManagers } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, locatorValue, param } from '../shared';

function managersOperation(call: typeof addChatManagers, endpoint: string): ItemOperation {
	return {
		endpoint,
		scopes: ['im:chat', 'im:chat.managers:write_only'],
		async execute(context) {
			const result = await call(apiClient(context), {
				chatId: locatorValue(context, 'chatId'),
				ids: idsFrom(param(context, 'memberIds', '')),
				memberIdType: param<string>(context, 'memberIdType', 'open_id'),
			});
			return { json: result as IDataObject };
		},
	};
}

export const addManagers = managersOperation(addChatManagers, 'POST /open-apis/im/v1/chats/:chat_id/managers/add_managers');
export const removeManagers = managersOperation(removeChatManagers, 'POST /open-apis/im/v1/chats/:chat_id/managers/delete_managers');
