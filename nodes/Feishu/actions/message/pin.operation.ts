import type { IDataObject } from 'n8n-workflow';
import { pinMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const pin: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/pins',
	scopes: ['im:message', 'im:message.pins:write_only', 'im:message:send_as_bot'],
	async execute(context) {
		return { json: (await pinMessage(apiClient(context), { messageId: param<string>(context, 'messageId') })) as IDataObject };
	},
};
