// Answers the card.action.trigger that started this execution. The trigger passes a response
// promise to n8n; sendResponse resolves it and the answer goes back to Feishu.
import type { IDataObject } from 'n8n-workflow';
import { buildCardActionAnswer } from '../../../../lib/feishu';
import { readCard } from '../content';
import type { ItemOperation } from '../types';

export const respondToCardAction: ItemOperation = {
	endpoint: 'answer to the `card.action.trigger` callback',
	execute({ ctx, i, item }) {
		const toastType = ctx.getNodeParameter('toastType', i) as string;
		const toast =
			toastType === 'none'
				? undefined
				: { type: toastType as 'info' | 'success' | 'warning' | 'error', content: ctx.getNodeParameter('toastContent', i, '') as string };
		const card = ctx.getNodeParameter('respondWithCard', i, false) ? readCard(ctx, i) : undefined;
		const answer = buildCardActionAnswer({ toast, card });
		// n8n's full-response shape: a webhook trigger writes `body` as the HTTP answer; the long
		// connection trigger unwraps it the same way.
		ctx.sendResponse({ body: answer as IDataObject, headers: { 'content-type': 'application/json' }, statusCode: 200 });
		return { json: { ...item.json, answer: answer as IDataObject } };
	},
};
