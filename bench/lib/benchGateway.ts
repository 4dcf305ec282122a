// A minimal Feishu gateway for the ingest benchmark: the endpoint call, the WebSocket upgrade,
// pongs, and a stream of pre-encoded event frames pushed with a bounded number of events in flight.
// It exists because the sandbox (one HTTP request per event through its control API, delivery
// records, JSON building) tops out well below what the clients can take; this feeder does only
// what the wire needs, so the client is the bottleneck. Acks are matched by the frame's message_id.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, encodeFrame, type Frame, FrameMethod, getHeader, pongFrame } from '../../lib/feishu/frames';

export const BENCH_APP = { appId: 'cli_b1b2c3d4e5f60718', appSecret: 'bench-app-secret' };

const CLIENT_CONFIG = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 };
const SERVICE_ID = 33554678;

/** One streaming run, as the code deciding when to send sees it. */
interface StreamRun {
	ws: WebSocket;
	started: number;
	/** Events sent so far. */
	sent(): number;
	/** Sent but not acked yet. */
	inFlight(): number;
	done(): boolean;
	sendNext(): void;
}

export interface StreamResult {
	events: number;
	elapsedMs: number;
	eventsPerSec: number;
	/** Per event: last fragment written to the socket -> ack read, in ms. */
	ackLatenciesMs: number[];
	/** Events that got no ack before the timeout. */
	missing: number;
}

/** One event as the frames that carry it (each already encoded). */
export type EncodedEvent = { messageId: string; frames: Uint8Array[] };

/** A schema 2.0 im.message.receive_v1 payload with a text of about `textBytes` bytes. */
export function messageEventPayload(appId: string, textBytes: number): Buffer {
	const eventId = randomUUID().replace(/-/g, '');
	const text = 'x'.repeat(Math.max(1, textBytes));
	return Buffer.from(
		JSON.stringify({
			schema: '2.0',
			header: { event_id: eventId, token: '', create_time: String(Date.now()), event_type: 'im.message.receive_v1', tenant_key: 'bench', app_id: appId },
			event: {
				sender: { sender_id: { open_id: 'ou_bench_user', user_id: 'bench', union_id: 'on_bench' }, sender_type: 'user', tenant_key: 'bench' },
				message: {
					message_id: `om_${eventId}`,
					create_time: String(Date.now()),
					chat_id: 'oc_bench',
					chat_type: 'p2p',
					message_type: 'text',
					content: JSON.stringify({ text }),
				},
			},
		}),
	);
}

let seq = 1;

/** Splits a payload into frames of at most `fragmentBytes` (sum/seq headers as Feishu sends them). */
export function encodeEvent(payload: Buffer, fragmentBytes: number): EncodedEvent {
	const messageId = randomUUID();
	const parts: Buffer[] = [];
	for (let i = 0; i < payload.length; i += fragmentBytes) parts.push(payload.subarray(i, i + fragmentBytes));
	const frames = parts.map((part, i) =>
		encodeFrame({
			SeqID: String(seq++),
			LogID: String(seq),
			service: SERVICE_ID,
			method: FrameMethod.data,
			headers: [
				{ key: 'type', value: 'event' },
				{ key: 'message_id', value: messageId },
				{ key: 'sum', value: String(parts.length) },
				{ key: 'seq', value: String(i) },
				{ key: 'trace_id', value: messageId.slice(0, 16) },
			],
			payload: part,
		}),
	);
	return { messageId, frames };
}

const MESSAGE_ID_KEY = Buffer.from('message_id');

/**
 * The value of the `message_id` header of an ack, read from the raw pbbp2 bytes (Header = {1: key,
 * 2: value}, so the key is followed by tag 0x12 and a one-byte length for ids this short); undefined
 * when the bytes do not look like that (then the frame is decoded normally).
 */
function ackMessageId(data: Buffer): string | undefined {
	const i = data.indexOf(MESSAGE_ID_KEY);
	if (i < 0) return undefined;
	const tagAt = i + MESSAGE_ID_KEY.length;
	if (data[tagAt] !== 0x12) return undefined;
	const len = data[tagAt + 1];
	if (len === undefined || len > 127 || tagAt + 2 + len > data.length) return undefined;
	return data.toString('latin1', tagAt + 2, tagAt + 2 + len);
}

export class BenchGateway {
	baseUrl = '';
	private server!: http.Server;
	private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });
	private readonly sockets = new Set<Socket>();
	private current: WebSocket | undefined;
	private connected: (() => void) | undefined;
	private onAck: ((messageId: string, at: number) => void) | undefined;
	endpointCalls = 0;
	pings = 0;

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => {
			if (req.method === 'POST' && req.url?.startsWith('/callback/ws/endpoint')) {
				req.resume();
				req.on('end', () => {
					this.endpointCalls++;
					const deviceId = String(7_000_000_000_000_000_000n + BigInt(this.endpointCalls));
					const url = `${this.baseUrl.replace(/^http/, 'ws')}/ws/v2?fpid=1&aid=1&device_id=${deviceId}&access_key=k&service_id=${SERVICE_ID}&ticket=${randomUUID()}`;
					res.writeHead(200, { 'content-type': 'application/json' });
					res.end(JSON.stringify({ code: 0, msg: 'ok', data: { URL: url, ClientConfig: CLIENT_CONFIG } }));
				});
				return;
			}
			res.writeHead(404).end();
		});
		this.server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		this.server.on('upgrade', (req, socket, head) => {
			this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
		});
		await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	private accept(ws: WebSocket): void {
		this.current?.terminate();
		this.current = ws;
		ws.on('error', () => undefined);
		ws.on('message', (data: Buffer) => {
			const at = performance.now();
			// Fast path for acks (the feeder must not be the bottleneck): read the echoed message_id
			// header straight from the bytes instead of decoding the whole frame.
			const fast = ackMessageId(data);
			if (fast) return this.onAck?.(fast, at);
			let frame: Frame;
			try {
				frame = decodeFrame(data);
			} catch {
				return;
			}
			if (frame.method === FrameMethod.control) {
				if (getHeader(frame, 'type') === 'ping') {
					this.pings++;
					ws.send(encodeFrame(pongFrame(SERVICE_ID, CLIENT_CONFIG)));
				}
				return;
			}
			const messageId = getHeader(frame, 'message_id');
			if (messageId) this.onAck?.(messageId, at);
		});
		const done = this.connected;
		this.connected = undefined;
		done?.();
	}

	/** Resolves once a client has opened its WebSocket (after `settleMs` more, so its handlers are set). */
	waitForConnection(timeoutMs = 20_000, settleMs = 200): Promise<void> {
		if (this.current?.readyState === WebSocket.OPEN) return new Promise((r) => setTimeout(r, settleMs));
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('no client connected to the bench gateway')), timeoutMs);
			this.connected = () => {
				clearTimeout(timer);
				setTimeout(resolve, settleMs);
			};
		});
	}

	/**
	 * Sends every event, keeping at most `window` unacked, and waits for all acks (or the timeout).
	 * Events are sent in order; the latency clock of an event starts when its last frame is sent.
	 */
	stream(events: EncodedEvent[], window: number, timeoutMs = 120_000): Promise<StreamResult> {
		return this.measure(events, timeoutMs, (run) => {
			const pump = () => {
				// Corked: one socket write for the whole batch instead of one per frame.
				const socket = (run.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
				socket?.cork();
				while (!run.done() && run.inFlight() < window) run.sendNext();
				socket?.uncork();
			};
			pump();
			return { onAck: pump };
		});
	}

	/**
	 * Sends the events at a fixed rate (a batch every 5 ms), regardless of acks: latency under a
	 * steady load below every client's capacity, rather than at saturation.
	 */
	streamPaced(events: EncodedEvent[], perSecond: number, timeoutMs = 120_000): Promise<StreamResult> {
		return this.measure(events, timeoutMs, (run) => {
			const ticker = setInterval(() => {
				// As many as the schedule says should have gone by now.
				const due = Math.min(events.length, Math.floor(((performance.now() - run.started) / 1000) * perSecond));
				while (run.sent() < due) run.sendNext();
				if (run.done()) clearInterval(ticker);
			}, 5);
			return { stop: () => clearInterval(ticker) };
		});
	}

	/**
	 * What both ways of streaming share: `drive` decides when the next event goes out; this times
	 * each event from its last frame to its ack and resolves once all are acked or at the timeout.
	 */
	private measure(events: EncodedEvent[], timeoutMs: number, drive: (run: StreamRun) => { onAck?: () => void; stop?: () => void }): Promise<StreamResult> {
		const ws = this.current;
		if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('no open client connection'));
		return new Promise((resolve) => {
			const sentAt = new Map<string, number>();
			const latencies: number[] = [];
			let next = 0;
			let acked = 0;
			const started = performance.now();
			let lastAckAt = started;
			let hooks: { onAck?: () => void; stop?: () => void } = {};
			const finish = () => {
				clearTimeout(timer);
				hooks.stop?.();
				this.onAck = undefined;
				const elapsedMs = lastAckAt - started;
				resolve({ events: acked, elapsedMs, eventsPerSec: (acked / elapsedMs) * 1000, ackLatenciesMs: latencies, missing: events.length - acked });
			};
			const timer = setTimeout(finish, timeoutMs);
			this.onAck = (messageId, at) => {
				const t = sentAt.get(messageId);
				if (t === undefined) return;
				sentAt.delete(messageId);
				latencies.push(at - t);
				acked++;
				lastAckAt = at;
				if (acked === events.length) return finish();
				hooks.onAck?.();
			};
			hooks = drive({
				ws,
				started,
				sent: () => next,
				inFlight: () => sentAt.size,
				done: () => next >= events.length,
				sendNext: () => {
					const ev = events[next++];
					for (const f of ev.frames) ws.send(f);
					sentAt.set(ev.messageId, performance.now());
				},
			});
		});
	}

	async close(): Promise<void> {
		this.current?.terminate();
		this.wss.close();
		for (const s of this.sockets) s.destroy();
		await new Promise<void>((r) => this.server.close(() => r()));
	}
}
