import { sendUrgent } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, options, param } from '../shared';

export const urgent: ItemOperation = {
	endpoint: 'PATCH /open-apis/im/v1/messages/:message_id/urgent_{app,sms,phone}',
	scopes: ['im:message.urgent', 'im:message.urgent:app_send', 'im:message.urgent:sms', 'im:message.urgent:sms_send', 'im:message.urgent:phone', 'im:message.urgent:phone_send'],
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
