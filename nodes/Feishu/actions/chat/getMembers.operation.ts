import type { IDataObject } from 'n8n-workflow';
import { listChatMembers } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, options, param } from '../shared';

export const getMembers: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/chats/:chat_id/members',
	scopes: ['im:chat', 'im:chat:readonly', 'im:chat.members:read', 'im:chat.group_info:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll') ? undefined : param<number>(context, 'limit');
		const chatId = locatorValue(context, 'chatId');
		const members = await listChatMembers(apiClient(context), { chatId, limit, memberIdType: options(context).memberIdType as string | undefined });
		return members.map((member) => ({ json: member as IDataObject }));
	},
};
