import { sendUrgent } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, options, param } from '../shared';

export const urgent: ItemOperation = {
	endpoint: 'PATCH /open-apis/im/v1/messages/:message_id/urgent_{app,sms,phone}',
	async execute(context) {
		const res = await sendUrgent(apiClient(context), {
			messageId: param<string>(context, 'messageId'),
			type: param<string>(context, 'urgentType', 'app'),
			userIds: idsFrom(param(context, 'urgentUserIds', '')),
			userIdType: options(context).userIdType as string | undefined,
		});
		return { json: res };
	},
};
