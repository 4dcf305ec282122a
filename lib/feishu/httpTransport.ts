// The HTTP seam of the API client: raw bytes in and out, no Feishu knowledge. axios by default
// (standalone use, tests, the trigger); n8n nodes plug in a transport over n8n's request helpers.
// Every transport: a hard total deadline, no redirects followed, and only FeishuNetworkError thrown.
import axios from 'axios';
import { FeishuApiError, FeishuNetworkError, safeUrl, toNetworkError } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportRequest {
	method: HttpMethod;
	url: string; // absolute, without query
	query?: Record<string, string>;
	headers: Record<string, string>;
	body?: Buffer | object;
	/** Total deadline for the whole exchange, response body included (not an idle timeout). */
	timeoutMs: number;
}

export interface TransportResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>; // lower-case names
	body: Buffer;
}

export interface HttpTransport {
	/** True when the transport sets the Authorization header itself (n8n's credential authenticate). */
	readonly appliesAuth?: boolean;
	/** Resolves for any HTTP status (3xx included: redirects are never followed); rejects with FeishuNetworkError. */
	send(req: TransportRequest): Promise<TransportResponse>;
}

/**
 * Runs `send` under a hard total deadline. axios' `timeout` is a socket idle timeout in Node, so a
 * server dripping a byte a second never trips it; the signal aborts the request, and the race
 * answers the caller on time even if the HTTP layer ignores the signal. Errors come out as
 * FeishuNetworkError (the library's error, with its config and secrets, stays here).
 */
export async function withDeadline<T>(req: Pick<TransportRequest, 'method' | 'url' | 'timeoutMs'>, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
	const controller = new AbortController();
	let timer: NodeJS.Timeout | undefined;
	let expired: FeishuNetworkError | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => {
			expired = new FeishuNetworkError(req.method, req.url, 'ETIMEDOUT', `no complete answer within ${req.timeoutMs} ms`);
			controller.abort(expired);
			reject(expired);
		}, req.timeoutMs);
	});
	try {
		return await Promise.race([send(controller.signal), deadline]);
	} catch (error) {
		throw expired ?? toNetworkError(error, req.method, req.url);
	} finally {
		clearTimeout(timer);
	}
}

export function axiosTransport(): HttpTransport {
	return {
		send: (req) =>
			withDeadline(req, async (signal) => {
				const res = await axios.request({
					method: req.method,
					url: req.url,
					params: req.query,
					headers: req.headers,
					data: req.body,
					signal,
					// A redirect would re-send the token (or the App Secret) to wherever it points.
					maxRedirects: 0,
					responseType: 'arraybuffer',
					validateStatus: () => true,
					maxBodyLength: Infinity,
					maxContentLength: Infinity,
				});
				const headers: Record<string, string | string[] | undefined> = {};
				for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = v as string | string[];
				return { status: res.status, headers, body: Buffer.from(res.data as ArrayBuffer) };
			}),
	};
}

/**
 * Transports never follow redirects (one would carry the token, or the App Secret, to wherever it
 * points); a 3xx is an error telling the user where it pointed.
 */
export function assertNotRedirect(res: TransportResponse, request: string): void {
	if (res.status < 300 || res.status >= 400) return;
	const raw = res.headers.location;
	const location = Array.isArray(raw) ? raw[0] : raw;
	const where = location ? safeUrl(location) : 'nowhere (no Location header)';
	throw new FeishuApiError(-1, `Feishu answered with a redirect (HTTP ${res.status}) to ${where} — check the Base URL`, { httpStatus: res.status, request });
}
