// The Feishu node's webhook, which n8n calls on its resume URL while a Send and Wait execution waits
// (docs/protocol.md, "Send and Wait"). It takes only answers the app's Feishu Trigger relayed (sealed
// with the app's secret), from whom the request allows, and then resumes the execution with who
// answered what and when; its reply (a toast and the card without its buttons, saying the outcome) is
// what the trigger gives Feishu as the callback's answer. A refused answer resumes nothing: the
// execution keeps waiting and the person sees why.
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import {
	after,
	appCredentialsFrom,
	decidedWaitCard,
	FeishuValidationError,
	openWaitAnswer,
	shownValue,
	waitFields,
	WaitAnswerRefused,
	waitFormValues,
	type CallbackAnswer,
	type WaitAnswer,
	type WaitOutcome,
} from '../../../lib/feishu';
import type { WaitUrlQuery } from '../actions/message/sendAndWait.operation';
import { readWaitRequest, shownTime, waitCardOf } from './waitRequest';

const refuse = (content: string, type: 'error' | 'warning' = 'error'): IWebhookResponseData => ({ webhookResponse: { toast: { type, content } } satisfies CallbackAnswer });

// Two answers to one wait can arrive together (two approvers click at once): the first is taken, the
// other is told so, for as long as the first is being taken (n8n 1.x would resume twice).
const answering = new Set<string>();

/** Why this person may not answer, if they may not. */
function notAllowed(query: WaitUrlQuery, answer: WaitAnswer): string | undefined {
	const who = answer.operator.open_id;
	if (query.until && Date.now() > Number(query.until)) return 'This request has expired';
	if (query.chat && answer.context.open_chat_id !== query.chat) return 'This request is answered in the chat it was sent to';
	if (query.approvers && !(who && query.approvers.split(',').includes(who))) return 'You are not one of the approvers of this request';
	if (query.user && who !== query.user) return 'Only the person this request was sent to can answer it';
	return undefined;
}

export async function sendAndWaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	if (req.method !== 'POST') {
		// A browser or a link preview: the answer is given in Feishu, and nothing resumes from here.
		return { webhookResponse: 'This request is answered in Feishu, in the card the bot sent.' };
	}
	const { appSecret } = appCredentialsFrom(await this.getCredentials('feishuApi'));
	let answer: WaitAnswer;
	try {
		answer = openWaitAnswer(appSecret, this.getBodyData());
	} catch (error) {
		if (error instanceof WaitAnswerRefused) {
			this.logger.warn('Feishu Send and Wait refused an answer', { reason: error.message });
			return refuse('This answer could not be verified');
		}
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	const query = this.getQueryData() as WaitUrlQuery;
	const why = notAllowed(query, answer);
	if (why) return refuse(why, 'warning');

	const request = readWaitRequest(<T>(name: string, fallback: T) => this.getNodeParameter(name, fallback as never) as T);
	// The card as sent, for its fields and to redraw it decided (the buttons' values are not needed).
	const card = waitCardOf(request, { approve: { n8n_wait: 1, u: '', h: '' } });
	const now = Date.now();
	const at = shownTime(now, this.getTimezone());
	const responder: IDataObject = { id: answer.operator.open_id, ...(answer.operator.user_id ? { userId: answer.operator.user_id } : {}), ...(answer.operator.union_id ? { unionId: answer.operator.union_id } : {}), source: 'feishu' };
	const common: IDataObject = {
		responder,
		respondedAt: new Date(now).toISOString(),
		...(Number(query.sent) > 0 ? { waitedMs: now - Number(query.sent) } : {}),
		chatId: answer.context.open_chat_id,
		messageId: answer.context.open_message_id,
	};
	let data: IDataObject;
	let outcome: WaitOutcome;
	if (request.responseType === 'approval') {
		const approved = query.approved === 'true';
		data = { approved, ...common };
		outcome = { kind: approved ? 'approved' : 'declined', by: answer.operator.open_id, at };
	} else {
		let values: Record<string, unknown>;
		try {
			values = waitFormValues(waitFields(card.response), answer.action.form_value);
		} catch (error) {
			if (error instanceof FeishuValidationError) return refuse(error.message.replace(/^Form: /, ''), 'warning');
			throw new NodeOperationError(this.getNode(), error as Error);
		}
		data = (request.responseType === 'freeText' ? { text: values.Response, ...common } : { ...values, ...common }) as IDataObject;
		outcome = { kind: 'answered', by: answer.operator.open_id, at, values: Object.entries(values).map(([label, value]) => [label, shownValue(value)]) };
	}
	const key = `${this.getNode().id}|${String(req.url ?? '').split('?')[0]}`;
	if (answering.has(key)) return refuse('Someone else is answering this request right now', 'warning');
	answering.add(key);
	after(30_000, () => answering.delete(key));
	const decided = decidedWaitCard(card, outcome);
	const toastText = outcome.kind === 'approved' ? 'Approved' : outcome.kind === 'declined' ? 'Declined' : 'Answer recorded';
	return {
		webhookResponse: { toast: { type: 'success', content: toastText }, card: { type: 'raw', data: decided } } satisfies CallbackAnswer,
		workflowData: [[{ json: { data } }]],
	};
}
