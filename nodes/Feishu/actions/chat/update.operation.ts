import type { IDataObject } from 'n8n-workflow';
import { updateChat } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, param } from '../shared';
import { chatSettings } from './shared';

export const update: ItemOperation = {
	endpoint: 'PUT /open-apis/im/v1/chats/:chat_id',
	scopes: ['im:chat', 'im:chat:update'],
	async execute(context) {
		const fields = param<IDataObject>(context, 'updateFields', {});
		const result = await updateChat(apiClient(context), {
			chatId: locatorValue(context, 'chatId'),
			name: fields.name as string | undefined,
			ownerId: fields.ownerId as string | undefined,
			userIdType: fields.userIdType as string | undefined,
			settings: chatSettings(fields),
		});
		return { json: result };
	},
};
