import type { IDataObject } from 'n8n-workflow';
import { findUserIds as findContactUserIds } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, idsFrom, options, param } from '../shared';

/** One item per email and mobile, in the order given; `user_id` is absent where Feishu found nobody the app may see. */
export const findUserIds: ItemOperation = {
	endpoint: 'POST /open-apis/contact/v3/users/batch_get_id',
	scopes: ['contact:user.id:readonly'],
	async execute(context) {
		const matches = await findContactUserIds(apiClient(context), {
			emails: idsFrom(param(context, 'emails', '')),
			mobiles: idsFrom(param(context, 'mobiles', '')),
			includeResigned: options(context).includeResigned === true,
			userIdType: param<string>(context, 'userIdType', 'open_id'),
		});
		return matches.map((match) => ({ json: match as IDataObject }));
	},
};
