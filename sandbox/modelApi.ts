// A scripted OpenAI-compatible chat model under /openai/v1, so n8n's own "OpenAI Chat Model" node
// (credential openAiApi, Base URL http://127.0.0.1:PORT/openai/v1) can drive an AI Agent offline:
// GET /models, GET /models/:id, POST /chat/completions (JSON or SSE stream, tool calls, usage), with
// OpenAI's error shapes. Replies come from a queue a test sets (modelScript.ts), else a reply built from
// the conversation. Control routes under /_sandbox/model/; /_sandbox/model/defaults sets the pace of replies that
// set none and the wording of the unscripted one (the demo's friendly, slower answer). Chat Completions only: n8n's node turns the
// Responses API off with `responsesApiEnabled: false` (or typeVersion ≤ 1.2), see docs/real-n8n.md.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { bad } from './controlContext';
import { sendJson, type RouteContext, type Router } from './http';
import type { SandboxLog } from './log';
import { contentText, defaultReplyText, pickReply, recordMessages, replyProblem, replyTokens, wordTokens, type ModelReply, type ScriptToolCall } from './modelScript';

export const MODEL_API_BASE = '/openai/v1';
export const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-mini', 'sandbox-echo'];
const MAX_RECORDS = 5000;
const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const PART_TYPES = ['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file'];
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

export interface ReplyRecord {
	source: 'script' | 'default';
	text: string;
	toolCalls: { id: string; name: string; arguments: string }[];
	tokens: number;
	finishReason: string | null;
	held: boolean;
	/** Epoch ms: the first and last content piece (or tool call) sent, and the end of the answer. */
	firstTokenAt: number | null;
	lastTokenAt: number | null;
	finishedAt: number | null;
	error: string | null;
	aborted: boolean;
}

export interface ModelRequestRecord {
	id: string;
	at: number;
	stream: boolean;
	model: unknown;
	apiKey: string;
	messages: unknown;
	tools: unknown;
	params: Record<string, unknown>;
	status: number;
	error: string | null;
	reply: ReplyRecord | null;
}

/** PUT /_sandbox/model/defaults: for replies that set no pace of their own, and the unscripted reply's wording. */
export interface ModelDefaults {
	delayMs?: number;
	firstTokenDelayMs?: number;
	/** The unscripted reply: 'echo' (default: what the model saw, for tests of memory) or 'demo' (a friendly Markdown answer). */
	reply?: 'echo' | 'demo';
}

/** Checks a PUT /_sandbox/model/defaults body; answers the problem, or undefined when it is fine. */
export function defaultsProblem(b: unknown): string | undefined {
	if (typeof b !== 'object' || b === null || Array.isArray(b)) return 'body must be {delayMs?, firstTokenDelayMs?, reply?: "echo" | "demo"}';
	for (const key of Object.keys(b)) if (!['delayMs', 'firstTokenDelayMs', 'reply'].includes(key)) return `${key} is not a defaults field (delayMs, firstTokenDelayMs, reply)`;
	const d = b as Record<string, unknown>;
	for (const key of ['delayMs', 'firstTokenDelayMs']) {
		if (d[key] !== undefined && (typeof d[key] !== 'number' || !Number.isInteger(d[key]) || (d[key] as number) < 0)) return `${key} must be a non-negative integer`;
	}
	if (d.reply !== undefined && d.reply !== 'echo' && d.reply !== 'demo') return 'reply must be "echo" or "demo"';
	return undefined;
}

/** The demo's unscripted answer: says what it is, shows the memory and some Markdown. */
export function demoReplyText(messages: any[]): string {
	if (messages.at(-1)?.role === 'tool') return defaultReplyText(messages);
	const said = messages.filter((m) => m?.role === 'user').map((m) => contentText(m.content).trim().replace(/\s+/g, ' '));
	const last = said.at(-1) || '…';
	const earlier = said.slice(0, -1).slice(-3);
	return [
		`Hello! I'm the sandbox's **scripted model**, standing in for OpenAI: I don't understand you, but I show how an answer streams into a Feishu card as it is written.`,
		'',
		`> ${last}`,
		'',
		`- **Memory**: this is message ${said.length} of our conversation (Simple Memory keys it by the trigger's \`session_id\`).`,
		`- **Earlier you said**: ${earlier.length ? earlier.map((t) => `"${t}"`).join(', ') : 'nothing yet. Say something else and I will remember it.'}`,
		'- **Markdown** renders in the card: *emphasis*, `code`, lists and tables.',
		'',
		"For real answers, put your own API key (and Base URL) in the workflow's **OpenAI Chat Model** credential.",
	].join('\n');
}

class OpenAiError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly type = 'invalid_request_error',
		readonly param: string | null = null,
		readonly code: string | null = null,
	) {
		super(message);
	}
	get body() {
		return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
	}
}

const alnum = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(n, '0').slice(0, n);
const sleep = (ms: number) => new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a string' : typeof v === 'boolean' ? 'a boolean' : typeof v === 'number' ? (Number.isInteger(v) ? 'an integer' : 'a decimal') : typeof v);
const missing = (param: string) => new OpenAiError(400, `Missing required parameter: '${param}'.`, 'invalid_request_error', param, 'missing_required_parameter');
const wrongType = (param: string, expected: string, v: unknown) => new OpenAiError(400, `Invalid type for '${param}': expected ${expected}, but got ${typeName(v)} instead.`, 'invalid_request_error', param, 'invalid_type');

function httpError(status: number, message?: string): OpenAiError {
	if (status === 429) return new OpenAiError(429, message ?? 'Rate limit reached for requests (sandbox script).', 'requests', null, 'rate_limit_exceeded');
	if (status === 503) return new OpenAiError(503, message ?? 'The engine is currently overloaded, please try again later.', 'server_error');
	if (status < 500) return new OpenAiError(status, message ?? 'The sandbox script refused this request.', 'invalid_request_error');
	return new OpenAiError(status, message ?? 'The server had an error while processing your request. Sorry about that!', 'server_error');
}

function bearerKey(ctx: RouteContext): string {
	const m = /^Bearer\s+(\S+)\s*$/i.exec(String(ctx.req.headers.authorization ?? ''));
	if (!m) {
		throw new OpenAiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.");
	}
	return m[1];
}

/** OpenAI's checks on a Chat Completions body that an n8n workflow can get wrong. */
function validate(b: Record<string, any>, models: string[]): void {
	if (b.model === undefined || b.model === null || b.model === '') throw new OpenAiError(400, 'you must provide a model parameter');
	if (typeof b.model !== 'string') throw wrongType('model', 'a string', b.model);
	if (b.messages === undefined) throw missing('messages');
	if (!Array.isArray(b.messages)) throw wrongType('messages', 'an array', b.messages);
	if (b.messages.length === 0) throw new OpenAiError(400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'invalid_request_error', 'messages', 'empty_array');
	if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw wrongType('stream', 'a boolean', b.stream);
	if (b.stream_options !== undefined && b.stream_options !== null && b.stream !== true) throw new OpenAiError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'invalid_request_error', 'stream_options');
	if (b.tools !== undefined && b.tools !== null) {
		if (!Array.isArray(b.tools)) throw wrongType('tools', 'an array', b.tools);
		b.tools.forEach((t: any, i: number) => {
			if (t?.type !== 'function') throw new OpenAiError(400, `Invalid value: '${t?.type}'. Supported values are: 'function' and 'custom'.`, 'invalid_request_error', `tools[${i}].type`, 'invalid_value');
			if (typeof t.function?.name !== 'string') throw missing(`tools[${i}].function.name`);
			if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t.function.name)) throw new OpenAiError(400, `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, 'invalid_request_error', `tools[${i}].function.name`, 'invalid_value');
		});
	}
	const pendingCalls = new Map<string, number>();
	b.messages.forEach((m: any, i: number) => {
		const at = `messages[${i}]`;
		if (typeof m !== 'object' || m === null || Array.isArray(m)) throw wrongType(at, 'an object', m);
		if (m.role === undefined) throw missing(`${at}.role`);
		if (!ROLES.includes(m.role)) throw new OpenAiError(400, `Invalid value: '${m.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, 'invalid_request_error', `${at}.role`, 'invalid_value');
		const needsContent = m.role !== 'assistant' || !(Array.isArray(m.tool_calls) && m.tool_calls.length) && !m.function_call;
		if (m.content === undefined || (m.content === null && needsContent)) {
			if (needsContent) throw missing(`${at}.content`);
		} else if (m.content !== null && typeof m.content !== 'string' && !Array.isArray(m.content)) {
			throw wrongType(`${at}.content`, 'one of a string or array of objects', m.content);
		}
		if (Array.isArray(m.content)) {
			m.content.forEach((p: any, j: number) => {
				const pat = `${at}.content[${j}]`;
				if (!PART_TYPES.includes(p?.type)) throw new OpenAiError(400, `Invalid value: '${p?.type}'. Supported values are: ${PART_TYPES.map((t) => `'${t}'`).join(', ')}.`, 'invalid_request_error', `${pat}.type`, 'invalid_value');
				if (p.type === 'text' && typeof p.text !== 'string') throw missing(`${pat}.text`);
				if (p.type === 'image_url') {
					if (m.role !== 'user') throw new OpenAiError(400, `Invalid '${pat}': image_url parts are only allowed in user messages.`, 'invalid_request_error', pat, 'invalid_value');
					const url = p.image_url?.url;
					if (typeof url !== 'string' || !url) throw missing(`${pat}.image_url.url`);
					const data = /^data:([^;,]*)(;base64)?,/.exec(url);
					if (data && !IMAGE_TYPES.includes(data[1].toLowerCase())) throw new OpenAiError(400, "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].", 'invalid_request_error', null, 'invalid_image_format');
				}
			});
		}
		if (pendingCalls.size && m.role !== 'tool') {
			throw new OpenAiError(400, `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pendingCalls.keys()].join(', ')}`, 'invalid_request_error', `messages.[${[...pendingCalls.values()][0]}].role`);
		}
		if (m.role === 'tool') {
			if (typeof m.tool_call_id !== 'string') throw missing(`${at}.tool_call_id`);
			if (!pendingCalls.delete(m.tool_call_id)) throw new OpenAiError(400, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", 'invalid_request_error', `messages.[${i}].role`);
		}
		if (m.role === 'assistant' && Array.isArray(m.tool_calls)) for (const c of m.tool_calls) pendingCalls.set(String(c?.id), i);
	});
	if (pendingCalls.size) {
		throw new OpenAiError(400, `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pendingCalls.keys()].join(', ')}`, 'invalid_request_error', `messages.[${[...pendingCalls.values()][0]}].role`);
	}
	if (!models.includes(b.model)) throw new OpenAiError(404, `The model \`${b.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
}

function usageFor(messages: any[], reply: ReplyRecord) {
	const promptChars = messages.reduce((n, m) => n + contentText(m?.content).length + JSON.stringify(m?.tool_calls ?? '').length, 0);
	const images = messages.reduce((n, m) => n + (Array.isArray(m?.content) ? m.content.filter((p: any) => p?.type === 'image_url').length : 0), 0);
	const prompt = Math.ceil(promptChars / 4) + 3 * messages.length + 85 * images;
	const completion = reply.tokens + reply.toolCalls.reduce((n, c) => n + Math.ceil((c.name.length + c.arguments.length) / 4), 0);
	return {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: prompt + completion,
		prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
		completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
	};
}

/** The scripted model: its queue, models, request log and the replies waiting for a release. */
export class ModelApi {
	script: ModelReply[] = [];
	/** How many more requests each queued reply answers. */
	private uses: number[] = [];
	models = [...DEFAULT_MODELS];
	/** Kept through a reset: how the sandbox was started (the CLI's --model-delay-ms, the demo). */
	defaults: ModelDefaults = {};
	requests: ModelRequestRecord[] = [];
	listings = 0;
	private seq = 0;
	private readonly held = new Map<string, () => void>();

	constructor(private readonly log: SandboxLog) {}

	setScript(replies: ModelReply[], append = false): void {
		if (!append) {
			this.script = [];
			this.uses = [];
		}
		for (const r of replies) {
			this.script.push(r);
			this.uses.push(r.times ?? 1);
		}
	}

	/** Releases held replies: the one named, else all; answers how many. */
	release(requestId?: string): number {
		const ids = requestId ? [requestId].filter((id) => this.held.has(id)) : [...this.held.keys()];
		for (const id of ids) {
			this.held.get(id)?.();
			this.held.delete(id);
		}
		return ids.length;
	}

	reset(): void {
		this.release();
		this.setScript([]);
		this.models = [...DEFAULT_MODELS];
		this.requests = [];
		this.listings = 0;
	}

	private take(messages: any[]): { reply: ModelReply; source: 'script' | 'default' } {
		const i = pickReply(this.script, messages);
		if (i < 0) return { reply: this.paced({}), source: 'default' };
		const reply = this.script[i];
		if (--this.uses[i] <= 0) {
			this.script.splice(i, 1);
			this.uses.splice(i, 1);
		}
		return { reply: this.paced(reply), source: 'script' };
	}

	/** The reply with the default pace where it sets none. */
	private paced(reply: ModelReply): ModelReply {
		const { delayMs, firstTokenDelayMs } = this.defaults;
		return { ...reply, delayMs: reply.delayMs ?? delayMs, firstTokenDelayMs: reply.firstTokenDelayMs ?? firstTokenDelayMs };
	}

	private record(r: ModelRequestRecord): void {
		this.requests.push(r);
		if (this.requests.length > MAX_RECORDS) this.requests.splice(0, this.requests.length - MAX_RECORDS);
	}

	private hold(id: string, rec: ReplyRecord, res: ServerResponse): Promise<void> {
		rec.held = true;
		return new Promise<void>((resolve) => {
			const done = () => {
				rec.held = false;
				resolve();
			};
			this.held.set(id, done);
			res.once('close', () => this.release(id));
		});
	}

	async chatCompletions(ctx: RouteContext): Promise<void> {
		const at = Date.now();
		const id = `req_${++this.seq}`;
		let body: Record<string, any> = {};
		const rec: ModelRequestRecord = { id, at, stream: false, model: null, apiKey: '', messages: null, tools: null, params: {}, status: 200, error: null, reply: null };
		try {
			rec.apiKey = bearerKey(ctx);
			const raw = (await ctx.body()).toString('utf8');
			try {
				body = JSON.parse(raw);
			} catch {
				throw new OpenAiError(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)");
			}
			if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OpenAiError(400, `Invalid type for request body: expected an object, but got ${typeName(body)} instead.`);
			const { messages, tools, model, stream, ...params } = body;
			Object.assign(rec, { stream: stream === true, model, messages: recordMessages(messages), tools: tools ?? null, params });
			validate(body, this.models);
		} catch (error) {
			if (!(error instanceof OpenAiError)) throw error;
			rec.status = error.status;
			rec.error = error.message;
			this.record(rec);
			return sendJson(ctx.res, error.status, error.body, { 'x-request-id': id });
		}
		this.record(rec);
		const messages: any[] = body.messages;
		const { reply, source } = this.take(messages);
		const calls: ScriptToolCall[] = [...(reply.toolCall ? [reply.toolCall] : []), ...(reply.toolCalls ?? [])];
		let pieces = source === 'default' && this.defaults.reply === 'demo' ? wordTokens(demoReplyText(messages)) : replyTokens(reply, messages);
		const limit = body.max_completion_tokens ?? body.max_tokens;
		let finishReason = calls.length ? 'tool_calls' : 'stop';
		if (typeof limit === 'number' && limit > 0 && pieces.length > limit) {
			pieces = pieces.slice(0, limit);
			finishReason = 'length';
		}
		const replyRec: ReplyRecord = {
			source,
			text: pieces.join(''),
			toolCalls: calls.map((c) => ({ id: c.id ?? `call_${alnum(24)}`, name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) })),
			tokens: pieces.length,
			finishReason: null,
			held: false,
			firstTokenAt: null,
			lastTokenAt: null,
			finishedAt: null,
			error: null,
			aborted: false,
		};
		rec.reply = replyRec;
		this.log.info(`model ${body.model}: ${rec.stream ? 'stream' : 'json'} ${source} reply${calls.length ? `, tool calls ${calls.map((c) => c.name).join(', ')}` : ''}`);
		const base = { id: `chatcmpl-${alnum(29)}`, created: Math.floor(at / 1000), model: body.model, system_fingerprint: 'fp_sandbox' };
		ctx.res.once('close', () => {
			if (replyRec.finishedAt === null) replyRec.aborted = true;
		});
		if (reply.errorAfterTokens === 0 || (!rec.stream && reply.errorAfterTokens !== undefined)) {
			await sleep((reply.firstTokenDelayMs ?? 0) + (reply.delayMs ?? 0) * Math.min(reply.errorAfterTokens ?? 0, pieces.length));
			const error = httpError(reply.errorStatus ?? 500, reply.errorMessage);
			replyRec.error = error.message;
			rec.status = error.status;
			replyRec.finishedAt = Date.now();
			return sendJson(ctx.res, error.status, error.body, { 'x-request-id': id });
		}
		if (rec.stream) return this.stream(ctx.res, id, body, reply, pieces, replyRec, base, finishReason, messages);
		await sleep((reply.firstTokenDelayMs ?? 0) + (reply.delayMs ?? 0) * Math.max(0, pieces.length - 1));
		if (reply.holdLastToken) await this.hold(id, replyRec, ctx.res);
		if (replyRec.aborted) return;
		replyRec.firstTokenAt = replyRec.lastTokenAt = replyRec.finishedAt = Date.now();
		replyRec.finishReason = finishReason;
		const toolCalls = replyRec.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
		sendJson(
			ctx.res,
			200,
			{
				...base,
				object: 'chat.completion',
				choices: [{ index: 0, message: { role: 'assistant', content: pieces.length || !toolCalls.length ? replyRec.text : null, refusal: null, annotations: [], ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, logprobs: null, finish_reason: finishReason }],
				usage: usageFor(messages, replyRec),
				service_tier: 'default',
			},
			{ 'x-request-id': id, 'openai-processing-ms': String(Date.now() - at) },
		);
	}

	private async stream(res: ServerResponse, id: string, body: Record<string, any>, reply: ModelReply, pieces: string[], rec: ReplyRecord, base: Record<string, unknown>, finishReason: string, messages: any[]): Promise<void> {
		const includeUsage = body.stream_options?.include_usage === true;
		res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': id });
		res.flushHeaders();
		const send = (choices: unknown[], extra: Record<string, unknown> = {}) => {
			if (rec.aborted) return;
			res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', service_tier: 'default', choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`);
		};
		const delta = (d: Record<string, unknown>, finish: string | null = null) => send([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
		const sent = () => {
			const now = Date.now();
			rec.firstTokenAt ??= now;
			rec.lastTokenAt = now;
		};
		// Tool calls stream after the content: the call's id and name first, its arguments in pieces.
		const toolPieces = rec.toolCalls.flatMap((c, index) => [
			{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } },
			...(c.arguments.match(/[\s\S]{1,12}/g) ?? []).map((a) => ({ index, function: { arguments: a } })),
		]);
		const total = pieces.length + toolPieces.length;
		await sleep(reply.firstTokenDelayMs ?? 0);
		delta({ role: 'assistant', content: toolPieces.length && !pieces.length ? null : '', refusal: null });
		for (let i = 0; i < total; i++) {
			if (rec.aborted) return;
			if (i > 0) await sleep(reply.delayMs ?? 0);
			if (reply.errorAfterTokens !== undefined && i === reply.errorAfterTokens) return this.breakOff(res, reply, rec);
			if (reply.holdLastToken && i === total - 1) await this.hold(id, rec, res);
			if (rec.aborted) return;
			delta(i < pieces.length ? { content: pieces[i] } : { tool_calls: [toolPieces[i - pieces.length]] });
			sent();
		}
		if (reply.errorAfterTokens !== undefined && reply.errorAfterTokens >= total) return this.breakOff(res, reply, rec);
		if (reply.holdLastToken && total === 0) await this.hold(id, rec, res);
		if (rec.aborted) return;
		delta({}, finishReason);
		rec.finishReason = finishReason;
		if (includeUsage) send([], { usage: usageFor(messages, rec) });
		res.end('data: [DONE]\n\n');
		rec.finishedAt = Date.now();
	}

	/** OpenAI's way of failing a stream already under way: an error event, then the end (or a dead socket). */
	private breakOff(res: ServerResponse, reply: ModelReply, rec: ReplyRecord): void {
		const error = httpError(reply.errorStatus ?? 500, reply.errorMessage);
		rec.error = error.message;
		rec.finishedAt = Date.now();
		if (reply.errorMode === 'drop') {
			res.socket?.destroy();
			return;
		}
		res.end(`data: ${JSON.stringify(error.body)}\n\n`);
	}

	listModels(ctx: RouteContext): void {
		bearerKey(ctx);
		this.listings++;
		sendJson(ctx.res, 200, { object: 'list', data: this.models.map((m) => modelJson(m)) });
	}
}

const modelJson = (id: string) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'sandbox' });

/** OpenAI's answer for a path it does not serve, with a hint for the Responses API. */
export function sendModelNotFound(res: ServerResponse, method: string, path: string): void {
	const shown = path.slice(MODEL_API_BASE.length - '/v1'.length);
	const hint = /\/responses(\/|$)/.test(path) ? " The sandbox serves Chat Completions only: turn the OpenAI Chat Model node's \"Use Responses API\" off (responsesApiEnabled: false) or use its typeVersion 1.2." : '';
	sendJson(res, 404, new OpenAiError(404, `Invalid URL (${method} ${shown}).${hint}`).body);
}

async function guarded(ctx: RouteContext, fn: () => unknown): Promise<void> {
	try {
		await fn();
	} catch (error) {
		if (!(error instanceof OpenAiError)) throw error;
		sendJson(ctx.res, error.status, error.body);
	}
}

export function registerModelApi(router: Router, log: SandboxLog): ModelApi {
	const model = new ModelApi(log);
	const B = MODEL_API_BASE;
	router.add('GET', `${B}/models`, (ctx) => guarded(ctx, () => model.listModels(ctx)));
	router.add('GET', `${B}/models/:model`, (ctx) =>
		guarded(ctx, () => {
			bearerKey(ctx);
			if (!model.models.includes(ctx.params.model)) throw new OpenAiError(404, `The model '${ctx.params.model}' does not exist`, 'invalid_request_error', 'model', 'model_not_found');
			sendJson(ctx.res, 200, modelJson(ctx.params.model));
		}),
	);
	router.add('POST', `${B}/chat/completions`, (ctx) => model.chatCompletions(ctx));

	// Control: the script, the models, the request log, releasing held replies.
	router.add('GET', '/_sandbox/model/script', (ctx) => sendJson(ctx.res, 200, { replies: model.script }));
	const setScript = (append: boolean) => async (ctx: RouteContext) => {
		const b = await ctx.json();
		if (!Array.isArray(b.replies)) return bad(ctx, 'body must be {replies: [...]} (each {text | tokens | repeat | toolCall(s), match?, delayMs?, firstTokenDelayMs?, errorAfterTokens?, holdLastToken?, times?})');
		for (let i = 0; i < b.replies.length; i++) {
			const problem = replyProblem(b.replies[i], `replies[${i}]`);
			if (problem) return bad(ctx, problem);
		}
		model.setScript(b.replies, append);
		log.info(`model script: ${model.script.length} repl${model.script.length === 1 ? 'y' : 'ies'} queued`);
		sendJson(ctx.res, 200, { ok: true, queued: model.script.length });
	};
	router.add('PUT', '/_sandbox/model/script', setScript(false));
	router.add('POST', '/_sandbox/model/script', setScript(true));
	router.add('PUT', '/_sandbox/model/models', async (ctx) => {
		const b = await ctx.json();
		if (!Array.isArray(b.models) || !b.models.length || b.models.some((m: unknown) => typeof m !== 'string' || !m)) return bad(ctx, 'body must be {models: ["model-id", ...]}');
		model.models = [...new Set<string>(b.models)];
		sendJson(ctx.res, 200, { ok: true, models: model.models });
	});
	router.add('GET', '/_sandbox/model/defaults', (ctx) => sendJson(ctx.res, 200, { defaults: model.defaults }));
	router.add('PUT', '/_sandbox/model/defaults', async (ctx) => {
		const b = await ctx.json();
		const problem = defaultsProblem(b);
		if (problem) return bad(ctx, problem);
		model.defaults = { ...b };
		sendJson(ctx.res, 200, { ok: true, defaults: model.defaults });
	});
	router.add('GET', '/_sandbox/model/requests', (ctx) => sendJson(ctx.res, 200, { requests: model.requests, listings: model.listings }));
	router.add('POST', '/_sandbox/model/release', async (ctx) => {
		const b = await ctx.json();
		if (b.request_id !== undefined && typeof b.request_id !== 'string') return bad(ctx, 'request_id must be a string');
		sendJson(ctx.res, 200, { ok: true, released: model.release(b.request_id) });
	});
	router.add('POST', '/_sandbox/model/reset', (ctx) => {
		model.reset();
		sendJson(ctx.res, 200, { ok: true });
	});
	return model;
}
