// Add Managers and Remove Managers: the same request to Feishu's add_managers / delete_managers.
import type { IDataObject } from 'n8n-workflow';
import { addChatManagers, removeChatManagers } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, param } from '../shared';
import { idsFrom } from './shared';

function managersOperation(call: typeof addChatManagers): ItemOperation {
	return {
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

export const addManagers = managersOperation(addChatManagers);
export const removeManagers = managersOperation(removeChatManagers);
