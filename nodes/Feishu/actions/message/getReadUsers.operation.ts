import type { IDataObject } from 'n8n-workflow';
import { listReadUsers } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';

export const getReadUsers: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/messages/:message_id/read_users',
	scopes: ['im:message', 'im:message:readonly', 'im:message:basic'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll') ? undefined : param<number>(context, 'limit');
		const readers = await listReadUsers(apiClient(context), {
			messageId: param<string>(context, 'messageId'),
			userIdType: options(context).userIdType as string | undefined,
			limit,
		});
		return readers.map((r) => ({ json: r as IDataObject }));
	},
};
