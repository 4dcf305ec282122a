import { getMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';
import { messageJson } from './shared';

export const get: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/messages/:message_id',
	scopes: ['im:message', 'im:message:readonly'],
	async execute(context) {
		return { json: messageJson(await getMessage(apiClient(context), { messageId: param<string>(context, 'messageId') })) };
	},
};
