// The trigger's half of Send and Wait (docs/protocol.md, "Send and Wait"): a card callback whose value
// is a Send and Wait one is not a workflow's event. Its sealed resume URL is opened with the app's
// secret and the person's answer, sealed too, posted to it; n8n resumes the waiting execution, whose
// node answers with the toast and the decided card, and that answer goes back to Feishu as the
// callback's. Once per callback per process: every trigger of the app on the shared connection sees
// the same event, and the second post would be a second answer.
import type { FeishuEnvelope } from './envelope';
import { isWaitAction, openWaitAction, sealWaitAnswer, type WaitAnswer } from './waitSignature';
import { after } from './timers';

export interface CallbackAnswer {
	toast?: { type: 'info' | 'success' | 'error' | 'warning'; content: string };
	card?: { type: 'raw'; data: Record<string, unknown> };
}

const toast = (type: NonNullable<CallbackAnswer['toast']>['type'], content: string): CallbackAnswer => ({ toast: { type, content } });

/** The Send and Wait action value of a card callback, if it is one. */
export function waitActionOf(envelope: FeishuEnvelope): Record<string, unknown> | undefined {
	if (envelope.eventType !== 'card.action.trigger') return undefined;
	const value: unknown = envelope.raw?.event?.action?.value;
	return isWaitAction(value) ? value : undefined;
}

function answerOf(envelope: FeishuEnvelope): WaitAnswer {
	const e = envelope.raw?.event ?? {};
	const a = e.action ?? {};
	return {
		eventId: envelope.eventId,
		operator: { open_id: e.operator?.open_id, user_id: e.operator?.user_id, union_id: e.operator?.union_id },
		action: { tag: a.tag, name: a.name, value: a.value, form_value: a.form_value, option: a.option },
		context: { open_message_id: e.context?.open_message_id, open_chat_id: e.context?.open_chat_id },
	};
}

function isCallbackAnswer(body: unknown): body is CallbackAnswer {
	return !!body && typeof body === 'object' && !Array.isArray(body) && ('toast' in body || 'card' in body);
}

/** What the person sees for n8n's reply to the relayed answer. */
export function callbackAnswerFor(status: number, body: unknown): CallbackAnswer {
	if (status >= 200 && status < 300) {
		if (isCallbackAnswer(body)) return body;
		// n8n's "no action required" page: the execution ended (answered, timed out) or waits elsewhere.
		return toast('info', 'This request is no longer waiting for an answer');
	}
	if (status === 401 || status === 403 || status === 404) return toast('error', 'This button is no longer valid');
	if (status === 409) return toast('info', 'This request is already being answered or has ended');
	return toast('error', `Could not record the answer: n8n answered HTTP ${status}`);
}

const inFlight = new Map<string, Promise<CallbackAnswer>>();

export interface RelayOptions {
	appSecret: string;
	/** How long to wait for n8n before answering Feishu without it (Feishu allows 3 s in all). */
	budgetMs: number;
	/** Logs why a relay failed. */
	onProblem?: (message: string) => void;
}

/**
 * The callback answer for a Send and Wait click or submit: n8n's, relayed; a toast when the value is
 * not sealed by this app (nothing is posted), when n8n refuses, fails or takes longer than the budget.
 */
export function relayWaitAnswer(envelope: FeishuEnvelope, value: Record<string, unknown>, o: RelayOptions): Promise<CallbackAnswer> {
	const key = envelope.eventId;
	const running = key ? inFlight.get(key) : undefined;
	if (running) return running;
	const relay = relayOnce(envelope, value, o);
	if (key) {
		inFlight.set(key, relay);
		// Kept a little past Feishu's deadline, so every trigger of this delivery gets the same answer.
		void relay.finally(() => after(10_000, () => inFlight.delete(key)));
	}
	return relay;
}

async function relayOnce(envelope: FeishuEnvelope, value: Record<string, unknown>, o: RelayOptions): Promise<CallbackAnswer> {
	const url = openWaitAction(o.appSecret, value);
	if (!url) {
		o.onProblem?.('a Send and Wait button not sealed with this app\'s secret was clicked; nothing was resumed');
		return toast('error', 'This button is not valid for this app');
	}
	const controller = new AbortController();
	const timer = after(o.budgetMs, () => controller.abort());
	try {
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify(sealWaitAnswer(o.appSecret, answerOf(envelope))),
			redirect: 'manual',
			signal: controller.signal,
		});
		const text = await res.text();
		let body: unknown = text;
		try {
			body = JSON.parse(text);
		} catch {
			// HTML (n8n's pages) or empty: callbackAnswerFor reads the status.
		}
		if (res.status >= 400) o.onProblem?.(`n8n answered HTTP ${res.status} to a Send and Wait answer: ${text.slice(0, 200)}`);
		return callbackAnswerFor(res.status, body);
	} catch (error) {
		if (controller.signal.aborted) {
			o.onProblem?.(`n8n took longer than ${o.budgetMs} ms to take a Send and Wait answer`);
			return toast('info', 'Your answer is being recorded');
		}
		o.onProblem?.(`could not post a Send and Wait answer to n8n: ${(error as Error).message}`);
		return toast('error', 'Could not reach n8n to record the answer');
	} finally {
		timer.cancel();
	}
}
