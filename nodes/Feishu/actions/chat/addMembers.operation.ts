import type { IDataObject } from 'n8n-workflow';
import { addChatMembers } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, locatorValue, options, param } from '../shared';

export const addMembers: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/chats/:chat_id/members',
	scopes: ['im:chat', 'im:chat.members:write_only'],
	async execute(context) {
		const succeedType = options(context).succeedType;
		const result = await addChatMembers(apiClient(context), {
			chatId: locatorValue(context, 'chatId'),
			ids: idsFrom(param(context, 'memberIds', '')),
			memberIdType: param<string>(context, 'memberIdType', 'open_id'),
			succeedType: succeedType === undefined ? undefined : Number(succeedType),
		});
		return { json: result as IDataObject };
	},
};
