// Group custom bots as Feishu documents them (docs/protocol.md, "Custom bots"): POST
// /open-apis/bot/v2/hook/:token takes a JSON message, checks the bot's security settings (IP
// whitelist, signature, keywords) and its rate limit, and posts the message into the bot's group,
// where /_sandbox/chats/:chat_id/messages shows it. The outcome is in the answer's code: HTTP 200 but
// for 9499 (HTTP 400). Bots are added and changed through the control API (/_sandbox/custom-bots).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { validateContent } from './content';
import { bad, type ControlDeps } from './controlContext';
import { sendJson, type RouteContext, type Router } from './http';
import { newMessageId, newUuid, stableHex } from './ids';
import { ApiError, type OpenApi } from './openApi';
import { RateLimiter } from './rateLimit';
import { newChatRecord, TENANT_KEY, type ChatRecord, type CustomBotRecord, type SandboxState } from './state';

const MAX_BODY_BYTES = 20 * 1024;
const SIGNATURE_WINDOW_SECONDS = 3600;
const MAX_RULES = 10;

export const TOKEN_INVALID_MSG = 'param invalid: incoming webhook access token invalid';
export const SIGN_MISMATCH_MSG = 'sign match fail or timestamp is not within one hour from current time';

export interface CustomBotLimits {
	perSecond: number;
	perMinute: number;
}

/** An answer to a custom bot request: the outcome is in `code`. */
interface Answer {
	status: number;
	body: Record<string, unknown>;
}
// Seen from Feishu: 19xxx with HTTP 200, 9499 (its gateway's "Bad Request" and rate limit) with 400.
const refusal = (code: number, msg: string): Answer => ({ status: code === 9499 ? 400 : 200, body: { code, msg, data: {} } });
// The success answer carries the old StatusCode / StatusMessage fields too (Feishu keeps them for old clients).
const SUCCESS: Answer = { status: 200, body: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } };

class BadMessage extends Error {}

export function registerCustomBotApi(router: Router, api: OpenApi, state: SandboxState, limits: CustomBotLimits): void {
	const limiter = new RateLimiter(limits.perSecond, limits.perMinute);
	api.publicRoute(router, 'POST', '/open-apis/bot/v2/hook/:token', (ctx) => answer(ctx));

	// The order of the checks is ours where Feishu does not say (docs/protocol.md, "Custom bots").
	async function answer(ctx: RouteContext): Promise<Answer> {
		const bot = state.customBots.get(ctx.params.token);
		const chat = bot && state.chats.get(bot.chatId);
		if (!bot || !chat || chat.dissolved) return refusal(19001, TOKEN_INVALID_MSG);
		const raw = await ctx.body();
		if (raw.length > MAX_BODY_BYTES) return refusal(9499, 'Bad Request');
		const body = parseObject(raw);
		if (!body) return refusal(9499, 'Bad Request');
		if (bot.ipAllowlist.length && !bot.ipAllowlist.some((rule) => ipMatches(rule, remoteIp(ctx)))) return refusal(19022, 'Ip Not Allowed');
		if (bot.secret && !signatureValid(body, bot.secret)) return refusal(19021, SIGN_MISMATCH_MSG);
		if (!limiter.hit(bot.token).ok) return refusal(9499, 'too many request');
		let message: { msgType: string; content: string; mentions: ReturnType<typeof validateContent>['mentions']; texts: string[] };
		try {
			message = readMessage(state, chat, body);
		} catch (error) {
			if (error instanceof BadMessage) return refusal(9499, `Bad Request: ${error.message}`);
			throw error;
		}
		if (bot.keywords.length && !bot.keywords.some((k) => message.texts.some((t) => t.includes(k)))) return refusal(19024, 'Key Words Not Found');
		const now = Date.now();
		const messageId = newMessageId();
		state.messages.set(messageId, {
			messageId,
			chatId: chat.chatId,
			appId: chat.appId,
			msgType: message.msgType,
			content: message.content,
			mentions: message.mentions,
			from: 'custom_bot',
			senderName: bot.name,
			sender: { id: bot.botId, id_type: 'app_id', sender_type: 'app', tenant_key: TENANT_KEY },
			createTime: now,
			updateTime: now,
			updated: false,
			deleted: false,
		});
		return SUCCESS;
	}
}

function parseObject(raw: Buffer): Record<string, unknown> | undefined {
	try {
		const parsed: unknown = JSON.parse(raw.toString('utf8'));
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** `timestamp` (seconds, string or number) within an hour of now, and `sign` = base64 HMAC-SHA256 keyed `timestamp\nsecret` over "". */
function signatureValid(body: Record<string, unknown>, secret: string): boolean {
	const { timestamp, sign } = body;
	if ((typeof timestamp !== 'string' && typeof timestamp !== 'number') || typeof sign !== 'string') return false;
	const seconds = Number(timestamp);
	if (!Number.isInteger(seconds) || Math.abs(Date.now() / 1000 - seconds) > SIGNATURE_WINDOW_SECONDS) return false;
	const want = Buffer.from(createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64'));
	const got = Buffer.from(sign);
	return got.length === want.length && timingSafeEqual(got, want);
}

/** The message as stored (content as Feishu keeps it), and the text the keyword rule looks at. */
function readMessage(state: SandboxState, chat: ChatRecord, body: Record<string, unknown>) {
	const msgType = body.msg_type;
	if (typeof msgType !== 'string' || !msgType) throw new BadMessage('msg_type is required');
	const content = body.content;
	const object = (v: unknown, what: string): Record<string, unknown> => {
		if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadMessage(`fail to parse ${what}`);
		return v as Record<string, unknown>;
	};
	let payload: Record<string, unknown>;
	let type = msgType;
	switch (msgType) {
		case 'text':
			payload = { text: object(content, 'content').text };
			break;
		case 'post':
			payload = object(object(content, 'content').post, 'content.post');
			break;
		case 'interactive':
			payload = object(typeof body.card === 'string' ? parseObject(Buffer.from(body.card)) : body.card, 'card');
			break;
		case 'image': {
			const key = object(content, 'content').image_key;
			if (typeof key !== 'string' || !key.startsWith('img_')) throw new BadMessage('content.image_key (img_…) is required');
			return { msgType, content: JSON.stringify({ image_key: key }), mentions: [], texts: [] };
		}
		case 'share_chat':
			payload = { chat_id: object(content, 'content').share_chat_id };
			type = 'share_chat';
			break;
		default:
			throw new BadMessage(`msg_type "${msgType}" is not one a custom bot sends`);
	}
	const app = state.apps.get(chat.appId) ?? state.firstApp()!;
	try {
		const stored = validateContent(state, app, type, JSON.stringify(payload));
		return { msgType, ...stored, texts: textsOf(payload) };
	} catch (error) {
		// The Open API's 230001 names the problem after "ext="; the webhook says Bad Request.
		if (error instanceof ApiError) throw new BadMessage(error.message.replace(/^.*ext=/, ''));
		throw error;
	}
}

/** The strings a keyword may match: text, titles and card text (not links), as Feishu's docs describe. */
function textsOf(value: unknown, key = ''): string[] {
	if (typeof value === 'string') return ['text', 'title', 'content', 'user_name'].includes(key) ? [value] : [];
	if (Array.isArray(value)) return value.flatMap((v) => textsOf(v, key));
	if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => textsOf(v, k));
	return [];
}

function remoteIp(ctx: RouteContext): string {
	return (ctx.req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function ipv4(text: string): number | undefined {
	const parts = text.split('.');
	if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
	return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** One whitelist rule: an address, `a.b.c.*`, or `a.b.c.d/n` (the forms Feishu's settings take). */
export function ipMatches(rule: string, ip: string): boolean {
	const r = rule.trim();
	if (r.includes('*')) {
		const re = new RegExp(`^${r.split('.').map((p) => (p === '*' ? '\\d{1,3}' : p.replace(/[^0-9]/g, ''))).join('\\.')}$`);
		return ipv4(ip) !== undefined && re.test(ip);
	}
	const [base, bits] = r.split('/');
	if (bits === undefined) return r === ip;
	const a = ipv4(base);
	const b = ipv4(ip);
	const n = Number(bits);
	if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
	const size = 2 ** (32 - n);
	return Math.floor(a / size) === Math.floor(b / size);
}

function validRule(rule: unknown): rule is string {
	if (typeof rule !== 'string' || !rule.trim()) return false;
	const r = rule.trim();
	if (r.includes('*')) return /^(\d{1,3}|\*)(\.(\d{1,3}|\*)){3}$/.test(r);
	const [base, bits] = r.split('/');
	return (ipv4(base) !== undefined || base === '::1') && (bits === undefined || /^\d{1,2}$/.test(bits));
}

function stringList(value: unknown, what: string, check: (s: unknown) => boolean): string[] | string {
	if (value === undefined) return [];
	if (!Array.isArray(value) || value.length > MAX_RULES || !value.every(check)) return `${what} must be a list of at most ${MAX_RULES} entries`;
	return (value as string[]).map((s) => s.trim());
}

export function customBotJson(bot: CustomBotRecord, host: string | undefined) {
	return {
		token: bot.token,
		webhook_url: `http://${host ?? '127.0.0.1'}/open-apis/bot/v2/hook/${bot.token}`,
		chat_id: bot.chatId,
		name: bot.name,
		bot_id: bot.botId,
		secret: bot.secret,
		keywords: bot.keywords,
		ip_allowlist: bot.ipAllowlist,
	};
}

/**
 * /_sandbox/custom-bots: add a custom bot to a group (or change one, by `token`), list them, remove
 * one (its webhook then answers 19001).
 */
export function registerCustomBotControl(router: Router, d: ControlDeps): void {
	const { state } = d;
	router.add('GET', '/_sandbox/custom-bots', (ctx) => sendJson(ctx.res, 200, { custom_bots: [...state.customBots.values()].map((b) => customBotJson(b, ctx.req.headers.host)) }));

	router.add('POST', '/_sandbox/custom-bots', async (ctx) => {
		const b = await ctx.json();
		const prev = typeof b.token === 'string' ? state.customBots.get(b.token) : undefined;
		if (b.token !== undefined && !prev) return bad(ctx, `unknown custom bot ${String(b.token)}`, 404);
		const keywords = stringList(b.keywords, 'keywords', (s) => typeof s === 'string' && s.trim() !== '');
		if (typeof keywords === 'string') return bad(ctx, keywords);
		const ipAllowlist = stringList(b.ip_allowlist, 'ip_allowlist', validRule);
		if (typeof ipAllowlist === 'string') return bad(ctx, `${ipAllowlist} (addresses, a.b.c.* or a.b.c.d/n)`);
		if (b.secret !== undefined && typeof b.secret !== 'string' && typeof b.secret !== 'boolean') return bad(ctx, 'secret must be a string, true (generate one) or false (off)');
		if (b.name !== undefined && (typeof b.name !== 'string' || !b.name.trim())) return bad(ctx, 'name must be a non-empty string');
		const chat = prev ? state.chats.get(prev.chatId) : groupFor(ctx, b);
		if (!chat) return;
		// Like the console, which offers a random secret when signature verification is turned on.
		const secret = b.secret === true ? randomBytes(16).toString('base64url') : b.secret === false ? '' : (b.secret ?? prev?.secret ?? '');
		const token = prev?.token ?? newUuid();
		const bot: CustomBotRecord = {
			token,
			chatId: chat.chatId,
			name: b.name?.trim() ?? prev?.name ?? 'Custom Bot',
			botId: prev?.botId ?? `cb_${stableHex(`custom-bot:${token}`, 24)}`,
			secret,
			keywords: b.keywords === undefined && prev ? prev.keywords : keywords,
			ipAllowlist: b.ip_allowlist === undefined && prev ? prev.ipAllowlist : ipAllowlist,
			createdAt: prev?.createdAt ?? Date.now(),
		};
		state.customBots.set(token, bot);
		d.log.info(`custom bot ${bot.name} in ${bot.chatId}${bot.secret ? ', signed' : ''}${bot.keywords.length ? `, keywords ${bot.keywords.join('/')}` : ''}${bot.ipAllowlist.length ? `, IPs ${bot.ipAllowlist.join(' ')}` : ''}`);
		sendJson(ctx.res, 200, customBotJson(bot, ctx.req.headers.host));
	});

	router.add('DELETE', '/_sandbox/custom-bots/:token', (ctx) => {
		if (!state.customBots.delete(ctx.params.token)) return bad(ctx, `unknown custom bot ${ctx.params.token}`, 404);
		sendJson(ctx.res, 200, { ok: true });
	});

	/** The group named by chat_id (created with the app's bot in it when new), or a new one. */
	function groupFor(ctx: RouteContext, b: Record<string, any>): ChatRecord | undefined {
		if (b.chat_id !== undefined && (typeof b.chat_id !== 'string' || !/^oc_[A-Za-z0-9_]+$/.test(b.chat_id))) {
			bad(ctx, 'chat_id must look like oc_…');
			return undefined;
		}
		const existing = b.chat_id ? state.chats.get(b.chat_id) : undefined;
		if (existing) {
			if (existing.chatType === 'p2p') {
				bad(ctx, 'custom bots live in groups, not in p2p chats');
				return undefined;
			}
			return existing;
		}
		const app = (typeof b.app_id === 'string' && state.apps.get(b.app_id)) || state.firstApp();
		if (!app) {
			bad(ctx, 'no app configured', 404);
			return undefined;
		}
		const chatId: string = b.chat_id ?? `oc_${stableHex(`custom-bot-group:${state.chats.size}:${Date.now()}`)}`;
		const chat = newChatRecord({ chatId, chatType: 'group', name: typeof b.chat_name === 'string' && b.chat_name.trim() ? b.chat_name.trim() : 'Group with a custom bot', appId: app.appId });
		state.chats.set(chatId, chat);
		return chat;
	}
}
