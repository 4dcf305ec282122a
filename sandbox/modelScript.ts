// The scripted chat model behind modelApi.ts: what a test may queue (replies), how a request picks one,
// the default reply built from the conversation, the long markdown answer, and how requests are
// recorded (images reduced to their type, size and SHA-256).
import { createHash } from 'node:crypto';

export interface ScriptToolCall {
	name: string;
	/** An object (sent as its JSON) or the JSON text itself. */
	arguments?: unknown;
	id?: string;
}

/** One scripted answer (PUT /_sandbox/model/script). Without text, tokens, repeat or tool calls: the default reply. */
export interface ModelReply {
	text?: string;
	tokens?: string[];
	/** A deterministic long markdown answer of about this many characters, in ~20-character tokens. */
	repeat?: number;
	toolCall?: ScriptToolCall;
	toolCalls?: ScriptToolCall[];
	/** Only for a request whose last user message contains this. */
	match?: string;
	/** Waits before the first token, and between tokens. */
	firstTokenDelayMs?: number;
	delayMs?: number;
	/** Breaks off after this many tokens: streaming an SSE error event (or a dropped connection), else HTTP 5xx. 0: an HTTP error at once. */
	errorAfterTokens?: number;
	errorStatus?: number;
	errorMessage?: string;
	/** 'event' (default: `data: {"error":…}` then the end) or 'drop' (the connection is destroyed). */
	errorMode?: 'event' | 'drop';
	/** Waits for POST /_sandbox/model/release before the last token (non-streaming: before the answer). */
	holdLastToken?: boolean;
	/** How many requests this reply answers before it leaves the queue (default 1). */
	times?: number;
}

/** What a recorded message's image part becomes. */
export interface RecordedImage {
	type: 'image';
	mediaType: string | null;
	bytes: number | null;
	sha256: string | null;
	url?: string;
	detail?: string;
}

const NUMBER_FIELDS = ['repeat', 'firstTokenDelayMs', 'delayMs', 'errorAfterTokens', 'errorStatus', 'times'] as const;

/** Checks a reply from the control API; answers the problem, or undefined when it is fine. */
export function replyProblem(r: unknown, at: string): string | undefined {
	if (typeof r !== 'object' || r === null || Array.isArray(r)) return `${at} must be an object`;
	const reply = r as Record<string, unknown>;
	const known = new Set(['text', 'tokens', 'repeat', 'toolCall', 'toolCalls', 'match', 'firstTokenDelayMs', 'delayMs', 'errorAfterTokens', 'errorStatus', 'errorMessage', 'errorMode', 'holdLastToken', 'times']);
	for (const key of Object.keys(reply)) if (!known.has(key)) return `${at}.${key} is not a reply field (${[...known].join(', ')})`;
	for (const key of ['text', 'match', 'errorMessage'] as const) if (reply[key] !== undefined && typeof reply[key] !== 'string') return `${at}.${key} must be a string`;
	for (const key of NUMBER_FIELDS) {
		const v = reply[key];
		if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) return `${at}.${key} must be a non-negative integer`;
	}
	if (reply.times === 0) return `${at}.times must be at least 1`;
	if (reply.errorStatus !== undefined && ((reply.errorStatus as number) < 400 || (reply.errorStatus as number) > 599)) return `${at}.errorStatus must be 400..599`;
	if (reply.tokens !== undefined && (!Array.isArray(reply.tokens) || reply.tokens.some((t) => typeof t !== 'string'))) return `${at}.tokens must be an array of strings`;
	if (reply.errorMode !== undefined && reply.errorMode !== 'event' && reply.errorMode !== 'drop') return `${at}.errorMode must be "event" or "drop"`;
	if (reply.holdLastToken !== undefined && typeof reply.holdLastToken !== 'boolean') return `${at}.holdLastToken must be a boolean`;
	if ([reply.text, reply.tokens, reply.repeat].filter((v) => v !== undefined).length > 1) return `${at}: give one of text, tokens and repeat`;
	const calls = [...(reply.toolCall !== undefined ? [reply.toolCall] : []), ...(Array.isArray(reply.toolCalls) ? reply.toolCalls : [])];
	if (reply.toolCalls !== undefined && !Array.isArray(reply.toolCalls)) return `${at}.toolCalls must be an array`;
	for (const c of calls) {
		if (typeof c !== 'object' || c === null || typeof (c as ScriptToolCall).name !== 'string' || !(c as ScriptToolCall).name) return `${at}: a tool call needs a name`;
		if ((c as ScriptToolCall).id !== undefined && typeof (c as ScriptToolCall).id !== 'string') return `${at}: a tool call id must be a string`;
	}
	return undefined;
}

/** The text of a message's content: a string, or its text parts joined by a space. */
export function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.filter((p) => p && typeof p === 'object' && (p.type === 'text' || p.type === 'input_text') && typeof p.text === 'string')
		.map((p) => p.text as string)
		.join(' ');
}

/** An image part as the request log keeps it: a data URL's media type, decoded size and SHA-256. */
export function reduceImage(part: any): RecordedImage {
	const url: string = typeof part?.image_url === 'string' ? part.image_url : String(part?.image_url?.url ?? '');
	const detail = typeof part?.image_url?.detail === 'string' ? { detail: part.image_url.detail } : {};
	const m = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
	if (!m) return { type: 'image', mediaType: null, bytes: null, sha256: null, url, ...detail };
	const data = m[2] ? Buffer.from(m[3], 'base64') : Buffer.from(decodeURIComponent(m[3]), 'utf8');
	return { type: 'image', mediaType: m[1] || null, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), ...detail };
}

/** A request's messages for the log: text as sent, image parts reduced (reduceImage). */
export function recordMessages(messages: unknown): unknown {
	if (!Array.isArray(messages)) return messages;
	return messages.map((m) => {
		if (!m || typeof m !== 'object' || !Array.isArray(m.content)) return m;
		return { ...m, content: m.content.map((p: any) => (p && typeof p === 'object' && p.type === 'image_url' ? reduceImage(p) : p)) };
	});
}

/** The user message texts of a conversation, oldest first. */
function userTexts(messages: any[]): string[] {
	return messages.filter((m) => m?.role === 'user').map((m) => contentText(m.content));
}

export function lastUserText(messages: any[]): string {
	return userTexts(messages).at(-1) ?? '';
}

/**
 * The reply without a script: what the model saw of its conversation, so a test can tell whether memory
 * held the right turns. "You said: <last>. Earlier you said: <older ones joined by " | ", or nothing>."
 * plus a sentence per image in the last user message; after a tool result: what the tool returned.
 */
export function defaultReplyText(messages: any[]): string {
	const last = messages.at(-1);
	if (last?.role === 'tool') {
		const call = messages.flatMap((m) => (m?.role === 'assistant' && Array.isArray(m.tool_calls) ? m.tool_calls : [])).find((c: any) => c?.id === last.tool_call_id);
		return `The tool ${call?.function?.name ?? last.tool_call_id} returned: ${contentText(last.content)}`;
	}
	const texts = userTexts(messages);
	const earlier = texts.slice(0, -1);
	let text = `You said: ${texts.at(-1) ?? ''}. Earlier you said: ${earlier.length ? earlier.join(' | ') : 'nothing'}.`;
	const lastUser = [...messages].reverse().find((m) => m?.role === 'user');
	const images = Array.isArray(lastUser?.content) ? lastUser.content.filter((p: any) => p?.type === 'image_url').map(reduceImage) : [];
	if (images.length) {
		const described = images.map((i: RecordedImage) => (i.sha256 ? `${i.mediaType}, ${i.bytes} bytes, sha256 ${i.sha256.slice(0, 12)}` : `at ${i.url}`));
		text += ` I see ${images.length} image${images.length === 1 ? '' : 's'}: ${described.join('; ')}.`;
	}
	return text;
}

/** Splits text into word-sized pieces that join back to it exactly ("Hello", " world", "!"). */
export function wordTokens(text: string): string[] {
	return text.match(/\s*\S+|\s+/g) ?? [];
}

/** Splits text into pieces of `size` characters (never splitting a surrogate pair). */
export function chunkTokens(text: string, size = 20): string[] {
	const chars = Array.from(text);
	const out: string[] = [];
	for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
	return out;
}

function section(k: number): string {
	return [
		`## Part ${k}: streaming check`,
		'',
		`Paragraph ${k} of the sandbox's long answer. It is **deterministic**, so a test can compare what a card shows with what the model sent, and it uses \`inline code\` and *emphasis*.`,
		'',
		`- item ${k}.1: a bullet`,
		`- item ${k}.2: another bullet with a [link](https://example.com/${k})`,
		`1. step ${k}.a`,
		`2. step ${k}.b`,
		'',
		'```ts',
		`const part${k} = { index: ${k}, square: ${k * k} };`,
		`console.log(part${k});`,
		'```',
		'',
		'| Part | Square | Even |',
		'|---|---|---|',
		`| ${k} | ${k * k} | ${k % 2 === 0 ? 'yes' : 'no'} |`,
		'',
		'',
	].join('\n');
}

const FILLER = 'The end of the long answer repeats these words until the requested length is reached. ';

/** A markdown answer of about `n` characters (within a word): a title, whole sections, then filler words. */
export function longMarkdown(n: number): string {
	let text = '# Sandbox long answer\n\n';
	if (text.length > n) return text.slice(0, n);
	for (let k = 1; ; k++) {
		const next = section(k);
		if (text.length + next.length > n) break;
		text += next;
	}
	let tail = '';
	while (text.length + tail.length + FILLER.length <= n) tail += FILLER;
	const rest = n - text.length - tail.length;
	const partial = FILLER.slice(0, rest);
	tail += rest > 0 && partial.includes(' ') ? partial.slice(0, partial.lastIndexOf(' ') + 1) : '';
	return text + tail;
}

/** The content pieces a reply streams (empty for a tool call alone). */
export function replyTokens(reply: ModelReply, messages: any[]): string[] {
	if (reply.tokens) return reply.tokens;
	if (reply.repeat !== undefined) return chunkTokens(longMarkdown(reply.repeat));
	if (reply.text !== undefined) return wordTokens(reply.text);
	if (reply.toolCall || reply.toolCalls?.length) return [];
	return wordTokens(defaultReplyText(messages));
}

/** The first queued reply this request may use (no `match`, or the last user message contains it). */
export function pickReply(queue: ModelReply[], messages: any[]): number {
	const text = lastUserText(messages);
	return queue.findIndex((r) => r.match === undefined || text.includes(r.match));
}
