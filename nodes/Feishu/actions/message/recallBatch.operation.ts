import { recallBatchMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const recallBatch: ItemOperation = {
	endpoint: 'DELETE /open-apis/im/v1/batch_messages/:batch_message_id',
	scopes: ['im:message:send_multi_depts', 'im:message:send_multi_users'],
	async execute(context) {
		return { json: await recallBatchMessage(apiClient(context), { batchMessageId: param<string>(context, 'batchMessageId') }) };
	},
};
