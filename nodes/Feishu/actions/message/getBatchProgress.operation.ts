import type { IDataObject } from 'n8n-workflow';
import { getBatchMessageProgress } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const getBatchProgress: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/batch_messages/:batch_message_id/get_progress',
	scopes: ['im:message:send_multi_depts', 'im:message:send_multi_users'],
	async execute(context) {
		const progress = await getBatchMessageProgress(apiClient(context), { batchMessageId: param<string>(context, 'batchMessageId') });
		return { json: progress as IDataObject };
	},
};
