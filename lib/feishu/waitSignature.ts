// Send and Wait (docs/protocol.md, "Send and Wait"): a card's buttons carry the waiting execution's
// resume URL, and the app's trigger posts a person's answer to it. Two seals, both keyed by the app's
// secret (only the node that sent the card and the trigger of the same app know it):
// - the card's action value holds the URL and an HMAC of it, so the trigger never posts to a URL that
//   our node did not put in a card of this app (a forged value cannot aim it elsewhere);
// - the trigger's post holds the answer as a JSON string, a time and an HMAC of both, so the node's
//   webhook takes only answers the trigger relayed, fresh (a direct call to the URL resumes nothing);
// - the expiry the sending process posts at the time limit holds the card's message id, a time and an
//   HMAC of both, so nobody else can mark a card expired.
import { appMac, sameHex } from './appSeal';

/** The key of the card's action value that marks it as a Send and Wait answer. */
export const WAIT_ACTION_MARKER = 'n8n_wait';

/** How old a relayed answer may be when the node's webhook reads it. */
export const WAIT_FORWARD_MAX_AGE_MS = 5 * 60_000;

const mac = (appSecret: string, text: string): string => appMac(appSecret, 'n8n-nodes-feishu-bot send-and-wait v1', text);

export interface WaitActionValue {
	[WAIT_ACTION_MARKER]: 1;
	/** The resume URL (n8n's signed one). */
	u: string;
	/** HMAC of u. */
	h: string;
}

export function waitActionValue(appSecret: string, resumeUrl: string): WaitActionValue {
	return { [WAIT_ACTION_MARKER]: 1, u: resumeUrl, h: mac(appSecret, resumeUrl) };
}

/** Whether a card action's value is a Send and Wait one (sealed or not). */
export function isWaitAction(value: unknown): value is Record<string, unknown> {
	return !!value && typeof value === 'object' && (value as Record<string, unknown>)[WAIT_ACTION_MARKER] === 1;
}

/** The resume URL of a Send and Wait action value sealed with this app's secret, else undefined. */
export function openWaitAction(appSecret: string, value: unknown): string | undefined {
	if (!isWaitAction(value)) return undefined;
	const { u, h } = value;
	if (typeof u !== 'string' || typeof h !== 'string' || !/^https?:\/\//.test(u)) return undefined;
	return sameHex(h, mac(appSecret, u)) ? u : undefined;
}

/** What the trigger relays to the resume URL: a person's answer from Feishu's card callback. */
export interface WaitAnswer {
	/** Feishu's event id of the callback. */
	eventId?: string;
	operator: { open_id?: string; user_id?: string; union_id?: string };
	action: { tag?: string; name?: string; value?: unknown; form_value?: Record<string, unknown>; option?: string };
	context: { open_message_id?: string; open_chat_id?: string };
}

export interface SealedWaitAnswer {
	answer: string;
	ts: number;
	proof: string;
}

export function sealWaitAnswer(appSecret: string, answer: WaitAnswer, now = Date.now()): SealedWaitAnswer {
	const text = JSON.stringify(answer);
	return { answer: text, ts: now, proof: mac(appSecret, `${now}.${text}`) };
}

export class WaitAnswerRefused extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'WaitAnswerRefused';
	}
}

/** The relayed answer, or WaitAnswerRefused when the seal is missing, wrong or stale. */
export function openWaitAnswer(appSecret: string, body: unknown, now = Date.now()): WaitAnswer {
	const b = (body && typeof body === 'object' ? body : {}) as Partial<SealedWaitAnswer>;
	if (typeof b.answer !== 'string' || typeof b.ts !== 'number' || typeof b.proof !== 'string') throw new WaitAnswerRefused('not an answer relayed by the Feishu Trigger');
	if (!sameHex(b.proof, mac(appSecret, `${b.ts}.${b.answer}`))) throw new WaitAnswerRefused('the answer\'s seal does not match this app\'s secret');
	if (Math.abs(now - b.ts) > WAIT_FORWARD_MAX_AGE_MS) throw new WaitAnswerRefused('the relayed answer is too old');
	const parsed: unknown = JSON.parse(b.answer);
	if (!parsed || typeof parsed !== 'object') throw new WaitAnswerRefused('the relayed answer is not an object');
	return parsed as WaitAnswer;
}

/** What the process that sent the card posts to the resume URL at the time limit: the card to mark expired. */
export interface SealedWaitExpiry {
	expire: string;
	ts: number;
	proof: string;
}

const expiryText = (ts: number, messageId: string) => `expire.${ts}.${messageId}`;

export function sealWaitExpiry(appSecret: string, messageId: string, now = Date.now()): SealedWaitExpiry {
	return { expire: messageId, ts: now, proof: mac(appSecret, expiryText(now, messageId)) };
}

/** Whether a body posted to the resume URL is an expiry (sealed or not), rather than an answer. */
export function isWaitExpiry(body: unknown): boolean {
	return !!body && typeof body === 'object' && 'expire' in body;
}

/** The message id of a sealed expiry, or WaitAnswerRefused when the seal is missing, wrong or stale. */
export function openWaitExpiry(appSecret: string, body: unknown, now = Date.now()): string {
	const b = (body && typeof body === 'object' ? body : {}) as Partial<SealedWaitExpiry>;
	if (typeof b.expire !== 'string' || !b.expire || typeof b.ts !== 'number' || typeof b.proof !== 'string') throw new WaitAnswerRefused('not an expiry sent by the Feishu node');
	if (!sameHex(b.proof, mac(appSecret, expiryText(b.ts, b.expire)))) throw new WaitAnswerRefused('the expiry\'s seal does not match this app\'s secret');
	if (Math.abs(now - b.ts) > WAIT_FORWARD_MAX_AGE_MS) throw new WaitAnswerRefused('the expiry is too old');
	return b.expire;
}
