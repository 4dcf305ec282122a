// Callback operations: answer the card.action.trigger that started this execution. The trigger
// passes a response promise to n8n; sendResponse resolves it and the answer goes back to Feishu.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { buildCardActionAnswer, FeishuValidationError } from '../wire';
import { readCard } from './content';

export function executeCallback(ctx: IExecuteFunctions, operation: string, i: number, item: INodeExecutionData): INodeExecutionData {
	if (operation !== 'respondToCardAction') throw new FeishuValidationError('Operation', `unknown callback operation "${operation}"`);
	const toastType = ctx.getNodeParameter('toastType', i) as string;
	const toast =
		toastType === 'none'
			? undefined
			: { type: toastType as 'info' | 'success' | 'warning' | 'error', content: ctx.getNodeParameter('toastContent', i, '') as string };
	const card = ctx.getNodeParameter('respondWithCard', i, false) ? readCard(ctx, i) : undefined;
	const answer = buildCardActionAnswer({ toast, card });
	ctx.sendResponse(answer as IDataObject);
	return { json: { ...item.json, answer: answer as IDataObject } };
}
