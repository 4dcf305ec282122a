import type { IDataObject } from 'n8n-workflow';
import { listPins } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, options, param } from '../shared';

export const getPins: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/pins',
	scopes: ['im:message', 'im:message.pins:read', 'im:message:readonly'],
	async execute(context) {
		const limit = param<boolean>(context, 'returnAll') ? undefined : param<number>(context, 'limit');
		const opts = options(context);
		const pins = await listPins(apiClient(context), {
			chatId: locatorValue(context, 'chatId'),
			startTime: (opts.startTime as string | undefined) || undefined,
			endTime: (opts.endTime as string | undefined) || undefined,
			limit,
		});
		return pins.map((p) => ({ json: p as IDataObject }));
	},
};
