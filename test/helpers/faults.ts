// Helpers for the fault suite: a guard that fails a test on any unhandled rejection or uncaught
// exception, a sandbox per test file, a hand-rolled protobuf writer (to build frames the real encoder refuses to produce:
// missing required fields, wrong wire types, lying lengths), and a tiny scriptable gateway built on
// lib/feishu/frames.ts that lets a test push raw bytes at a connected client.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { closeAllConnections } from '../../lib/feishu/connectionHub';
import { decodeFrame, encodeFrame, type Frame, FrameMethod, getHeader, pongFrame } from '../../lib/feishu/frames';
import { sandboxControl } from '../../sandbox/client';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/server';
import { type Truthy, waitFor as poll } from './waitFor';

/** Collects unhandled rejections / uncaught exceptions while installed; `assertNone` fails on any. */
export function trapUnhandled(): { errors: unknown[]; dispose(): void } {
	const errors: unknown[] = [];
	const onRejection = (reason: unknown) => errors.push(reason);
	const onException = (error: unknown) => errors.push(error);
	process.on('unhandledRejection', onRejection);
	process.on('uncaughtException', onException);
	return {
		errors,
		dispose() {
			process.off('unhandledRejection', onRejection);
			process.off('uncaughtException', onException);
		},
	};
}

/**
 * A sandbox for this test file: started before its tests, closed after them together with every
 * hub connection; unhandled rejections and exceptions trapped meanwhile; its control API.
 */
export function fileSandbox(opts: SandboxOptions) {
	const trap = trapUnhandled();
	let current: Sandbox | undefined;
	before(async () => {
		current = await startSandbox({ port: 0, quiet: true, ...opts });
	});
	after(async () => {
		await closeAllConnections();
		await current?.close();
		trap.dispose();
	});
	const started = (): Sandbox => {
		if (!current) throw new Error('the sandbox starts in before()');
		return current;
	};
	return {
		trap,
		get sandbox(): Sandbox {
			return started();
		},
		control: (method: string, path: string, body?: unknown): Promise<any> => sandboxControl(started().baseUrl, method, path, body),
	};
}

// ---- raw protobuf ----

export function varint(value: number | bigint): Buffer {
	let v = BigInt(value);
	if (v < 0n) v += 1n << 64n; // two's complement, as protobuf encodes negative int32/int64
	const out: number[] = [];
	do {
		let byte = Number(v & 0x7fn);
		v >>= 7n;
		if (v > 0n) byte |= 0x80;
		out.push(byte);
	} while (v > 0n);
	return Buffer.from(out);
}

export const tag = (field: number, wire: number) => varint((field << 3) | wire);
export const vField = (field: number, value: number | bigint) => Buffer.concat([tag(field, 0), varint(value)]);
export const bField = (field: number, bytes: Buffer | string) => {
	const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
	return Buffer.concat([tag(field, 2), varint(b.length), b]);
};
export const headerField = (key: Buffer | string, value: Buffer | string) => bField(5, Buffer.concat([bField(1, key), bField(2, value)]));

// ---- a scriptable gateway ----

export interface FaultConnection {
	ws: WebSocket;
	/** Frames the client sent (pings, acks), decoded. */
	frames: Frame[];
}

export class FaultGateway {
	baseUrl = '';
	readonly connections: FaultConnection[] = [];
	endpointCalls = 0;
	private server!: http.Server;
	private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
	private readonly sockets = new Set<Socket>();
	private seq = 1000;
	readonly serviceId = 4242;

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => {
			req.resume();
			req.on('end', () => {
				this.endpointCalls++;
				const n = this.endpointCalls;
				const url = `${this.baseUrl.replace('http', 'ws')}/ws/v2?fpid=1&device_id=dev${n}&access_key=ak-secret-${n}&service_id=${this.serviceId}&ticket=tk-secret-${n}`;
				res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
				res.end(JSON.stringify({ code: 0, msg: 'ok', data: { URL: url, ClientConfig: { PingInterval: 60, ReconnectCount: -1, ReconnectInterval: 0.05, ReconnectNonce: 0.01 } } }));
			});
		});
		this.server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		this.server.on('upgrade', (req, socket, head) =>
			this.wss.handleUpgrade(req, socket, head, (ws) => {
				const conn: FaultConnection = { ws, frames: [] };
				this.connections.push(conn);
				ws.on('error', () => undefined);
				ws.on('message', (data: Buffer) => {
					let frame: Frame;
					try {
						frame = decodeFrame(data);
					} catch {
						return;
					}
					conn.frames.push(frame);
					if (frame.method === FrameMethod.control && getHeader(frame, 'type') === 'ping') ws.send(encodeFrame(pongFrame(this.serviceId)));
				});
			}),
		);
		await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	/** The newest open connection. */
	get current(): FaultConnection {
		const open = this.connections.filter((c) => c.ws.readyState === WebSocket.OPEN);
		if (!open.length) throw new Error('no open connection');
		return open[open.length - 1];
	}

	sendRaw(bytes: Buffer | string, binary = true): void {
		this.current.ws.send(bytes, { binary });
	}

	nextSeq(): string {
		return String(++this.seq);
	}

	/** A well-formed event data frame (optionally with extra/replaced headers). */
	eventFrame(payload: Buffer | string, headers: Record<string, string> = {}): Frame {
		const base: Record<string, string> = { type: 'event', message_id: `msg-${this.seq + 1}`, sum: '1', seq: '0', trace_id: 't', ...headers };
		return {
			SeqID: this.nextSeq(),
			LogID: '1',
			service: this.serviceId,
			method: FrameMethod.data,
			headers: Object.entries(base).map(([key, value]) => ({ key, value })),
			payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
		};
	}

	send(frame: Frame): void {
		this.current.ws.send(encodeFrame(frame));
	}

	async close(): Promise<void> {
		for (const c of this.connections) c.ws.terminate();
		this.wss.close();
		for (const s of this.sockets) s.destroy();
		await new Promise<void>((r) => this.server.close(() => r()));
	}
}

export function eventPayload(eventId: string, text = 'hi'): string {
	return JSON.stringify({
		schema: '2.0',
		header: { event_id: eventId, event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: '', app_id: 'cli_faultfaultfault01', tenant_key: 't' },
		event: { message: { message_id: `om_${eventId}`, chat_id: 'oc_f', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text }) } },
	});
}

export function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 5000): Promise<Truthy<T>> {
	return poll(what, fn, timeoutMs, 5);
}
