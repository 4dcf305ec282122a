// Posting to an app's webhook like the platform (docs/protocol.md, "Webhook security"): the body encrypted when the app has
// an Encrypt Key, X-Lark-Request-Timestamp/-Nonce/-Signature over the exact bytes sent, and a timeout
// after which the push counts as failed.
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { computeSignature, encryptPayload } from '../lib/feishu/crypto';
import { hex } from './ids';
import type { AppRecord } from './state';

export interface WebhookResult {
	status?: number;
	bodyText: string;
	body?: unknown;
	error?: string;
	latencyMs: number;
	rawSent: string;
}

export function webhookBody(app: AppRecord, payload: unknown): string {
	const plain = JSON.stringify(payload);
	return app.encryptKey ? JSON.stringify({ encrypt: encryptPayload(app.encryptKey, plain) }) : plain;
}

export function postToWebhook(app: AppRecord, url: string, payload: unknown, timeoutMs: number, signal?: AbortSignal): Promise<WebhookResult> {
	const raw = webhookBody(app, payload);
	const timestamp = String(Math.floor(Date.now() / 1000));
	const nonce = hex(8);
	const headers: Record<string, string | number> = {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(raw),
		'user-agent': 'Feishu-OpenPlatform-Sandbox',
		'x-lark-request-timestamp': timestamp,
		'x-lark-request-nonce': nonce,
	};
	if (app.encryptKey) headers['x-lark-signature'] = computeSignature(timestamp, nonce, app.encryptKey, raw);
	const started = Date.now();
	return new Promise((resolve) => {
		let done = false;
		let timer: NodeJS.Timeout | undefined;
		const finish = (r: Omit<WebhookResult, 'latencyMs' | 'rawSent'>) => {
			if (done) return;
			done = true;
			if (timer) clearTimeout(timer);
			resolve({ ...r, latencyMs: Date.now() - started, rawSent: raw });
		};
		let target: URL;
		try {
			target = new URL(url);
		} catch {
			return finish({ bodyText: '', error: `invalid url ${url}` });
		}
		const send = target.protocol === 'https:' ? httpsRequest : request;
		const req = send(target, { method: 'POST', headers, signal }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const bodyText = Buffer.concat(chunks).toString('utf8');
				let body: unknown;
				try {
					body = bodyText ? JSON.parse(bodyText) : undefined;
				} catch {
					body = bodyText;
				}
				finish({ status: res.statusCode, bodyText, body });
			});
			res.on('error', (e) => finish({ status: res.statusCode, bodyText: '', error: e.message }));
		});
		// The platform's whole-request deadline (3 s for events, 1 s for the challenge).
		timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
		req.on('error', (e) => finish({ bodyText: '', error: e.message }));
		req.end(raw);
	});
}
