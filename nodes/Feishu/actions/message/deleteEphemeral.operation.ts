import { deleteEphemeralCard } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const deleteEphemeral: ItemOperation = {
	endpoint: 'POST /open-apis/ephemeral/v1/delete',
	scopes: ['im:message', 'im:message:send_as_bot', 'im:message:update'],
	async execute(context) {
		return { json: await deleteEphemeralCard(apiClient(context), { messageId: param<string>(context, 'messageId') }) };
	},
};
