// The control API under /_sandbox/ (JSON, no auth): what tests, benchmarks, the demo and the chat page
// use to play the user, inspect deliveries and calls, and inject faults.
import { callbackAnswerProblem } from './callbackAnswer';
import { cardActionEvent, envelope } from './events';
import type { DeliveryEngine } from './delivery';
import type { Gateway } from './gateway';
import { sendJson, type RouteContext, type Router } from './http';
import { newUuid } from './ids';
import type { SandboxLog } from './log';
import type { TokenStore } from './tokens';
import { TENANT_KEY, type AppRecord, type DeliveryConfig, type MessageRecord, type SandboxState } from './state';
import { InputError, senderFor, sendUserMessage, type UserMessageInput } from './userMessages';
import { postToWebhook } from './webhookDelivery';

export interface ControlDeps {
	state: SandboxState;
	delivery: DeliveryEngine;
	gateway: Gateway;
	tokens: TokenStore;
	log: SandboxLog;
	challengeTimeoutMs: number;
	callbackWaitMs: number;
}

export function appJson(app: AppRecord) {
	return {
		app_id: app.appId,
		app_secret: app.appSecret,
		encrypt_key: app.encryptKey,
		verification_token: app.verificationToken,
		bot_name: app.botName,
		bot_open_id: app.botOpenId,
		delivery: app.delivery,
	};
}

export function messageJson(m: MessageRecord, state?: SandboxState) {
	let content: unknown;
	try {
		content = JSON.parse(m.content);
	} catch {
		content = m.content;
	}
	return {
		message_id: m.messageId,
		chat_id: m.chatId,
		msg_type: m.msgType,
		content,
		body_content: m.content,
		sender: m.sender,
		sender_name: m.from === 'user' ? state?.users.get(m.sender.id)?.name : state?.apps.get(m.appId)?.botName,
		from: m.from,
		mentions: m.mentions,
		...(m.parentId ? { parent_id: m.parentId } : {}),
		...(m.rootId ? { root_id: m.rootId } : {}),
		...(m.threadId ? { thread_id: m.threadId } : {}),
		...(m.upperMessageId ? { upper_message_id: m.upperMessageId } : {}),
		create_time: String(m.createTime),
		update_time: String(m.updateTime),
		updated: m.updated,
		deleted: m.deleted,
	};
}

function bad(ctx: RouteContext, msg: string, status = 400): void {
	sendJson(ctx.res, status, { ok: false, error: msg });
}

export function registerControl(router: Router, d: ControlDeps): void {
	const { state } = d;
	const appOf = (ctx: RouteContext, id?: unknown): AppRecord | undefined => {
		const appId = typeof id === 'string' && id ? id : ctx.query.get('app_id') || undefined;
		const app = appId ? state.apps.get(appId) : state.firstApp();
		if (!app) bad(ctx, appId ? `unknown app_id ${appId}` : 'no app configured', 404);
		return app;
	};

	router.add('GET', '/_sandbox/apps', (ctx) => sendJson(ctx.res, 200, { apps: [...state.apps.values()].map(appJson) }));

	router.add('POST', '/_sandbox/apps', async (ctx) => {
		const b = await ctx.json();
		if (typeof b.app_id !== 'string' || !b.app_id || (!state.apps.has(b.app_id) && typeof b.app_secret !== 'string')) {
			return bad(ctx, 'app_id and app_secret are required');
		}
		const delivery = b.delivery ? parseDelivery(b.delivery) : undefined;
		if (b.delivery && !delivery) return bad(ctx, 'delivery must be {mode:"long_connection"} or {mode:"webhook", url}');
		const app = state.upsertApp({
			appId: b.app_id,
			appSecret: b.app_secret,
			encryptKey: b.encrypt_key,
			verificationToken: b.verification_token,
			botName: b.bot_name,
			botOpenId: b.bot_open_id,
			delivery,
		});
		d.log.info(`app ${app.appId} configured (${app.delivery.mode})`);
		sendJson(ctx.res, 200, { ok: true, app: appJson(app) });
	});

	router.add('PUT', '/_sandbox/apps/:app_id/delivery', async (ctx) => {
		const app = appOf(ctx, ctx.params.app_id);
		if (!app) return;
		const b = await ctx.json();
		const delivery = parseDelivery(b);
		if (!delivery) return bad(ctx, 'body must be {mode:"long_connection"} or {mode:"webhook", url}');
		if (delivery.mode === 'long_connection') {
			app.delivery = delivery;
			d.log.info(`app ${app.appId}: delivery = long connection`);
			return sendJson(ctx.res, 200, { ok: true, delivery });
		}
		// Like saving the Request URL in the console: the challenge must come back first.
		const challenge = newUuid();
		const result = await postToWebhook(app, delivery.url, { challenge, token: app.verificationToken, type: 'url_verification' }, Number(b.challenge_timeout_ms) || d.challengeTimeoutMs);
		const passed = result.status === 200 && typeof result.body === 'object' && (result.body as any)?.challenge === challenge;
		if (passed || b.force === true) app.delivery = delivery;
		d.log.info(`app ${app.appId}: webhook ${delivery.url} challenge ${passed ? 'passed' : `failed (${result.error ?? `HTTP ${result.status}`})`}`);
		sendJson(ctx.res, 200, { ok: passed, challenge_passed: passed, status: result.status ?? null, body: result.body ?? null, error: result.error, delivery: app.delivery });
	});

	router.add('GET', '/_sandbox/chats', (ctx) => {
		const chats = [...state.chats.values()].map((c) => {
			const msgs = state.chatMessages(c.chatId);
			const last = msgs[msgs.length - 1];
			return { chat_id: c.chatId, chat_type: c.chatType, name: c.name, app_id: c.appId, user_open_id: c.userOpenId, message_count: msgs.length, last_message: last ? messageJson(last, state) : null, created_at: c.createdAt };
		});
		sendJson(ctx.res, 200, { chats });
	});

	router.add('POST', '/_sandbox/chats/:chat_id/messages', async (ctx) => {
		const b: UserMessageInput = await ctx.json();
		const app = appOf(ctx, b.app_id);
		if (!app) return;
		try {
			const { message, eventId } = sendUserMessage(state, d.delivery, app, ctx.params.chat_id, b);
			sendJson(ctx.res, 200, { message_id: message.messageId, event_id: eventId, chat_id: message.chatId });
		} catch (error) {
			if (error instanceof InputError) return bad(ctx, error.message);
			throw error;
		}
	});

	router.add('GET', '/_sandbox/chats/:chat_id/messages', (ctx) => {
		sendJson(ctx.res, 200, { messages: state.chatMessages(ctx.params.chat_id).map((m) => messageJson(m, state)) });
	});

	router.add('POST', '/_sandbox/cards/:message_id/click', async (ctx) => {
		const b = await ctx.json();
		const message = state.messages.get(ctx.params.message_id);
		if (!message) return bad(ctx, `unknown message ${ctx.params.message_id}`, 404);
		const app = state.apps.get(message.appId);
		if (!app) return bad(ctx, 'the message has no app', 404);
		const operator = senderFor(state, b.operator ?? (state.chats.get(message.chatId)?.userOpenId ? { open_id: state.chats.get(message.chatId)?.userOpenId } : undefined));
		const event = envelope(app, {
			eventType: 'card.action.trigger',
			event: cardActionEvent({
				operator,
				message,
				value: b.value ?? {},
				tag: b.tag ?? 'button',
				name: b.name,
				formValue: b.form_value,
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

	router.add('POST', '/_sandbox/events', async (ctx) => {
		const b = await ctx.json();
		const app = appOf(ctx, b.app_id);
		if (!app) return;
		if (typeof b.event_type !== 'string' || !b.event_type) return bad(ctx, '"event_type" is required');
		const event = envelope(app, { eventType: b.event_type, event: typeof b.event === 'object' && b.event ? b.event : {}, schema: b.schema, eventId: b.event_id });
		d.delivery.deliver(app, event, { fragments: b.fragment, shuffleFragments: b.shuffle_fragments, callback: b.callback === true, frameType: b.frame_type === 'card' ? 'card' : 'event' });
		sendJson(ctx.res, 200, { event_id: event.eventId });
	});

	router.add('GET', '/_sandbox/connections', (ctx) => {
		const appId = ctx.query.get('app_id');
		const connections = [...d.gateway.connections.values()]
			.filter((c) => !appId || c.appId === appId)
			.map((c) => ({ id: c.id, app_id: c.appId, device_id: c.deviceId, service_id: c.serviceId, open: c.open, silent: c.silent, pings: c.pings, last_ping_at: c.lastPingAt ?? null, connected_at: c.connectedAt, closed_at: c.closedAt ?? null }));
		sendJson(ctx.res, 200, { connections });
	});

	router.add('GET', '/_sandbox/deliveries', (ctx) => {
		const appId = ctx.query.get('app_id');
		const eventId = ctx.query.get('event_id');
		const deliveries = state.deliveries.filter((r) => (!appId || r.app_id === appId) && (!eventId || r.event_id === eventId));
		sendJson(ctx.res, 200, { deliveries });
	});

	router.add('GET', '/_sandbox/calls', (ctx) => {
		const appId = ctx.query.get('app_id');
		sendJson(ctx.res, 200, { calls: state.calls.filter((c) => !appId || c.app_id === appId) });
	});

	router.add('GET', '/_sandbox/stats', (ctx) => {
		sendJson(ctx.res, 200, {
			...state.stats,
			connections_open: d.gateway.openConnections().length,
			deliveries: state.deliveries.length,
			deliveries_acked: state.deliveries.filter((r) => r.acked).length,
			deliveries_redelivered: state.deliveries.filter((r) => r.redelivered).length,
			calls: state.calls.length,
			messages: state.messages.size,
		});
	});

	router.add('POST', '/_sandbox/faults', async (ctx) => {
		const b = await ctx.json();
		const targets = b.app_id ? [appOf(ctx, b.app_id)] : [...state.apps.values()];
		if (targets.some((a) => !a)) return;
		const applied: string[] = [];
		for (const app of targets as AppRecord[]) {
			const f = state.faultsFor(app.appId);
			if (b.refuse_next_upgrade) {
				const r = b.refuse_next_upgrade === true ? { status: 514, autherrcode: '1000040350' } : b.refuse_next_upgrade;
				f.refuseNextUpgrade = { status: Number(r.status) || 514, autherrcode: r.autherrcode === undefined ? undefined : String(r.autherrcode), msg: r.msg };
				applied.push('refuse_next_upgrade');
			}
			if (b.fail_next_api) {
				const r = b.fail_next_api;
				f.failNextApi = { count: Number(r.count ?? 1), code: Number(r.code ?? 99991400), httpStatus: Number(r.http_status ?? 400), msg: r.msg };
				applied.push('fail_next_api');
			}
			if (b.latency_ms !== undefined) {
				f.latencyMs = Math.max(0, Number(b.latency_ms) || 0);
				applied.push('latency_ms');
			}
			if (b.redelivery !== undefined) {
				f.redelivery = b.redelivery !== false;
				applied.push('redelivery');
			}
			if (b.fragment_bytes !== undefined) {
				f.fragmentBytes = Number(b.fragment_bytes) > 0 ? Number(b.fragment_bytes) : undefined;
				applied.push('fragment_bytes');
			}
			if (b.malformed_frames) {
				for (const conn of d.gateway.openConnections(app.appId)) {
					for (let i = 0; i < Math.min(100, Number(b.malformed_frames) || 0); i++) d.gateway.sendRaw(conn, Buffer.from([0x08, 0x96, 0xff, 0xff, 0x0a, 0x01]));
				}
				applied.push('malformed_frames');
			}
			if (b.silent_drop) {
				for (const conn of d.gateway.openConnections(app.appId)) conn.silent = true;
				applied.push('silent_drop');
			}
			if (b.expire_tokens) {
				d.tokens.expireAll(app.appId);
				applied.push('expire_tokens');
			}
			if (b.drop_connections) {
				// true: the TCP connection just dies (1006 on the client); {close_code}: a clean close frame.
				d.gateway.dropConnections(app.appId, typeof b.drop_connections === 'object' ? Number(b.drop_connections.close_code) || 1000 : undefined);
				applied.push('drop_connections');
			}
		}
		if (b.client_config && typeof b.client_config === 'object') {
			Object.assign(d.gateway.clientConfig, b.client_config);
			applied.push('client_config');
		}
		d.log.info(`faults: ${applied.join(', ') || 'none'}`);
		sendJson(ctx.res, 200, { ok: true, applied });
	});

	router.add('POST', '/_sandbox/reset', (ctx) => {
		d.delivery.clear();
		state.reset();
		d.log.info('reset: chats, messages, deliveries, calls and faults cleared');
		sendJson(ctx.res, 200, { ok: true });
	});

	// Uploaded images/files for the chat page (the Open API download needs a token and a message).
	router.add('GET', '/_sandbox/resources/:key', (ctx) => {
		const upload = state.uploads.get(ctx.params.key);
		if (!upload) return bad(ctx, `unknown key ${ctx.params.key}`, 404);
		ctx.res.writeHead(200, { 'content-type': upload.contentType, 'content-length': upload.data.length });
		ctx.res.end(upload.data);
	});

	router.add('GET', '/_sandbox/info', (ctx) => sendJson(ctx.res, 200, { tenant_key: TENANT_KEY, default_user: userJson(state.defaultUser()) }));
}

function userJson(u: { openId: string; unionId: string; userId: string; name: string }) {
	return { open_id: u.openId, union_id: u.unionId, user_id: u.userId, name: u.name };
}

function parseDelivery(b: any): DeliveryConfig | undefined {
	if (b?.mode === 'long_connection') return { mode: 'long_connection' };
	if (b?.mode === 'webhook' && typeof b.url === 'string' && /^https?:\/\//.test(b.url)) return { mode: 'webhook', url: b.url };
	return undefined;
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
