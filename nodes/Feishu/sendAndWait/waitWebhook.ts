// The Feishu node's webhook, which n8n calls on its resume URL while a Send and Wait execution waits
// (docs/protocol.md, "Send and Wait"). It takes only answers the app's Feishu Trigger relayed (sealed
// with the app's secret), from whom the request allows, and then resumes the execution with who
// answered what and when; its reply (a toast and the card without its buttons, saying the outcome) is
// what the trigger gives Feishu as the callback's answer. A refused answer resumes nothing: the
// execution keeps waiting and the person sees why. At the time limit the process that sent the card
// posts its expiry here (lib/feishu/waitExpiry.ts): the card is redrawn as expired, and n8n's own
// timeout resumes the execution moments later. Answers given on n8n's page instead (no Feishu Trigger,
// or Options > Answer On) come as the browser's GET and form POST (answerOnPage, answerPage.ts).
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import {
	after,
	appCredentialsFrom,
	decidedWaitCard,
	delay,
	FeishuApiError,
	FeishuValidationError,
	isWaitExpiry,
	openWaitAnswer,
	openWaitExpiry,
	updateCard,
	shownValue,
	waitFields,
	WaitAnswerRefused,
	waitFormValues,
	type CallbackAnswer,
	type WaitAnswer,
	type WaitCard,
	type WaitOutcome,
} from '../../../lib/feishu';
import type { WaitUrlQuery } from '../actions/message/sendAndWait.operation';
import { botClient } from '../GenericFunctions';
import { formPage, notePage, pageFormValue } from './answerPage';
import { readWaitRequest, shownTime, waitCardOf } from './waitRequest';

const refuse = (content: string, type: 'error' | 'warning' = 'error'): IWebhookResponseData => ({ webhookResponse: { toast: { type, content } } satisfies CallbackAnswer });

// Two answers to one wait can arrive together (two approvers click at once): the first is taken, the
// other is told so, for as long as the first is being taken (n8n 1.x would resume twice).
const answering = new Set<string>();

/** One wait: the node and its resume URL without the query. */
const answerKey = (ctx: IWebhookFunctions) => `${ctx.getNode().id}|${String(ctx.getRequestObject().url ?? '').split('?')[0]}`;

/** Why this person may not answer, if they may not. */
function notAllowed(query: WaitUrlQuery, answer: WaitAnswer): string | undefined {
	const who = answer.operator.open_id;
	if (query.until && Date.now() > Number(query.until)) return 'This request has expired';
	if (query.chat && answer.context.open_chat_id !== query.chat) return 'This request is answered in the chat it was sent to';
	if (query.approvers && !(who && query.approvers.split(',').includes(who))) return 'You are not one of the approvers of this request';
	if (query.user && who !== query.user) return 'Only the person this request was sent to can answer it';
	return undefined;
}

/** The card as sent, for its fields and to redraw it (the buttons' values are not needed). */
function sentCard(ctx: IWebhookFunctions): WaitCard {
	return waitCardOf(readWaitRequest(<T>(name: string, fallback: T) => ctx.getNodeParameter(name, fallback as never) as T), { approve: { n8n_wait: 1, u: '', h: '' } });
}

/** Clocks of the sending process and this one may differ this much. */
const CLOCK_SKEW_MS = 2_000;

/** The sending process's expiry at the time limit: the card redrawn as expired; the execution waits on for n8n's timeout. */
async function expire(this: IWebhookFunctions, appSecret: string): Promise<IWebhookResponseData> {
	let messageId: string;
	try {
		messageId = openWaitExpiry(appSecret, this.getBodyData());
	} catch (error) {
		if (!(error instanceof WaitAnswerRefused)) throw new NodeOperationError(this.getNode(), error as Error);
		this.logger.warn('Feishu Send and Wait refused an expiry', { reason: error.message });
		return { webhookResponse: { expired: false, reason: 'This expiry could not be verified' } };
	}
	const until = Number((this.getQueryData() as WaitUrlQuery).until);
	const early = until - Date.now();
	if (!(until > 0) || early > CLOCK_SKEW_MS) return { webhookResponse: { expired: false, reason: 'The request has not reached its time limit' } };
	// Past the limit by this clock too, no answer can be taken any more; one taken just before has its key.
	if (early > 0) await delay(early);
	if (answering.has(answerKey(this))) return { webhookResponse: { expired: false, reason: 'The request was answered' } };
	const card = decidedWaitCard(sentCard(this), { kind: 'expired', at: shownTime(until, this.getTimezone()) });
	try {
		await updateCard(await botClient(this), { messageId, card });
	} catch (error) {
		// The card stays as it was (recalled, say); n8n's timeout still resumes the execution.
		const reason = error instanceof FeishuApiError ? `Feishu error ${error.code}: ${error.msg} (log_id ${error.logId ?? 'n/a'})` : (error as Error).message;
		this.logger.warn('Feishu Send and Wait could not mark the card expired', { messageId, reason });
		return { webhookResponse: { expired: false, reason } };
	}
	return { webhookResponse: { expired: true } };
}

// Link previewers and crawlers open URLs too; n8n's own approval links ignore them the same way.
const BOT_AGENT = /bot|crawl|spider|preview|slurp|facebookexternalhit|skype|teams/i;

/** An answer on n8n's page (query.page): approval links answer on open; forms are shown, then posted. */
function answerOnPage(this: IWebhookFunctions, query: WaitUrlQuery): IWebhookResponseData {
	const req = this.getRequestObject();
	const page = (html: string, workflowData?: IWebhookResponseData['workflowData']): IWebhookResponseData => ({ webhookResponse: html, ...(workflowData ? { workflowData } : {}) });
	if (query.until && Date.now() > Number(query.until)) return page(notePage('Expired', 'This request is no longer waiting for an answer.'));
	const request = readWaitRequest(<T>(name: string, fallback: T) => this.getNodeParameter(name, fallback as never) as T);
	const fields = waitFields(sentCard(this).response);
	let values: Record<string, unknown> = {};
	if (request.responseType === 'approval') {
		if (req.method !== 'GET' || BOT_AGENT.test(String(req.headers['user-agent'] ?? ''))) return page('');
	} else {
		if (req.method !== 'POST') return page(formPage({ ...request, fields }));
		const posted = pageFormValue(fields, this.getBodyData());
		try {
			values = waitFormValues(fields, posted);
		} catch (error) {
			if (!(error instanceof FeishuValidationError)) throw new NodeOperationError(this.getNode(), error as Error);
			return page(formPage({ ...request, fields, error: error.message.replace(/^Form: /, ''), values: posted }));
		}
	}
	const key = answerKey(this);
	if (answering.has(key)) return page(notePage('Already answered', 'Someone else answered this request.'));
	answering.add(key);
	after(30_000, () => answering.delete(key));
	const now = Date.now();
	const common: IDataObject = { responder: { source: 'n8nPage' }, respondedAt: new Date(now).toISOString(), ...(Number(query.sent) > 0 ? { waitedMs: now - Number(query.sent) } : {}) };
	const approved = query.approved === 'true';
	const data: IDataObject =
		request.responseType === 'approval' ? { approved, ...common } : ((request.responseType === 'freeText' ? { text: values.Response, ...common } : { ...values, ...common }) as IDataObject);
	const heading = request.responseType !== 'approval' ? 'Answer recorded' : approved ? 'Approved' : 'Declined';
	return page(notePage(heading, 'Thank you. This page can be closed now.'), [[{ json: { data } }]]);
}

export async function sendAndWaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const query = this.getQueryData() as WaitUrlQuery;
	if (req.method === 'POST' && isWaitExpiry(this.getBodyData())) return await expire.call(this, appCredentialsFrom(await this.getCredentials('feishuApi')).appSecret);
	if (query.page === '1') return answerOnPage.call(this, query);
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
	const why = notAllowed(query, answer);
	if (why) return refuse(why, 'warning');

	const card = sentCard(this);
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
	if (card.response.type === 'approval') {
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
		data = (card.response.type === 'freeText' ? { text: values.Response, ...common } : { ...values, ...common }) as IDataObject;
		outcome = { kind: 'answered', by: answer.operator.open_id, at, values: Object.entries(values).map(([label, value]) => [label, shownValue(value)]) };
	}
	const key = answerKey(this);
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
