// Endpoint discovery for the long connection (docs/protocol.md, "Endpoint discovery"): POST /callback/ws/endpoint
// with PascalCase AppID/AppSecret returns a single-use wss URL and the ClientConfig timings.
// Goes through the package's fetch transport (n8n Cloud allows no `node:http` in a community node).
import { withoutTrailingSlash } from './domains';
import { FeishuGatewayError, RETRYABLE_ENDPOINT_CODES } from './gatewayErrors';
import { redactSecrets } from './gatewayLog';
import { FeishuNetworkError } from './errors';
import { defaultTransport } from './httpTransport';

export interface GatewayCredentials {
	appId: string;
	appSecret: string;
	/** e.g. https://open.feishu.cn (no trailing slash needed). */
	baseUrl: string;
}

/** Timings from Feishu's ClientConfig, converted to milliseconds. */
export interface GatewayTimings {
	pingIntervalMs: number;
	/** Negative = retry forever. */
	reconnectCount: number;
	reconnectIntervalMs: number;
	reconnectNonceMs: number;
}

/** SDK defaults used until the server says otherwise (docs/protocol.md, "ClientConfig"). */
export const DEFAULT_GATEWAY_TIMINGS: GatewayTimings = {
	pingIntervalMs: 120_000,
	reconnectCount: -1,
	reconnectIntervalMs: 120_000,
	reconnectNonceMs: 30_000,
};

export interface GatewayEndpoint {
	url: string;
	deviceId?: string;
	serviceId: number;
	timings: Partial<GatewayTimings>;
}

const DAY_SECONDS = 24 * 60 * 60;
/**
 * The server cannot ask for reconnects more often than this: ReconnectInterval 0 (or an
 * accept-then-close gateway) would otherwise mean hundreds of attempts a second.
 */
export const MIN_SERVER_RECONNECT_INTERVAL_MS = 1000;

function finiteIn(value: unknown, min: number, max: number): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

/**
 * Reads a ClientConfig object (endpoint response or pong payload). Each field is taken only if it
 * is a number in a sane range; anything else is ignored rather than turned into 0 or NaN (docs/protocol.md, "ClientConfig").
 * ReconnectInterval is raised to MIN_SERVER_RECONNECT_INTERVAL_MS.
 */
export function parseClientConfig(config: unknown): Partial<GatewayTimings> {
	if (typeof config !== 'object' || config === null) return {};
	const c = config as Record<string, unknown>;
	const out: Partial<GatewayTimings> = {};
	const ping = finiteIn(c.PingInterval, 0.05, DAY_SECONDS);
	if (ping !== undefined) out.pingIntervalMs = Math.round(ping * 1000);
	const count = finiteIn(c.ReconnectCount, -1e9, 1e9);
	if (count !== undefined && Number.isInteger(count)) out.reconnectCount = count;
	const interval = finiteIn(c.ReconnectInterval, 0, DAY_SECONDS);
	if (interval !== undefined) out.reconnectIntervalMs = Math.max(MIN_SERVER_RECONNECT_INTERVAL_MS, Math.round(interval * 1000));
	const nonce = finiteIn(c.ReconnectNonce, 0, DAY_SECONDS);
	if (nonce !== undefined) out.reconnectNonceMs = Math.round(nonce * 1000);
	return out;
}

/** device_id and service_id from the gateway URL, read with a real URL parser (docs/protocol.md, "Gateway URL"). */
export function parseGatewayUrl(url: string): { deviceId?: string; serviceId: number } {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new FeishuGatewayError('Feishu returned an invalid long-connection URL', { retryable: true, stage: 'endpoint' });
	}
	if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
		throw new FeishuGatewayError(`Feishu returned a long-connection URL with scheme ${parsed.protocol}`, {
			retryable: true,
			stage: 'endpoint',
		});
	}
	const service = Number(parsed.searchParams.get('service_id') ?? '0');
	// service_id is an int32 (docs/protocol.md, "Gateway URL"); fall back to 0 rather than sending garbage in pings.
	const serviceId = Number.isInteger(service) && service >= -(2 ** 31) && service < 2 ** 31 ? service : 0;
	return { deviceId: parsed.searchParams.get('device_id') ?? undefined, serviceId };
}

const MAX_ENDPOINT_ANSWER_BYTES = 1024 * 1024;

/**
 * Asks Feishu for a gateway URL. Throws FeishuGatewayError: retryable for network errors, HTTP
 * errors without a Feishu code, 5xx/429 and codes 1 / 1000040343; fatal for any other code (bad
 * credentials, long connection not enabled...), carrying Feishu's code and msg.
 */
export async function fetchGatewayEndpoint(
	creds: GatewayCredentials,
	opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<GatewayEndpoint> {
	const url = new URL(`${withoutTrailingSlash(creds.baseUrl)}/callback/ws/endpoint`);
	let res: { status: number; body: string };
	try {
		// `timeoutMs` bounds the whole exchange: an answer dripped a byte at a time would otherwise
		// keep start() (and n8n's activation) pending forever. No redirect: the body is the App Secret.
		const answer = await defaultTransport().send({
			method: 'POST',
			url: url.toString(),
			headers: {
				'Content-Type': 'application/json; charset=utf-8',
				// The gateway reads this header (the official Node SDK sends it too).
				locale: 'zh',
				'User-Agent': 'n8n-nodes-feishu-bot',
			},
			body: { AppID: creds.appId, AppSecret: creds.appSecret },
			timeoutMs: opts.timeoutMs ?? 15_000,
			signal: opts.signal,
			maxResponseBytes: MAX_ENDPOINT_ANSWER_BYTES,
		});
		res = { status: answer.status, body: answer.body.toString('utf8') };
	} catch (error) {
		const text = redactSecrets(error instanceof FeishuNetworkError ? error.detail : ((error as Error).message ?? String(error)), [creds.appSecret]);
		throw new FeishuGatewayError(`Could not reach Feishu's long-connection endpoint ${url.origin}: ${text}`, {
			retryable: true,
			stage: 'endpoint',
		});
	}
	let json: any;
	try {
		json = JSON.parse(res.body);
	} catch {
		json = undefined;
	}
	const code = typeof json?.code === 'number' ? json.code : undefined;
	const msg = typeof json?.msg === 'string' ? redactSecrets(json.msg, [creds.appSecret]) : undefined;
	const ok = res.status >= 200 && res.status < 300;
	if (ok && code === 0) {
		const wsUrl = json?.data?.URL;
		if (typeof wsUrl !== 'string' || wsUrl === '') {
			throw new FeishuGatewayError('Feishu\'s long-connection endpoint answered without a URL', {
				code,
				httpStatus: res.status,
				retryable: true,
				stage: 'endpoint',
			});
		}
		const gateway = parseGatewayUrl(wsUrl);
		// TLS to the endpoint is pointless if the events then travel in the clear. Plain ws:// is
		// only taken from a plain http:// endpoint (the loopback sandbox).
		if (url.protocol === 'https:' && new URL(wsUrl).protocol !== 'wss:') {
			throw new FeishuGatewayError(
				`Feishu's long-connection endpoint ${url.origin} (https) returned an unencrypted ws:// gateway URL; only wss:// is accepted`,
				{ code, httpStatus: res.status, retryable: false, stage: 'endpoint' },
			);
		}
		return { url: wsUrl, ...gateway, timings: parseClientConfig(json.data.ClientConfig) };
	}
	// An HTTP error with a Feishu code other than the busy ones is as fatal as the same code with 200
	// (e.g. bad credentials); server-side trouble (5xx, 429, no code) is retried.
	const serverTrouble = res.status >= 500 || res.status === 429 || (!ok && code === undefined);
	const retryable = serverTrouble || code === undefined || RETRYABLE_ENDPOINT_CODES.has(code);
	const detail = code !== undefined ? `code ${code}${msg ? `: ${msg}` : ''}` : `HTTP ${res.status}`;
	throw new FeishuGatewayError(`Feishu refused the long connection for app ${creds.appId} (${detail})`, {
		code,
		msg,
		httpStatus: res.status,
		retryable,
		stage: 'endpoint',
	});
}
