// Streamed AI answers (docs/protocol.md, "Streamed answers"): the trigger hands a message to its own
// answer webhook, whose execution n8n runs in streaming mode; n8n writes what nodes stream (the AI
// Agent's tokens) to that request's response as JSON lines, and the trigger turns them into card
// updates. This module is the wire between the two, with no n8n in it:
// - the hand-off body is sealed with the app's secret, so only the app's own trigger starts a run there;
// - the response's lines are read and folded into the answer text;
// - the Feishu node's Send Answer marks the final text with a token only the app's nodes can make.
import type { AnswerCardRef } from './answerCard';
import { appMac, sameHex } from './appSeal';

/** How old a hand-off may be when the answer webhook reads it. */
export const ANSWER_HANDOFF_MAX_AGE_MS = 60_000;

const HANDOFF = 'n8n-nodes-feishu-bot answer-handoff v1';
const FINAL = 'n8n-nodes-feishu-bot answer-final v1';

/** The answer card as the trigger's output item carries it (`answer_card`): where it is, and the token of its final answer. */
export type AnswerCardItem = AnswerCardRef & {
	token: string;
	/** The working reaction on the person's message, for whoever closes the card to take off. */
	reaction_id?: string;
};

/** The token a Send Answer chunk carries for a card: an HMAC of its id under the app secret. */
export function answerToken(appSecret: string, cardId: string): string {
	return appMac(appSecret, FINAL, cardId).slice(0, 32);
}

export interface SealedHandoff {
	item: string;
	ts: number;
	proof: string;
}

export function sealHandoff(appSecret: string, item: Record<string, unknown>, now = Date.now()): SealedHandoff {
	const text = JSON.stringify(item);
	return { item: text, ts: now, proof: appMac(appSecret, HANDOFF, `${now}.${text}`) };
}

export class HandoffRefused extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'HandoffRefused';
	}
}

/** The handed-on item, or HandoffRefused when the seal is missing, wrong or stale. */
export function openHandoff(appSecret: string, body: unknown, now = Date.now()): Record<string, unknown> {
	const b = (body && typeof body === 'object' ? body : {}) as Partial<SealedHandoff>;
	if (typeof b.item !== 'string' || typeof b.ts !== 'number' || typeof b.proof !== 'string') throw new HandoffRefused('not a message handed on by the Feishu Trigger');
	if (!sameHex(b.proof, appMac(appSecret, HANDOFF, `${b.ts}.${b.item}`))) throw new HandoffRefused('the seal does not match this app\'s secret');
	if (Math.abs(now - b.ts) > ANSWER_HANDOFF_MAX_AGE_MS) throw new HandoffRefused('the hand-off is too old');
	let parsed: unknown;
	try {
		parsed = JSON.parse(b.item);
	} catch {
		throw new HandoffRefused('the handed-on item is not JSON');
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HandoffRefused('the handed-on item is not an object');
	return parsed as Record<string, unknown>;
}

/** The key of the Send Answer chunk's content object. */
export const FINAL_ANSWER_KEY = 'feishu_answer';

export interface FinalAnswer {
	text: string;
	footer?: string;
}

/** The chunk content Send Answer streams when the run is streaming: the final text, marked for one card. */
export function finalAnswerChunk(token: string, answer: FinalAnswer): Record<string, unknown> {
	return { [FINAL_ANSWER_KEY]: { token, ...answer } };
}

/** One line n8n writes to a streaming response (n8n-workflow StructuredChunk). */
export interface StreamChunk {
	type: string;
	content?: string;
	metadata?: { nodeId?: string; nodeName?: string; itemIndex?: number; runIndex?: number };
}

/**
 * Folds n8n's chunks into the answer: the text each node run streamed, in order (an agent that thinks,
 * calls a tool and answers streams one run), joined by blank lines; an error chunk; and the final
 * answer of Send Answer, when its token is this card's.
 */
export class AnswerText {
	private readonly parts = new Map<string, string>();
	error?: string;
	final?: FinalAnswer;

	constructor(private readonly token: string) {}

	/** Whether the chunk changed the text shown so far. */
	add(chunk: StreamChunk): boolean {
		const key = `${chunk.metadata?.nodeId ?? ''}:${chunk.metadata?.runIndex ?? 0}:${chunk.metadata?.itemIndex ?? 0}`;
		if (chunk.type === 'error') {
			// n8n sends the failed node's error description, which may be empty.
			const what = typeof chunk.content === 'string' ? chunk.content.trim() : '';
			this.error = what || `${chunk.metadata?.nodeName ?? 'a node'} failed`;
			return false;
		}
		if (chunk.type !== 'item' || typeof chunk.content !== 'string' || chunk.content === '') return false;
		const final = this.finalOf(chunk.content);
		if (final) {
			this.final = final;
			return false;
		}
		this.parts.set(key, (this.parts.get(key) ?? '') + chunk.content);
		return true;
	}

	/** What streamed so far. */
	get text(): string {
		return [...this.parts.values()].filter((p) => p.trim() !== '').join('\n\n');
	}

	private finalOf(content: string): FinalAnswer | undefined {
		if (!content.startsWith(`{"${FINAL_ANSWER_KEY}"`)) return undefined;
		try {
			const v = (JSON.parse(content) as Record<string, any>)[FINAL_ANSWER_KEY];
			if (!v || typeof v.token !== 'string' || typeof v.text !== 'string' || !sameHex(v.token, this.token)) return undefined;
			return { text: v.text, ...(typeof v.footer === 'string' && v.footer ? { footer: v.footer } : {}) };
		} catch {
			return undefined;
		}
	}
}

/** Calls `onChunk` for every JSON line of a streaming response body (n8n's keepalive lines skipped). */
export async function readChunkLines(body: AsyncIterable<Uint8Array>, onChunk: (chunk: StreamChunk) => void): Promise<void> {
	const decoder = new TextDecoder();
	let pending = '';
	const line = (raw: string) => {
		const text = raw.trim();
		if (!text) return;
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return; // not a chunk (an HTML error page, say): nothing to show
		}
		if (parsed && typeof parsed === 'object' && typeof (parsed as StreamChunk).type === 'string' && (parsed as StreamChunk).type !== 'keepalive') onChunk(parsed as StreamChunk);
	};
	for await (const bytes of body) {
		pending += decoder.decode(bytes, { stream: true });
		let nl: number;
		while ((nl = pending.indexOf('\n')) >= 0) {
			line(pending.slice(0, nl));
			pending = pending.slice(nl + 1);
		}
	}
	line(pending + decoder.decode());
}
