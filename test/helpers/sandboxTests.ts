// Shared helpers for the sandbox tests (test/sandbox/): control-API calls by base URL, polling, a raw gateway client and a quiet
// logger for the official SDK.
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, pingFrame, getHeader, type Frame } from '../../lib/feishu/frames';
import { sandboxControl } from '../../sandbox/client';
import { DEMO_APP } from '../../sandbox/server';
import { type Truthy, waitFor as poll } from './waitFor';

export const APP = DEMO_APP;

export function control<T = any>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
	return sandboxControl<T>(baseUrl, method, path, body);
}

export function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 5000): Promise<Truthy<T>> {
	return poll(what, fn, timeoutMs, 20);
}

export const quietLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

export async function getEndpoint(baseUrl: string, appId = APP.appId, appSecret = APP.appSecret): Promise<any> {
	const res = await fetch(`${baseUrl}/callback/ws/endpoint`, { method: 'POST', headers: { 'content-type': 'application/json', locale: 'zh' }, body: JSON.stringify({ AppID: appId, AppSecret: appSecret }) });
	return res.json();
}

/** A bare-bones gateway client driven frame by frame (for sandbox-specific checks). */
export class RawClient {
	readonly frames: Frame[] = [];
	/** Messages that were not valid frames (the malformed_frames fault). */
	garbage = 0;
	serviceId = 0;
	ws!: WebSocket;
	closed = false;

	static async connect(baseUrl: string): Promise<RawClient> {
		const c = new RawClient();
		const ep = await getEndpoint(baseUrl);
		const url = new URL(ep.data.URL);
		c.serviceId = Number(url.searchParams.get('service_id'));
		c.ws = new WebSocket(ep.data.URL);
		c.ws.on('message', (d) => {
			try {
				c.frames.push(decodeFrame(d as Buffer));
			} catch {
				c.garbage++;
			}
		});
		c.ws.on('close', () => (c.closed = true));
		await new Promise<void>((resolve, reject) => {
			c.ws.once('open', () => resolve());
			c.ws.once('error', reject);
		});
		return c;
	}

	ping(): void {
		this.ws.send(encodeFrame(pingFrame(this.serviceId)));
	}

	events(): Frame[] {
		return this.frames.filter((f) => getHeader(f, 'type') === 'event');
	}

	close(): void {
		this.ws.terminate();
	}
}
