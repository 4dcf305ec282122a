// The HTTP seam of the API client: raw bytes in and out, no Feishu knowledge. The global `fetch` by
// default (standalone use, tests, the trigger): n8n Cloud allows no HTTP library or `node:http` in a
// community node; n8n nodes plug in a transport over n8n's request helpers. Every transport: a hard
// total deadline, no redirects followed, and only FeishuNetworkError thrown.
import { FeishuApiError, FeishuNetworkError, safeUrl, toNetworkError } from './errors';
import { after, type Timer } from './timers';
import { headerValue } from './values';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportRequest {
	method: HttpMethod;
	url: string; // absolute, without query
	/** A list is sent as the key repeated (`?ids=a&ids=b`), as Feishu reads lists. */
	query?: Record<string, string | string[]>;
	headers: Record<string, string>;
	body?: Buffer | object;
	/** Total deadline for the whole exchange, response body included (not an idle timeout). */
	timeoutMs: number;
	/** The caller's cancel (e.g. the trigger closing): aborts the request, which fails with ABORTED. */
	signal?: AbortSignal;
	/** A longer answer fails with ETOOLARGE (a hostile endpoint cannot make us buffer without end). */
	maxResponseBytes?: number;
}

export interface TransportResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>; // lower-case names
	body: Buffer;
}

export interface HttpTransport {
	/** Resolves for any HTTP status (3xx included: redirects are never followed); rejects with FeishuNetworkError. */
	send(req: TransportRequest): Promise<TransportResponse>;
}

/**
 * Runs `send` under a hard total deadline (HTTP clients' timeouts are idle timeouts, so a server
 * dripping a byte a second never trips them); the signal aborts the request, and the race answers
 * the caller on time even if the HTTP layer ignores the signal. Errors come out as
 * FeishuNetworkError (the library's error, with its config and secrets, stays here).
 */
export async function withDeadline<T>(req: Pick<TransportRequest, 'method' | 'url' | 'timeoutMs' | 'signal'>, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
	const controller = new AbortController();
	let timer: Timer | undefined;
	let ended: FeishuNetworkError | undefined;
	let onCancel: (() => void) | undefined;
	const deadline = new Promise<never>((_, reject) => {
		const end = (code: string, detail: string) => {
			ended ??= new FeishuNetworkError(req.method, req.url, code, detail);
			controller.abort(ended);
			reject(ended);
		};
		timer = after(req.timeoutMs, () => end('ETIMEDOUT', `no complete answer within ${req.timeoutMs} ms`));
		onCancel = () => end('ABORTED', 'cancelled');
		if (req.signal?.aborted) onCancel();
		else req.signal?.addEventListener('abort', onCancel, { once: true });
	});
	try {
		return await Promise.race([send(controller.signal), deadline]);
	} catch (error) {
		controller.abort(); // e.g. an answer refused as too large: stop reading it
		throw ended ?? toNetworkError(error, req.method, req.url);
	} finally {
		timer?.cancel();
		if (onCancel) req.signal?.removeEventListener('abort', onCancel);
	}
}

/** The body, refused past `max` bytes while it streams in (before it is all buffered). */
async function readCapped(res: Response, req: TransportRequest): Promise<Buffer> {
	const max = req.maxResponseBytes;
	if (max === undefined || !res.body) return Buffer.from(await res.arrayBuffer());
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const chunk of res.body) {
		size += chunk.byteLength;
		if (size > max) throw tooLarge(req, max);
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

/** The error for an answer longer than `maxResponseBytes`. */
export function tooLarge(req: Pick<TransportRequest, 'method' | 'url'>, max: number): FeishuNetworkError {
	return new FeishuNetworkError(req.method, req.url, 'ETOOLARGE', `answer longer than ${max} bytes`);
}

let shared: HttpTransport | undefined;

/** The package's one fetch transport, shared by every request that has no n8n context. */
export function defaultTransport(): HttpTransport {
	return (shared ??= fetchTransport());
}

/** The default transport, over the global `fetch` (so a dispatcher n8n sets globally applies). */
export function fetchTransport(): HttpTransport {
	return {
		send: (req) =>
			withDeadline(req, async (signal) => {
				const url = new URL(req.url);
				for (const [k, v] of Object.entries(req.query ?? {})) {
					if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, item);
					else url.searchParams.set(k, v);
				}
				const headers: Record<string, string> = {};
				// fetch measures the body itself.
				for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() !== 'content-length') headers[k] = v;
				let body: Uint8Array | string | undefined;
				if (Buffer.isBuffer(req.body)) body = req.body;
				else if (req.body !== undefined) {
					body = JSON.stringify(req.body);
					if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
				}
				// A redirect would re-send the token (or the App Secret) to wherever it points: 'manual'
				// hands the 3xx back as it is.
				const res = await fetch(url, { method: req.method, headers, body, signal, redirect: 'manual' });
				const out: Record<string, string | string[] | undefined> = {};
				res.headers.forEach((value, name) => {
					out[name.toLowerCase()] = value;
				});
				return { status: res.status, headers: out, body: await readCapped(res, req) };
			}),
	};
}

/**
 * Transports never follow redirects (one would carry the token, or the App Secret, to wherever it
 * points); a 3xx is an error telling the user where it pointed.
 */
export function assertNotRedirect(res: TransportResponse, request: string): void {
	if (res.status < 300 || res.status >= 400) return;
	const location = headerValue(res.headers, 'location');
	const where = location ? safeUrl(location) : 'nowhere (no Location header)';
	throw new FeishuApiError(-1, `Feishu answered with a redirect (HTTP ${res.status}) to ${where} — check the Base URL`, { httpStatus: res.status, request });
}
