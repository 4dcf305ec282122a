// A tiny scriptable Feishu gateway built on lib/feishu/frames.ts, for the protocol corners the
// sandbox cannot be told to produce (odd pongs, text frames, non-JSON payloads, `card` frames,
// endpoint codes, handshake refusals). Every endpoint call, upgrade and inbound frame is recorded.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, encodeFrame, type Frame, getHeader, pongFrame } from '../../lib/feishu/frames';

export type EndpointScript = { status?: number; body: unknown } | 'ok';
export type UpgradeScript = { status: number; headers?: Record<string, string> } | 'accept';

export interface MockConnection {
	ws: WebSocket;
	deviceId: string;
	frames: Frame[];
}

export class MockGateway {
	readonly endpointCalls: { at: number; body: any; headers: http.IncomingHttpHeaders }[] = [];
	readonly connections: MockConnection[] = [];
	/** Consumed one per endpoint call; 'ok' (a fresh URL) once empty. */
	endpointScript: EndpointScript[] = [];
	upgradeScript: UpgradeScript[] = [];
	clientConfig: Record<string, unknown> = { PingInterval: 1, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 1 };
	/** Payload of every pong (undefined = no payload). */
	pongPayload: (() => unknown) | undefined = () => this.clientConfig;
	answerPings = true;
	/** Accept every upgrade, then close the socket at once (a gateway that never keeps a connection). */
	acceptThenClose = false;
	private server!: http.Server;
	private readonly wss = new WebSocketServer({ noServer: true });
	private readonly sockets = new Set<Socket>();
	private counter = 0;
	/** The refusal each gateway URL got, answered again to a plain GET of it (the client's probe). */
	private readonly refusals = new Map<string, { status: number; headers: Record<string, string> }>();
	baseUrl = '';

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => this.onRequest(req, res));
		this.server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head));
		await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	get open(): MockConnection[] {
		return this.connections.filter((c) => c.ws.readyState === WebSocket.OPEN);
	}

	send(conn: MockConnection, frame: Frame): void {
		conn.ws.send(encodeFrame(frame));
	}

	/** Waits for the client's ack of the frame with this SeqID. */
	async ackFor(conn: MockConnection, seqId: string, timeoutMs = 3000): Promise<Frame> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const ack = conn.frames.find((f) => f.method === 1 && String(f.SeqID) === seqId);
			if (ack) return ack;
			if (Date.now() > deadline) throw new Error(`no ack for SeqID ${seqId}`);
			await new Promise((r) => setTimeout(r, 10));
		}
	}

	async close(): Promise<void> {
		for (const c of this.connections) c.ws.terminate();
		await new Promise<void>((r) => {
			this.server.close(() => r());
			for (const s of this.sockets) s.destroy();
		});
	}

	private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
		if (req.method === 'GET') {
			// Like Feishu's gateway: the same verdict for the URL without an upgrade, else 426.
			const refusal = this.refusals.get(req.url ?? '');
			res.writeHead(refusal?.status ?? 426, { ...refusal?.headers, connection: 'close' });
			res.end();
			return;
		}
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			let body: any;
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			} catch {
				body = undefined;
			}
			this.endpointCalls.push({ at: Date.now(), body, headers: req.headers });
			const script = this.endpointScript.shift() ?? 'ok';
			const reply =
				script === 'ok'
					? { status: 200, body: { code: 0, msg: 'ok', data: { URL: this.newUrl(), ClientConfig: this.clientConfig } } }
					: { status: script.status ?? 200, body: script.body };
			res.writeHead(reply.status, { 'content-type': 'application/json', connection: 'close' });
			res.end(JSON.stringify(reply.body));
		});
	}

	private newUrl(): string {
		const n = ++this.counter;
		return `${this.baseUrl.replace('http', 'ws')}/ws/v2?fpid=1&device_id=dev${n}&access_key=secretkey${n}&service_id=${700 + n}&ticket=tkt-${n}`;
	}

	private onUpgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
		const script = this.upgradeScript.shift() ?? 'accept';
		if (script !== 'accept') {
			this.refusals.set(req.url ?? '', { status: script.status, headers: script.headers ?? {} });
			const headers = Object.entries(script.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
			socket.end(`HTTP/1.1 ${script.status} Refused\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`);
			return;
		}
		const url = new URL(req.url ?? '/', 'http://x');
		this.wss.handleUpgrade(req, socket, head, (ws) => {
			const conn: MockConnection = { ws, deviceId: url.searchParams.get('device_id') ?? '', frames: [] };
			this.connections.push(conn);
			if (this.acceptThenClose) {
				ws.close();
				return;
			}
			ws.on('message', (data) => {
				const frame = decodeFrame(data as Buffer);
				conn.frames.push(frame);
				if (frame.method === 0 && getHeader(frame, 'type') === 'ping' && this.answerPings) {
					const payload = this.pongPayload?.();
					const pong = pongFrame(frame.service);
					if (payload !== undefined) pong.payload = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
					ws.send(encodeFrame(pong));
				}
			});
		});
	}
}

let seq = 100;

export function eventFrame(payload: string | Buffer, opts: { type?: string; sum?: number; seq?: number; messageId?: string; service?: number } = {}): Frame {
	return {
		SeqID: String(++seq),
		LogID: '9007199254740993', // above 2^53: must echo back exactly
		service: opts.service ?? 1,
		method: 1,
		headers: [
			{ key: 'type', value: opts.type ?? 'event' },
			{ key: 'message_id', value: opts.messageId ?? `msg-${seq}` },
			{ key: 'sum', value: String(opts.sum ?? 1) },
			{ key: 'seq', value: String(opts.seq ?? 0) },
			{ key: 'trace_id', value: `trace-${seq}` },
		],
		payload: Buffer.from(payload),
		LogIDNew: `new-${seq}`,
	};
}

export function v2Event(eventId: string, eventType = 'im.message.receive_v1', event: object = {}): string {
	return JSON.stringify({ schema: '2.0', header: { event_id: eventId, event_type: eventType, token: '' }, event });
}
