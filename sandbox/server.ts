// startSandbox(): a local Feishu Open Platform on one port — Open API, long-connection gateway,
// webhook pushes, the /_sandbox/ control API and the chat page at /.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { registerAuthApi } from './authApi';
import { registerControl } from './control';
import { DeliveryEngine } from './delivery';
import { Gateway, refuse, type ClientConfig } from './gateway';
import { changesState, CONTROL_NOT_LOOPBACK, isJsonContentType, isLoopbackAddress, isLoopbackHost, isOpenPlatformPath, NOT_JSON, OPEN_PLATFORM_NOT_LOOPBACK } from './guard';
import { JsonBodyError, Router, sendJson } from './http';
import { newLogId } from './ids';
import { registerAppScopesApi } from './appScopes';
import { registerBatchMessageApi } from './batchMessageApi';
import { registerBitableApi } from './bitableApi';
import { registerCardKitApi } from './cardKitApi';
import { registerDriveEvents } from './driveEvents';
import { registerDriveFilesApi } from './driveFiles';
import { registerSheetsApi } from './sheetsApi';
import { registerChatApi } from './chatApi';
import { registerEphemeralApi } from './ephemeralApi';
import { registerContactApi } from './contactApi';
import { registerCustomBotApi } from './customBotApi';
import { registerImApi } from './imApi';
import { registerOAuthApi } from './oauthApi';
import { registerPinApi } from './pinApi';
import { registerReactionApi } from './reactionApi';
import { registerReadReceiptApi } from './readReceiptApi';
import { createLog } from './log';
import { MODEL_API_BASE, registerModelApi, sendModelNotFound } from './modelApi';
import { OpenApi } from './openApi';
import { registerPage } from './page';
import { registerResource, ResourceStore, type ResourceFamily } from './resourceStore';
import { DEMO_APP, SandboxState, type SandboxAppConfig } from './state';
import { registerTaskApi } from './taskApi';
import { registerUrgentApi } from './urgentApi';
import { registerUserUploads } from './userUploads';
import { TokenStore } from './tokens';

export type { SandboxAppConfig } from './state';
export { DEMO_APP, DEMO_GROUP_CHAT } from './state';

export interface SandboxOptions {
	port?: number;
	/** Address to listen on; 127.0.0.1 (this machine only) unless told otherwise. */
	host?: string;
	apps?: SandboxAppConfig[];
	quiet?: boolean;
	tokenTtlSeconds?: number;
	ackTimeoutMs?: number;
	maxRedeliveries?: number;
	/** Seconds, sent in the endpoint response and in every pong. */
	clientConfig?: Partial<ClientConfig>;
	fragmentThresholdBytes?: number;
	maxConnectionsPerApp?: number;
	rateLimitPerSecond?: number;
	rateLimitPerMinute?: number;
	/** Per custom bot (Feishu: 5 a second, 100 a minute). */
	customBotRateLimitPerSecond?: number;
	customBotRateLimitPerMinute?: number;
	/** Webhook push deadline (Feishu: 3 s) and retry delays (Feishu: 15 s, 5 min, 1 h, 6 h). */
	webhookTimeoutMs?: number;
	webhookRetryDelaysMs?: number[];
	/** url_verification deadline (Feishu: 1 s). */
	challengeTimeoutMs?: number;
	/** How long a card click waits for the app's answer (Feishu: 3 s). */
	callbackWaitMs?: number;
	/** How long a card entity's streaming mode stays on before it closes itself (Feishu: 10 minutes). */
	cardStreamingTimeoutMs?: number;
	/** How long an event waits for a long connection when none is open. */
	undeliveredTtlMs?: number;
	/** A user_access_token's lifetime (Feishu: about 2 h) and a refresh_token's (about 30 days), in seconds. */
	userTokenTtlSeconds?: number;
	refreshTokenTtlSeconds?: number;
	/** How long an authorization code can be exchanged (Feishu: 5 minutes). */
	oauthCodeTtlSeconds?: number;
	/** More schema-driven families to serve (resourceStore.ts); they take precedence over built-in ones on the same paths. */
	resources?: ResourceFamily[];
}

export interface Sandbox {
	baseUrl: string;
	port: number;
	close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
	const log = createLog(!!opts.quiet);
	const state = new SandboxState();
	for (const app of opts.apps?.length ? opts.apps : [DEMO_APP]) state.upsertApp(app);
	const tokens = new TokenStore(opts.tokenTtlSeconds ?? 7200);
	let baseUrl = '';
	const delivery = new DeliveryEngine(state, log, {
		ackTimeoutMs: opts.ackTimeoutMs ?? 3000,
		maxRedeliveries: opts.maxRedeliveries ?? 4,
		fragmentThresholdBytes: opts.fragmentThresholdBytes ?? 64 * 1024,
		webhookTimeoutMs: opts.webhookTimeoutMs ?? 3000,
		webhookRetryDelaysMs: opts.webhookRetryDelaysMs ?? [15_000, 300_000, 3_600_000, 21_600_000],
		undeliveredTtlMs: opts.undeliveredTtlMs ?? 30_000,
	});
	const gateway = new Gateway(
		state,
		log,
		{
			clientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30, ...opts.clientConfig },
			maxConnectionsPerApp: opts.maxConnectionsPerApp ?? 50,
			baseUrl: () => baseUrl,
		},
		{
			onOpen: (conn) => delivery.onConnectionOpen(conn),
			onDataFrame: (conn, frame) => delivery.onDataFrame(conn, frame),
			onClose: () => undefined,
		},
	);
	delivery.gateway = gateway;

	const router = new Router();
	const openApi = new OpenApi({ state, tokens, log, rateLimitPerSecond: opts.rateLimitPerSecond ?? 50, rateLimitPerMinute: opts.rateLimitPerMinute ?? 1000 });
	registerAuthApi(router, openApi, state, tokens);
	state.oauth.configure({ accessTtlSeconds: opts.userTokenTtlSeconds, refreshTtlSeconds: opts.refreshTokenTtlSeconds, codeTtlSeconds: opts.oauthCodeTtlSeconds });
	registerOAuthApi(router, openApi, state);
	registerAppScopesApi(router, openApi, state);
	registerImApi(router, openApi, state);
	registerReactionApi(router, openApi, state);
	registerPinApi(router, openApi, state);
	registerReadReceiptApi(router, openApi, state);
	registerUrgentApi(router, openApi, state);
	registerBatchMessageApi(router, openApi, state);
	registerEphemeralApi(router, openApi, state);
	registerCardKitApi(router, openApi, state, { streamingTimeoutMs: opts.cardStreamingTimeoutMs ?? 600_000 });
	registerChatApi(router, openApi, state);
	registerContactApi(router, openApi, state);
	registerCustomBotApi(router, openApi, state, { perSecond: opts.customBotRateLimitPerSecond ?? 5, perMinute: opts.customBotRateLimitPerMinute ?? 100 });
	const resources = new ResourceStore(state);
	// A test's own families first: where one serves the same paths as a built-in family, the test's wins.
	for (const family of opts.resources ?? []) registerResource(router, openApi, resources, family);
	registerTaskApi(router, openApi, resources);
	const bitable = registerBitableApi(router, openApi, resources, state);
	// Document subscriptions and the events of subscribed files (record changes, edits).
	registerDriveEvents(router, openApi, resources, state, delivery, bitable.model);
	registerSheetsApi(router, openApi, resources);
	// The folder listing over the Bases and spreadsheets above (their owners and folders).
	registerDriveFilesApi(router, openApi, resources, state);
	router.add('POST', '/callback/ws/endpoint', async (ctx) => {
		let body: unknown;
		try {
			body = await ctx.json();
		} catch {
			body = {};
		}
		const r = gateway.endpoint(body, ctx.req.headers.host);
		sendJson(ctx.res, r.status, r.body, { 'x-tt-logid': newLogId() });
	});
	router.add('GET', '/ws/v2', (ctx) => gateway.answerProbe(ctx.query, ctx.res));
	// The scripted OpenAI-compatible chat model for n8n's OpenAI Chat Model node (modelApi.ts).
	const model = registerModelApi(router, log);
	registerControl(router, { state, delivery, gateway, tokens, log, challengeTimeoutMs: opts.challengeTimeoutMs ?? 1000, callbackWaitMs: opts.callbackWaitMs ?? 3000, onReset: () => model.reset() });
	registerUserUploads(router, { state, log });
	registerPage(router);

	// Web pages stay out (guard.ts): the control API and chat page answer only a loopback Host, always.
	// The Open API and gateway do too while only this machine can connect (every real client then uses a
	// loopback name, any other name is a rebound browser); listening wider, clients may use any name.
	const host = opts.host ?? '127.0.0.1';
	const guardOpenPlatform = isLoopbackAddress(host);
	const server: Server = createServer((req, res) => {
		void (async () => {
			let url: URL;
			try {
				url = new URL(req.url ?? '/', 'http://sandbox');
			} catch {
				return sendJson(res, 400, { code: 9499, msg: 'Bad Request' });
			}
			const openPlatform = isOpenPlatformPath(url.pathname);
			if ((!openPlatform || guardOpenPlatform) && !isLoopbackHost(req.headers.host)) {
				state.stats.rejected_requests++;
				return sendJson(res, 403, openPlatform ? { code: 403, msg: OPEN_PLATFORM_NOT_LOOPBACK } : { ok: false, error: CONTROL_NOT_LOOPBACK });
			}
			if (url.pathname.startsWith('/_sandbox/') && changesState(req.method) && !isJsonContentType(req.headers['content-type'])) {
				state.stats.rejected_requests++;
				return sendJson(res, 415, { ok: false, error: NOT_JSON });
			}
			const found = router.match(req.method ?? 'GET', url.pathname);
			if (!('handler' in found)) {
				state.stats.rejected_requests++;
				if (url.pathname.startsWith('/_sandbox/')) return sendJson(res, found.methodMismatch ? 405 : 404, { ok: false, error: `no route ${req.method} ${url.pathname}` });
				if (url.pathname.startsWith(`${MODEL_API_BASE}/`)) return sendModelNotFound(res, req.method ?? 'GET', url.pathname);
				res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-tt-logid': newLogId() });
				return res.end('404 page not found');
			}
			try {
				await found.handler(Router.context(req, res, url, found.params));
			} catch (error) {
				if (error instanceof JsonBodyError) {
					state.stats.rejected_requests++;
					return sendJson(res, 400, url.pathname.startsWith('/open-apis/') ? { code: 9499, msg: error.message } : { ok: false, error: error.message });
				}
				log.warn(`${req.method} ${url.pathname} failed: ${(error as Error).stack ?? error}`);
				sendJson(res, 500, { code: 500, msg: 'sandbox internal error', error: String((error as Error).message ?? error) });
			}
		})();
	});
	const sockets = new Set<Socket>();
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	server.on('upgrade', (req, socket, head) => {
		if (guardOpenPlatform && !isLoopbackHost(req.headers.host)) {
			state.stats.refused_upgrades++;
			socket.on('error', () => undefined);
			return refuse(socket, 403, '', OPEN_PLATFORM_NOT_LOOPBACK);
		}
		try {
			gateway.handleUpgrade(req, socket, head);
		} catch (error) {
			log.warn(`upgrade failed: ${(error as Error).message}`);
			socket.destroy();
		}
	});
	server.on('clientError', (_err, socket) => {
		state.stats.rejected_requests++;
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
	baseUrl = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
	log.info(`Feishu sandbox listening on ${baseUrl}`);

	let closing: Promise<void> | undefined;
	return {
		baseUrl,
		port,
		close: () =>
			(closing ??= new Promise<void>((resolve) => {
				delivery.close();
				gateway.close();
				server.close(() => resolve());
				for (const s of sockets) s.destroy();
			})),
	};
}
