import type { IDataObject } from 'n8n-workflow';
import { batchSendMessage } from '../../../../lib/feishu';
import { readCard, readContent } from '../content';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, param } from '../shared';

export const batchSend: ItemOperation = {
	endpoint: 'POST /open-apis/message/v4/batch_send/',
	// Feishu also wants im:message or im:message:send_as_bot, as every send does; what Batch Send adds is
	// one of these two (users, departments).
	scopes: ['im:message:send_multi_users', 'im:message:send_multi_depts'],
	async execute(context) {
		const { ctx, i } = context;
		const msgType = param<string>(context, 'msgType', 'text');
		const content = msgType === 'interactive' ? readCard(ctx, i) : readContent(ctx, i, msgType);
		const result = await batchSendMessage(apiClient(context), {
			msgType,
			content,
			openIds: idsFrom(param(context, 'batchOpenIds', '')),
			userIds: idsFrom(param(context, 'batchUserIds', '')),
			unionIds: idsFrom(param(context, 'batchUnionIds', '')),
			departmentIds: idsFrom(param(context, 'batchDepartmentIds', '')),
		});
		return { json: result as IDataObject };
	},
};
