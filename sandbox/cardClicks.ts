// POST /_sandbox/cards/:message_id/click: a person clicks a card button (or submits a form; checked
// first by cardForms.ts, refusals are HTTP 400). The app gets
// card.action.trigger over its delivery mode; its answer (toast and/or card) comes back within 3 s,
// and a card in it replaces the stored message, like Feishu re-rendering the card.
import { callbackAnswerProblem } from './callbackAnswer';
import { checkCardClick } from './cardForms';
import { bad, type ControlDeps } from './controlContext';
import { cardActionEvent, envelope } from './events';
import { sendJson, type Router } from './http';
import { newUuid } from './ids';
import { senderFor } from './userMessages';

export function registerCardClicks(router: Router, d: ControlDeps): void {
	const { state } = d;
	router.add('POST', '/_sandbox/cards/:message_id/click', async (ctx) => {
		const b = await ctx.json();
		const message = state.messages.get(ctx.params.message_id);
		if (!message) return bad(ctx, `unknown message ${ctx.params.message_id}`, 404);
		const app = state.apps.get(message.appId);
		if (!app) return bad(ctx, 'the message has no app', 404);
		// Refused like Feishu's client would: nothing is sent to the app.
		const check = checkCardClick(message, b);
		if (!check.ok) return bad(ctx, `click refused: ${check.problem}`);
		const operator = senderFor(state, b.operator ?? (state.chats.get(message.chatId)?.userOpenId ? { open_id: state.chats.get(message.chatId)?.userOpenId } : undefined));
		const event = envelope(app, {
			eventType: 'card.action.trigger',
			event: cardActionEvent({
				operator,
				message,
				value: check.value,
				tag: b.tag ?? 'button',
				name: check.name ?? b.name,
				formValue: check.formValue ?? b.form_value,
				inputValue: b.input_value,
				option: b.option,
				cardToken: `c-${newUuid().replace(/-/g, '')}`,
			}),
		});
		const started = Date.now();
		const { record, answer } = d.delivery.deliver(app, event, { callback: true, frameType: b.frame_type === 'card' ? 'card' : 'event' });
		// Feishu shows the user an error when no answer comes within 3 s.
		let timer: NodeJS.Timeout | undefined;
		const result = await Promise.race([answer, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), d.callbackWaitMs)))]);
		clearTimeout(timer);
		const problem = record.acked ? callbackAnswerProblem(result) : undefined;
		const card = problem ? undefined : cardFromAnswer(result);
		if (card) {
			message.content = JSON.stringify(card);
			message.updateTime = Date.now();
			message.updated = true;
		}
		sendJson(ctx.res, 200, {
			answer: result ?? null,
			latency_ms: Date.now() - started,
			event_id: event.eventId,
			acked: record.acked,
			...(!record.acked
				? { error: { code: 200340, msg: 'The callback did not answer in time (the user sees error 200340)' } }
				: problem
					? { error: { code: 200672, msg: `The callback answer is invalid: ${problem}` } }
					: {}),
			card_updated: !!card,
		});
	});

}

/** A callback answer's card: `{card:{type:'raw',data}}` (new style) or a bare card object (old style). */
export function cardFromAnswer(answer: unknown): Record<string, unknown> | undefined {
	if (!answer || typeof answer !== 'object') return undefined;
	const a = answer as Record<string, any>;
	if (a.card && typeof a.card === 'object') {
		if (a.card.type === 'raw' && a.card.data && typeof a.card.data === 'object') return a.card.data;
		if (a.card.type === 'template') return { type: 'template', data: a.card.data };
		if (a.card.elements || a.card.header || a.card.body) return a.card;
	}
	if (Array.isArray(a.elements) || a.header || a.body) return a;
	return undefined;
}
