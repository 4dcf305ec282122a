import { forwardMessage } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, messageJson, options, param, userUuid } from './shared';

export const forward: ItemOperation = {
	async execute(context) {
		const res = await forwardMessage(apiClient(context), {
			messageId: param<string>(context, 'messageId'),
			receiveIdType: param<string>(context, 'receiveIdType'),
			receiveId: param<string>(context, 'receiveId'),
			uuid: userUuid(options(context)),
		});
		return { json: messageJson(res) };
	},
};
