import { getMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, messageJson, param } from './shared';

export const get: ItemOperation = {
	async execute(context) {
		return { json: messageJson(await getMessage(apiClient(context), { messageId: param<string>(context, 'messageId') })) };
	},
};
