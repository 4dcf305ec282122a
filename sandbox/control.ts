// The control API under /_sandbox/ (JSON, no auth): what tests, benchmarks, the demo and the chat page
// use to configure apps, play the user and inspect deliveries and calls. Card clicks, faults and custom
// bots live in cardClicks.ts, faults.ts and customBotApi.ts.
import { appScopeList, parseScopeSettings } from './appScopes';
import { registerCardClicks } from './cardClicks';
import { appFrom, bad, type ControlDeps } from './controlContext';
import { registerCustomBotControl } from './customBotApi';
import { departmentIdsFrom, registerContactControl } from './contactControl';
import { registerFaults } from './faults';
import { envelope } from './events';
import { sendJson, type RouteContext, type Router } from './http';
import { newUuid, stableHex } from './ids';
import { newChatRecord, TENANT_KEY, type AppRecord, type DeliveryConfig, type MessageRecord, type SandboxState } from './state';
import { InputError, sendUserMessage, type UserMessageInput } from './userMessages';
import { postToWebhook } from './webhookDelivery';

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
		sender_name: m.senderName ?? (m.from === 'user' ? state?.users.get(m.sender.id)?.name : state?.apps.get(m.appId)?.botName),
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

export function registerControl(router: Router, d: ControlDeps): void {
	const { state } = d;
	registerCardClicks(router, d);
	registerFaults(router, d);
	registerCustomBotControl(router, d);
	registerContactControl(router, d);
	const appOf = (ctx: RouteContext, id?: unknown) => appFrom(state, ctx, id);

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

	router.add('PUT', '/_sandbox/apps/:app_id/scopes', async (ctx) => {
		const app = appOf(ctx, ctx.params.app_id);
		if (!app) return;
		const settings = parseScopeSettings(await ctx.json());
		if (!settings) return bad(ctx, 'body must be {missing?: string[], pending?: string[]}');
		state.scopeSettings.set(app.appId, settings);
		d.log.info(`app ${app.appId}: scopes missing [${[...settings.missing].join(', ')}], pending [${[...settings.pending].join(', ')}]`);
		sendJson(ctx.res, 200, { ok: true, scopes: appScopeList(state, app.appId) });
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
			return { chat_id: c.chatId, chat_type: c.chatType, name: c.name, app_id: c.appId, user_open_id: c.userOpenId, members: [...c.members], bots: [...c.bots], managers: [...c.managers], owner_id: c.ownerId ?? null, dissolved: c.dissolved === true, message_count: msgs.length, last_message: last ? messageJson(last, state) : null, created_at: c.createdAt };
		});
		sendJson(ctx.res, 200, { chats });
	});

	// A group chat with the app's bot in it, as if a person had created it and added the bot.
	router.add('POST', '/_sandbox/chats', async (ctx) => {
		const b = await ctx.json();
		const app = appOf(ctx, b.app_id);
		if (!app) return;
		const chatType = b.chat_type ?? 'group';
		if (chatType !== 'group' && chatType !== 'topic_group') return bad(ctx, 'chat_type must be "group" or "topic_group"');
		if (typeof b.name !== 'string' || !b.name.trim()) return bad(ctx, 'name is required');
		if (b.chat_id !== undefined && (typeof b.chat_id !== 'string' || !/^oc_[A-Za-z0-9_]+$/.test(b.chat_id))) return bad(ctx, 'chat_id must look like oc_…');
		const chatId: string = b.chat_id ?? `oc_${stableHex(`group:${app.appId}:${b.name}:${state.chats.size}`)}`;
		const existing = state.chats.get(chatId);
		if (existing && existing.appId !== app.appId) return bad(ctx, `chat ${chatId} belongs to another app`);
		const chat = existing ?? newChatRecord({ chatId, chatType, name: b.name.trim(), appId: app.appId });
		state.chats.set(chatId, chat);
		sendJson(ctx.res, 200, { chat_id: chatId, chat_type: chat.chatType, name: chat.name, app_id: app.appId });
	});

	// A person edits a group's announcement, the content stored as given (docs/protocol.md, "Chat announcement").
	router.add('PUT', '/_sandbox/chats/:chat_id/announcement', async (ctx) => {
		const b = await ctx.json();
		const chat = state.chats.get(ctx.params.chat_id);
		if (!chat) return bad(ctx, `unknown chat ${ctx.params.chat_id}`, 404);
		if (typeof b.content !== 'string') return bad(ctx, 'content (a string) is required');
		const editor = typeof b.open_id === 'string' && b.open_id ? state.userBy('open_id', b.open_id) : state.defaultUser();
		const now = Date.now();
		const prev = chat.announcement;
		chat.announcement = { content: b.content, revision: (prev?.revision ?? 0) + 1, createTime: prev?.createTime ?? now, updateTime: now, modifierId: editor.openId, modifierIsBot: false };
		sendJson(ctx.res, 200, { chat_id: chat.chatId, revision: String(chat.announcement.revision) });
	});

	// A person in the tenant (the contact API lists them).
	router.add('POST', '/_sandbox/users', async (ctx) => {
		const b = await ctx.json();
		if (typeof b.name !== 'string' || !b.name.trim()) return bad(ctx, 'name is required');
		// Optional directory fields (docs/protocol.md, "Contacts"): department_ids (open ids, "0" the root), mobile, resigned.
		const departments = departmentIdsFrom(state, b.department_ids, true);
		if (typeof departments === 'string') return bad(ctx, departments);
		const user = typeof b.email === 'string' && b.email ? state.userBy('email', b.email, b.name.trim()) : state.userBy('open_id', `ou_${stableHex(`named:${b.name.trim()}`)}`, b.name.trim());
		if (departments.length) user.departmentIds = departments;
		if (typeof b.mobile === 'string' && b.mobile) user.mobile = b.mobile;
		if (typeof b.resigned === 'boolean') user.resigned = b.resigned;
		sendJson(ctx.res, 200, userJson(user));
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

	router.add('POST', '/_sandbox/deliveries/:event_id/again', (ctx) => {
		const record = d.delivery.deliverAgain(ctx.params.event_id);
		if (!record) return sendJson(ctx.res, 404, { error: `no recent event ${ctx.params.event_id}` });
		sendJson(ctx.res, 200, { delivery: record });
	});

	router.add('GET', '/_sandbox/calls', (ctx) => {
		const appId = ctx.query.get('app_id');
		const path = ctx.query.get('path');
		const calls = state.calls.filter((c) => (!appId || c.app_id === appId) && (!path || c.path.endsWith(path)));
		// bodies=false: the records without what was sent (a benchmark's thousands of records per call).
		sendJson(ctx.res, 200, { calls: ctx.query.get('bodies') === 'false' ? calls.map(({ body: _body, ...rest }) => rest) : calls });
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

	router.add('POST', '/_sandbox/reset', (ctx) => {
		d.delivery.clear();
		state.reset();
		d.onReset?.();
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
