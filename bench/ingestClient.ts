// One long-connection client for the ingest benchmark, run in its own process so the feeder and the
// client each get a core: `node --import tsx bench/ingestClient.ts <kind> <baseUrl> <appId> <appSecret>`.
// Optional 5th argument: handler time in ms (default 0). Kinds: `hub` (our connection hub, what the n8n trigger uses), `client` (our GatewayClient alone),
// `official` (@larksuiteoapi/node-sdk WSClient + EventDispatcher) and `ceiling` (bare ws + protobuf:
// decode, reassemble fragments, ack at once, nothing else). Every client gets the same trivial
// async handler. Prints "ready" once connected and stays up until stdin closes or SIGTERM.
import * as lark from '@larksuiteoapi/node-sdk';
import http from 'node:http';
import WebSocket from 'ws';
import { subscribeToApp } from '../lib/feishu/connectionHub';
import { ackFrame, decodeFrame, encodeFrame, FrameMethod, getHeader } from '../lib/feishu/frames';
import { GatewayClient } from '../lib/feishu/gatewayClient';

const [kind, baseUrl, appId, appSecret, handlerMsArg] = process.argv.slice(2);
const handlerMs = Number(handlerMsArg ?? 0);
let received = 0;
// The same handler for every client (the official SDK awaits it before acking): trivial, or one
// that takes `handlerMs` (a stand-in for a workflow doing I/O).
const handler = async (_event: unknown): Promise<void> => {
	received++;
	if (handlerMs > 0) await new Promise((r) => setTimeout(r, handlerMs));
};

function postJson(url: string, body: unknown): Promise<any> {
	const data = Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
		});
		req.on('error', reject);
		req.end(data);
	});
}

/** The ceiling: decode, keep fragments until complete, ack the completing frame. */
async function startCeiling(): Promise<() => void> {
	const endpoint = await postJson(`${baseUrl}/callback/ws/endpoint`, { AppID: appId, AppSecret: appSecret });
	const ws = new WebSocket(endpoint.data.URL, { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
	const partial = new Map<string, number>();
	ws.on('message', (data: Buffer) => {
		const frame = decodeFrame(data);
		if (frame.method !== FrameMethod.data) return;
		const sum = Number(getHeader(frame, 'sum') ?? 1);
		if (sum > 1) {
			const id = getHeader(frame, 'message_id') ?? '';
			const have = (partial.get(id) ?? 0) + 1;
			if (have < sum) {
				partial.set(id, have);
				return;
			}
			partial.delete(id);
		}
		void handler(undefined);
		ws.send(encodeFrame(ackFrame(frame, { code: 200, bizRtMs: 0 })));
	});
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	return () => ws.terminate();
}

async function start(): Promise<() => unknown> {
	const creds = { appId, appSecret, baseUrl };
	switch (kind) {
		case 'hub': {
			const sub = await subscribeToApp(creds, { onEvent: handler, onFatal: () => undefined });
			return () => sub.unsubscribe();
		}
		case 'client': {
			const client = new GatewayClient({ credentials: creds, onEvent: handler });
			await client.start();
			return () => client.close();
		}
		case 'official': {
			const ws = new lark.WSClient({ appId, appSecret, domain: baseUrl, loggerLevel: lark.LoggerLevel.error });
			const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error }).register({ 'im.message.receive_v1': handler });
			await ws.start({ eventDispatcher: dispatcher });
			return () => ws.close({ force: true });
		}
		case 'ceiling':
			return startCeiling();
		default:
			throw new Error(`unknown client kind ${kind}`);
	}
}

void (async () => {
	const stop = await start();
	process.stdout.write('ready\n');
	const quit = async () => {
		await stop();
		process.stdout.write(`received ${received}\n`);
		process.exit(0);
	};
	process.stdin.on('end', () => void quit());
	process.stdin.resume();
	process.on('SIGTERM', () => void quit());
})().catch((error) => {
	process.stderr.write(`ingest client ${kind} failed: ${error instanceof Error ? error.stack : error}\n`);
	process.exit(1);
});
