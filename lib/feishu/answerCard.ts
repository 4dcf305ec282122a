// One AI answer streamed into a CardKit card (cardKit.ts): a "thinking" card sent as a reply, its markdown
// element set to the answer so far as the model writes it, then one full update that ends streaming with
// the final answer (and a footer), the parts past one card's size sent as further replies.
//
// Feishu's rules this keeps: every operation on the card carries a sequence above the last; at most 10
// operations a second per card (the close included), so starts are at least `minIntervalMs` apart, a
// start is at least 100 ms after the previous answer (so however long a request took on the way, no two
// reach Feishu closer than that), and only one request is in flight, always with the newest text
// (content takes the full text; the client types what continues the previous one). A request that
// failed may still have been applied, so its sequence is never given to another request: a network
// failure is repeated once with the same uuid and sequence (a repeat of an applied uuid is answered,
// not applied again).
import { randomUUID } from 'node:crypto';
import type { FeishuApiClient } from './apiClient';
import { ANSWER_PART_MAX, closeOpenFence, splitAnswer, toCardMarkdown } from './answerMarkdown';
import { CARD_SEQUENCE_MAX, createCardEntity, replyCardEntity, streamElementContent, updateCardEntity } from './cardKit';
import { monotonicNow } from './deadlineQueue';
import { FeishuApiError, FeishuNetworkError, FeishuValidationError, RATE_LIMIT_CODE } from './errors';
import { replyMessage } from './messages';
import { delay } from './timers';

/** The markdown element the answer streams into. */
export const ANSWER_ELEMENT_ID = 'answer';
export const FOOTER_ELEMENT_ID = 'footer';
export const ERROR_ELEMENT_ID = 'error';

/** Default gap between the starts of two operations on the card: 6.7 a second, under Feishu's 10. */
export const ANSWER_MIN_INTERVAL_MS = 150;
/** The smallest gap allowed: 10 a second exactly, with no room for jitter below it. */
const MIN_INTERVAL_FLOOR_MS = 100;
/**
 * Least time from an operation's answer to the next start: the answer comes after Feishu took the
 * request, so the next one arrives at least this much later whatever the latency of either.
 */
const GAP_AFTER_ANSWER_MS = 100;

/** "The sequence number for operating on the card did not increment consecutively". */
export const CARD_SEQUENCE_CODE = 300317;
// How far a 300317 moves the sequence on each try (someone else used the card, or it was attached with
// a stale number): 1, 10, 100, 1000 cover a card 1111 operations ahead.
const RESYNC_STEPS = [1, 10, 100, 1000];

/** Feishu's streaming typewriter settings (card JSON 2.0 `config.streaming_config`). */
export interface StreamingConfig {
	/** Milliseconds between typed steps, per client (`default`, `android`, `ios`, `pc`). */
	print_frequency_ms?: Record<string, number>;
	/** Characters per typed step, per client. */
	print_step?: Record<string, number>;
	/** `fast`: a new text shows what is still untyped at once; `delay`: it is typed out first. */
	print_strategy?: 'fast' | 'delay';
}

export interface AnswerCardLook {
	/** A header title; none by default. */
	title?: string;
	/** The header colour (blue, green, red, ...). */
	template?: string;
	streamingConfig?: StreamingConfig;
}

export interface ThinkingCardOptions extends AnswerCardLook {
	/** What the card shows until the first text (default "Thinking…"). */
	thinking?: string;
	/** The chat list's preview while it streams (default the thinking text). */
	summary?: string;
}

const DEFAULT_THINKING = 'Thinking…';
type Json = Record<string, unknown>;

function header(look: AnswerCardLook): Json | undefined {
	if (!look.title) return undefined;
	return { title: { tag: 'plain_text', content: look.title }, template: look.template || 'blue' };
}

/** The card an answer starts as: streaming on, the thinking text in the answer element. */
export function thinkingCard(opts: ThinkingCardOptions = {}): Json {
	const thinking = opts.thinking || DEFAULT_THINKING;
	const head = header(opts);
	return {
		schema: '2.0',
		config: {
			streaming_mode: true,
			update_multi: true,
			summary: { content: opts.summary || thinking },
			...(opts.streamingConfig ? { streaming_config: opts.streamingConfig } : {}),
		},
		...(head ? { header: head } : {}),
		body: { elements: [{ tag: 'markdown', element_id: ANSWER_ELEMENT_ID, content: thinking }] },
	};
}

/**
 * The markdown a partial answer shows: an open code fence closed, a half-typed table row dropped, then
 * normalised for the card; only what fits one card part (the rest comes as further messages at the end).
 */
export function streamingAnswerText(partial: string): string {
	const md = toCardMarkdown(closeOpenFence(partial));
	return md.length > ANSWER_PART_MAX ? (splitAnswer(md, ANSWER_PART_MAX)[0] ?? '') : md;
}

/** The parts of a final answer: the first goes into the card, each other one into a message of its own. */
export function answerParts(text: string): string[] {
	return splitAnswer(toCardMarkdown(text), ANSWER_PART_MAX);
}

/** At most `max` characters, with an ellipsis when cut (never inside a surrogate pair). */
function clip(text: string, max: number): string {
	if (text.length <= max) return text;
	let end = max - 1;
	const c = text.charCodeAt(end - 1);
	if (c >= 0xd800 && c <= 0xdbff) end--;
	return `${text.slice(0, end)}…`;
}

/** Text shown literally in a markdown element (a footer, an error): no tags, no emphasis, one line. */
function literal(text: string, max: number): string {
	return clip(text.replace(/\s+/g, ' ').trim(), max).replace(/[<>*_~`[\]]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The chat list's preview: the answer's first line without its Markdown, at most 100 characters. */
export function answerSummary(text: string): string {
	const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
	const plain = first
		.replace(/^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d{1,9}[.)]\s+)+/, '')
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/\*\*|__|~~|`+/g, '')
		.replace(/<[^>]*>/g, '')
		.replace(/\s+/g, ' ')
		.trim();
	return clip(plain, 100);
}

/** An answer part past the first: its own interactive card (schema 2.0, one markdown element). */
export function answerPartCard(part: string): Json {
	const summary = answerSummary(part);
	return {
		schema: '2.0',
		config: { update_multi: true, ...(summary ? { summary: { content: summary } } : {}) },
		body: { elements: [{ tag: 'markdown', content: part }] },
	};
}

function finalCard(look: AnswerCardLook, p: { answer: string; summary: string; footer?: string; error?: string }): Json {
	const head = header(look);
	// An empty markdown element is left out rather than risked (fail() before any text).
	const elements: Json[] = p.answer ? [{ tag: 'markdown', element_id: ANSWER_ELEMENT_ID, content: p.answer }] : [];
	if (p.error) elements.push({ tag: 'markdown', element_id: ERROR_ELEMENT_ID, content: `<font color='red'>⚠️ The answer stopped: ${literal(p.error, 500)}</font>` });
	if (p.footer) elements.push({ tag: 'markdown', element_id: FOOTER_ELEMENT_ID, text_size: 'notation', content: `<font color='grey'>${literal(p.footer, 200)}</font>` });
	return {
		schema: '2.0',
		config: { streaming_mode: false, update_multi: true, ...(p.summary ? { summary: { content: p.summary } } : {}) },
		...(head ? { header: head } : {}),
		body: { elements },
	};
}

export interface StreamingAnswerCardOptions extends AnswerCardLook {
	/**
	 * Least time between the starts of two operations on the card (default 150, at least 100); a start
	 * is also at least 100 ms after the previous answer.
	 */
	minIntervalMs?: number;
	/** Told of each streamed update that failed (after its retry); streaming goes on unless Feishu refused it. */
	onError?: (error: Error) => void;
}

/** Where an answer card is: what another process needs to attach to it. */
export interface AnswerCardRef {
	card_id: string;
	message_id: string;
	/** The last sequence used on the card. */
	sequence: number;
	/** The message the card answers (the parts past the first reply to it); default the card's message. */
	reply_to?: string;
	/** The parts past the first go into the reply thread. */
	reply_in_thread?: boolean;
}

export interface AnswerCardResult {
	card_id: string;
	message_id: string;
	/** The messages carrying the answer's parts past the first, in order. */
	extra_message_ids: string[];
}

type State = 'new' | 'starting' | 'streaming' | 'closing' | 'closed';

/** Transient: the client has retried already, the next update may get through. */
const transient = (e: unknown) => e instanceof FeishuNetworkError || (e instanceof FeishuApiError && (e.code === RATE_LIMIT_CODE || (e.httpStatus ?? 0) >= 500));

/**
 * One answer card's life: `start` (or `attach`), any number of `push(textSoFar)`, then `finish` or
 * `fail`. Pushes are coalesced: call it for every token, it sends what is newest when the card may be
 * changed again.
 */
export class StreamingAnswerCard {
	private readonly client: FeishuApiClient;
	private readonly look: AnswerCardLook;
	private readonly minIntervalMs: number;
	private readonly onError?: (error: Error) => void;
	private state: State = 'new';
	private ref?: { cardId: string; messageId: string; replyTo: string; replyInThread: boolean };
	private seq = 0;
	private lastStart = Number.NEGATIVE_INFINITY;
	private lastEnd = Number.NEGATIVE_INFINITY;
	private latest?: string;
	/** The rendered text the card has (or may have: sent, whatever the answer). */
	private shown?: string;
	private running = false;
	private pumping: Promise<void> = Promise.resolve();
	/** Feishu refused a streamed update for good (streaming closed or timed out, card gone): no more. */
	private stopped = false;
	private error?: Error;

	constructor(client: FeishuApiClient, opts: StreamingAnswerCardOptions = {}) {
		const min = opts.minIntervalMs ?? ANSWER_MIN_INTERVAL_MS;
		if (!Number.isFinite(min) || min < MIN_INTERVAL_FLOOR_MS) {
			throw new FeishuValidationError('minIntervalMs', `should be at least ${MIN_INTERVAL_FLOOR_MS} (Feishu allows 10 operations a second per card)`);
		}
		this.client = client;
		this.look = { title: opts.title, template: opts.template, streamingConfig: opts.streamingConfig };
		this.minIntervalMs = min;
		this.onError = opts.onError;
	}

	get cardId(): string | undefined {
		return this.ref?.cardId;
	}

	get messageId(): string | undefined {
		return this.ref?.messageId;
	}

	/** The last sequence used on the card (for `attach` elsewhere). */
	get sequence(): number {
		return this.seq;
	}

	/** The last streamed update's failure, if the card has not shown a newer text since. */
	get lastError(): Error | undefined {
		return this.error;
	}

	/** Where the card is, for another process to `attach` to it. */
	toRef(): AnswerCardRef | undefined {
		const r = this.ref;
		return r && { card_id: r.cardId, message_id: r.messageId, sequence: this.seq, reply_to: r.replyTo, ...(r.replyInThread ? { reply_in_thread: true } : {}) };
	}

	/** Creates the thinking card and sends it as a reply to `replyTo`. */
	async start(p: { replyTo: string; replyInThread?: boolean; uuid?: string } & Omit<ThinkingCardOptions, keyof AnswerCardLook>): Promise<{ card_id: string; message_id: string }> {
		this.expect('new', 'start');
		this.state = 'starting';
		try {
			const card = thinkingCard({ ...this.look, thinking: p.thinking, summary: p.summary });
			// Creating is an operation on the card too, as far as the per-card budget may count it.
			await this.turn();
			const cardId = await createCardEntity(this.client, card).finally(() => (this.lastEnd = monotonicNow()));
			const message = await replyCardEntity(this.client, { messageId: p.replyTo, cardId, replyInThread: p.replyInThread, uuid: p.uuid });
			this.ref = { cardId, messageId: message.message_id, replyTo: p.replyTo, replyInThread: Boolean(p.replyInThread) };
			this.state = 'streaming';
			if (this.latest !== undefined) this.kick();
			return { card_id: cardId, message_id: message.message_id };
		} catch (error) {
			this.state = 'new';
			throw error;
		}
	}

	/** Takes over a card already sent (by `start` here or elsewhere), `sequence` being the last one used on it. */
	attach(ref: AnswerCardRef): void {
		this.expect('new', 'attach');
		if (!Number.isInteger(ref.sequence) || ref.sequence < 0 || ref.sequence >= CARD_SEQUENCE_MAX) {
			throw new FeishuValidationError('sequence', `should be an integer from 0 to ${CARD_SEQUENCE_MAX - 1}`);
		}
		if (!ref.card_id || !ref.message_id) throw new FeishuValidationError('card_id', 'card_id and message_id are required');
		this.ref = { cardId: ref.card_id, messageId: ref.message_id, replyTo: ref.reply_to || ref.message_id, replyInThread: Boolean(ref.reply_in_thread) };
		this.seq = ref.sequence;
		// The previous owner may have just changed it.
		this.lastStart = this.lastEnd = monotonicNow();
		this.state = 'streaming';
	}

	/**
	 * The answer so far (the full text, not a delta). Returns at once; the card gets the newest text when
	 * the last update is done and the interval has passed. While `start` is under way the text waits for
	 * it; once the card is closing, pushes are ignored.
	 */
	push(textSoFar: string): void {
		if (this.state === 'new') throw new FeishuValidationError('card', 'start() or attach() the card before push()');
		if (typeof textSoFar !== 'string') throw new FeishuValidationError('text', 'should be a string');
		if (this.state === 'starting') this.latest = textSoFar;
		if (this.state !== 'streaming' || this.stopped) return;
		this.latest = textSoFar;
		this.kick();
	}

	private kick(): void {
		if (this.running) return;
		this.running = true;
		this.pumping = this.pump();
	}

	/** Waits until the newest pushed text is on the card; rejects with the error that kept it off. */
	async flush(): Promise<void> {
		while (this.running) await this.pumping;
		if (this.error) throw this.error;
	}

	/**
	 * Ends streaming with the final answer: one full update (streaming off, the answer's first part, the
	 * footer, the summary), then the other parts as replies. Resolves to where each part went.
	 */
	async finish(finalText: string, opts: { footer?: string } = {}): Promise<AnswerCardResult> {
		if (typeof finalText !== 'string') throw new FeishuValidationError('text', 'should be a string');
		return this.close(answerParts(finalText), { footer: opts.footer, summary: answerSummary(finalText) });
	}

	/** Ends streaming after a failure: the partial answer (default the last pushed text) and the error line. */
	async fail(message: string, partialText?: string): Promise<AnswerCardResult> {
		const partial = partialText ?? this.latest ?? '';
		const md = toCardMarkdown(closeOpenFence(partial));
		const parts = md.trim() ? splitAnswer(md, ANSWER_PART_MAX) : [];
		const first = answerSummary(partial);
		return this.close(parts, { error: String(message || 'unknown error'), summary: `⚠️ ${first || 'The answer stopped'}` });
	}

	private async close(parts: string[], p: { footer?: string; error?: string; summary: string }): Promise<AnswerCardResult> {
		if (this.state === 'new' || this.state === 'starting') throw new FeishuValidationError('card', 'start() or attach() the card first');
		if (this.state === 'closed') throw new FeishuValidationError('card', 'is closed already');
		if (this.state === 'closing') throw new FeishuValidationError('card', 'is being closed already');
		this.state = 'closing';
		try {
			while (this.running) await this.pumping;
			const ref = this.ref!;
			const card = finalCard(this.look, { answer: parts[0] ?? (p.error ? '' : '(empty answer)'), summary: p.summary, footer: p.footer, error: p.error });
			await this.operate((sequence, uuid) => updateCardEntity(this.client, { cardId: ref.cardId, card, sequence, uuid }));
			this.shown = parts[0];
			const extra: string[] = [];
			for (let i = 1; i < parts.length; i++) {
				// A uuid of the card and part: a repeated close (a retry after a failure) posts no part twice.
				const m = await replyMessage(this.client, { messageId: ref.replyTo, msgType: 'interactive', content: answerPartCard(parts[i]), replyInThread: ref.replyInThread, uuid: `${ref.cardId}-part-${i}` });
				extra.push(m.message_id);
			}
			this.state = 'closed';
			return { card_id: ref.cardId, message_id: ref.messageId, extra_message_ids: extra };
		} catch (error) {
			// The card may still be closed by another finish() or fail().
			this.state = 'streaming';
			this.stopped = true;
			throw error;
		}
	}

	private expect(state: State, what: string): void {
		if (this.state !== state) throw new FeishuValidationError('card', `${what}() only once, before anything else`);
	}

	/** Sends the newest text until the card has it; one at a time, `minIntervalMs` between starts. */
	private async pump(): Promise<void> {
		try {
			while (this.state === 'streaming' && !this.stopped) {
				await this.turn(false);
				if (this.state !== 'streaming') return;
				// Nothing here may reject: no one need be awaiting the pump.
				try {
					const content = streamingAnswerText(this.latest ?? '');
					if (!content.trim() || content === this.shown) return;
					const ref = this.ref!;
					await this.operate((sequence, uuid) => streamElementContent(this.client, { cardId: ref.cardId, elementId: ANSWER_ELEMENT_ID, content, sequence, uuid }));
					this.shown = content;
					this.error = undefined;
				} catch (caught) {
					const error = caught instanceof Error ? caught : new Error(String(caught));
					this.error = error;
					if (!transient(error)) this.stopped = true;
					try {
						this.onError?.(error);
					} catch {
						/* the caller's logger failing must not stop the answer */
					}
					return; // the next push tries again (when it may)
				}
			}
		} finally {
			this.running = false;
		}
	}

	/** Waits until an operation may start; `claim` marks it started. */
	private async turn(claim = true): Promise<void> {
		for (;;) {
			const wait = Math.max(this.lastStart + this.minIntervalMs, this.lastEnd + GAP_AFTER_ANSWER_MS) - monotonicNow();
			if (wait <= 0) break;
			await delay(Math.ceil(wait));
		}
		if (claim) this.lastStart = monotonicNow();
	}

	/**
	 * One operation on the card under a new sequence and uuid: a network failure repeated once as the
	 * same request; a 300317 (the card is ahead) retried with a higher sequence.
	 */
	private async operate(send: (sequence: number, uuid: string) => Promise<void>): Promise<void> {
		let sequence = this.next(1);
		let uuid = randomUUID();
		let repeated = false;
		let resyncs = 0;
		for (;;) {
			await this.turn();
			try {
				await send(sequence, uuid);
				return;
			} catch (error) {
				if (error instanceof FeishuNetworkError && !repeated) {
					repeated = true;
					continue;
				}
				if (error instanceof FeishuApiError && error.code === CARD_SEQUENCE_CODE && resyncs < RESYNC_STEPS.length) {
					sequence = this.next(RESYNC_STEPS[resyncs++]);
					uuid = randomUUID();
					repeated = false;
					continue;
				}
				throw error;
			} finally {
				this.lastEnd = monotonicNow();
			}
		}
	}

	/** The sequence `step` above the last used, taken (never handed out again, whatever the answer). */
	private next(step: number): number {
		const s = this.seq + step;
		if (s > CARD_SEQUENCE_MAX) throw new FeishuValidationError('sequence', `the card's sequence would pass ${CARD_SEQUENCE_MAX}`);
		this.seq = s;
		return s;
	}
}
