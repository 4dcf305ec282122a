// A small router on node:http: exact-or-parameterised paths, JSON helpers, and one place that turns a
// throwing handler into a 500 instead of a crashed sandbox.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
	req: IncomingMessage;
	res: ServerResponse;
	params: Record<string, string>;
	query: URLSearchParams;
	path: string;
	/** Raw request body; read lazily and cached (multipart handlers stream instead). */
	body(): Promise<Buffer>;
	json<T = any>(): Promise<T>;
}

export type Handler = (ctx: RouteContext) => Promise<void> | void;

interface Route {
	method: string;
	parts: string[];
	handler: Handler;
}

export class JsonBodyError extends Error {}

const MAX_BODY_BYTES = 30 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new JsonBodyError(`request body larger than ${limit} bytes`));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	if (res.headersSent) return;
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
	res.end(text);
}

export class Router {
	private readonly routes: Route[] = [];

	add(method: string, pattern: string, handler: Handler): this {
		this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
		return this;
	}

	/** Finds a route; `methodMismatch` is true when the path exists under another method. */
	match(method: string, path: string): { handler: Handler; params: Record<string, string> } | { methodMismatch: boolean } {
		const parts = path.split('/').filter(Boolean);
		let methodMismatch = false;
		for (const route of this.routes) {
			if (route.parts.length !== parts.length) continue;
			const params: Record<string, string> = {};
			let ok = true;
			for (let i = 0; i < parts.length; i++) {
				const p = route.parts[i];
				if (p.startsWith(':')) {
					try {
						params[p.slice(1)] = decodeURIComponent(parts[i]);
					} catch {
						ok = false;
						break;
					}
				} else if (p !== parts[i]) {
					ok = false;
					break;
				}
			}
			if (!ok) continue;
			if (route.method !== method) {
				methodMismatch = true;
				continue;
			}
			return { handler: route.handler, params };
		}
		return { methodMismatch };
	}

	static context(req: IncomingMessage, res: ServerResponse, url: URL, params: Record<string, string>): RouteContext {
		let cached: Promise<Buffer> | undefined;
		const body = () => (cached ??= readBody(req));
		return {
			req,
			res,
			params,
			query: url.searchParams,
			path: url.pathname,
			body,
			json: async () => {
				const raw = await body();
				if (raw.length === 0) return {};
				let parsed: unknown;
				try {
					parsed = JSON.parse(raw.toString('utf8'));
				} catch {
					throw new JsonBodyError('request body is not valid JSON');
				}
				// Every JSON endpoint here takes an object; null, arrays and scalars are bad input.
				if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new JsonBodyError('request body must be a JSON object');
				return parsed as any;
			},
		};
	}
}
