import type { IDataObject } from 'n8n-workflow';
import { createChat } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, param } from '../shared';
import { chatSettings } from './shared';

export const create: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/chats',
	scopes: ['im:chat', 'im:chat:create'],
	async execute(context) {
		const fields = param<IDataObject>(context, 'additionalFields', {});
		const chat = await createChat(apiClient(context), {
			name: param<string>(context, 'name', ''),
			ownerId: fields.ownerId as string | undefined,
			userIds: idsFrom(fields.userIds),
			botIds: idsFrom(fields.botIds),
			userIdType: fields.userIdType as string | undefined,
			setBotManager: fields.setBotManager === true,
			uuid: fields.uuid as string | undefined,
			settings: chatSettings(fields),
		});
		return { json: chat as IDataObject };
	},
};
