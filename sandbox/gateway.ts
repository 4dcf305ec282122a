// The long-connection gateway (docs/protocol.md, "Endpoint discovery" to "Client behaviour"): endpoint discovery, the single-use ws:// URL, the
// WebSocket upgrade (with Feishu's 514/403 refusals), ping/pong with ClientConfig, and event frames
// out / ack frames in. Which event goes where is decided by delivery.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { decodeFrame, encodeFrame, getHeader, pongFrame, FrameMethod, type Frame } from '../lib/feishu/frames';
import { hex, newUuid, randomUint63 } from './ids';
import type { SandboxLog } from './log';
import type { SandboxState } from './state';

export interface ClientConfig {
	PingInterval: number;
	ReconnectCount: number;
	ReconnectInterval: number;
	ReconnectNonce: number;
}

export interface GatewayConnection {
	id: string;
	appId: string;
	deviceId: string;
	serviceId: number;
	ws: WebSocket;
	open: boolean;
	connectedAt: number;
	closedAt?: number;
	/** silent_drop fault: the socket stays open but nothing is answered or sent. */
	silent: boolean;
	pings: number;
	lastPingAt?: number;
	nextSeq: number;
}

interface Ticket {
	appId: string;
	deviceId: string;
	serviceId: number;
	expiresAt: number;
}

export interface GatewayHooks {
	onOpen(conn: GatewayConnection): void;
	onDataFrame(conn: GatewayConnection, frame: Frame): void;
	onClose(conn: GatewayConnection): void;
}

export interface GatewayOptions {
	clientConfig: ClientConfig;
	maxConnectionsPerApp: number;
	baseUrl: () => string;
}

const TICKET_TTL_MS = 5 * 60_000;

interface Refusal {
	status: number;
	autherrcode: string;
	msg: string;
}
export const CONNECTION_LIMIT_AUTHERRCODE = '1000040350';

export class Gateway {
	readonly connections = new Map<string, GatewayConnection>();
	private readonly tickets = new Map<string, Ticket>();
	/** Refused tickets and their refusal, for probes (bounded: oldest dropped). */
	private readonly refusedTickets = new Map<string, { refusal: Refusal }>();
	private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
	private connCounter = 0;
	clientConfig: ClientConfig;

	constructor(
		private readonly state: SandboxState,
		private readonly log: SandboxLog,
		private readonly opts: GatewayOptions,
		private readonly hooks: GatewayHooks,
	) {
		this.clientConfig = { ...opts.clientConfig };
	}

	/** POST /callback/ws/endpoint body {AppID, AppSecret}: a fresh single-use URL and the ClientConfig. */
	endpoint(body: any, hostHeader?: string): { status: number; body: unknown } {
		const appId = typeof body?.AppID === 'string' ? body.AppID : '';
		const secret = typeof body?.AppSecret === 'string' ? body.AppSecret : '';
		const app = this.state.apps.get(appId);
		if (!appId || !secret) {
			this.state.stats.rejected_requests++;
			return { status: 200, body: { code: 1000040344, msg: 'AppID or AppSecret is empty', data: { URL: '' } } };
		}
		if (!app) {
			this.state.stats.rejected_requests++;
			this.log.warn(`ws endpoint: unknown app_id ${appId}`);
			return { status: 200, body: { code: 1000040346, msg: 'app_id is invalid', data: { URL: '' } } };
		}
		if (app.appSecret !== secret) {
			this.state.stats.rejected_requests++;
			this.log.warn(`ws endpoint: wrong app secret for ${appId}`);
			return { status: 200, body: { code: 1000040346, msg: 'app_secret is invalid', data: { URL: '' } } };
		}
		this.state.stats.endpoint_fetches[appId] = (this.state.stats.endpoint_fetches[appId] ?? 0) + 1;
		const deviceId = String(7_000_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e15)));
		const serviceId = 33_554_000 + Math.floor(Math.random() * 1000);
		const ticket = newUuid();
		this.tickets.set(ticket, { appId, deviceId, serviceId, expiresAt: Date.now() + TICKET_TTL_MS });
		// Dial back on the host the client used (the sandbox may listen on 0.0.0.0 or sit behind a name).
		const host = hostHeader && /^[\w.\-\[\]:]+$/.test(hostHeader) ? `ws://${hostHeader}` : this.opts.baseUrl().replace(/^http/, 'ws');
		const base = host;
		// Same parameter order as the real URL: device_id and service_id are never first (the Node SDK
		// parses the whole URL with querystring, so the first key would be unusable).
		const url = `${base}/ws/v2?fpid=493&aid=552564&device_id=${deviceId}&access_key=${hex(16)}&service_id=${serviceId}&ticket=${ticket}`;
		return { status: 200, body: { code: 0, msg: 'ok', data: { URL: url, ClientConfig: { ...this.clientConfig } } } };
	}

	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
		socket.on('error', () => undefined);
		let url: URL;
		try {
			url = new URL(req.url ?? '/', 'http://sandbox');
		} catch {
			return refuse(socket, 400, '', 'bad request');
		}
		if (url.pathname !== '/ws/v2') return refuse(socket, 404, '', 'not found');
		const ticketId = url.searchParams.get('ticket') ?? '';
		const verdict = this.verdict(url.searchParams, true);
		if ('refusal' in verdict) {
			const r = verdict.refusal;
			this.state.stats.refused_upgrades++;
			this.log.warn(`ws upgrade refused: ${r.status} ${r.autherrcode} ${r.msg}`);
			this.rememberRefusal(ticketId, r);
			return refuse(socket, r.status, r.autherrcode, r.msg);
		}
		this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, verdict.ticket));
	}

	/**
	 * A plain GET of a gateway URL (what a client on the WebSocket API does to learn why its upgrade
	 * was refused, since that API hides the answer): the same Handshake-* refusal the upgrade got or
	 * would get, or 426 Upgrade Required when the URL is good. Consumes nothing.
	 */
	answerProbe(query: URLSearchParams, res: ServerResponse): void {
		const verdict = this.refusedTickets.get(query.get('ticket') ?? '') ?? this.verdict(query, false);
		const refusal = 'refusal' in verdict ? verdict.refusal : undefined;
		if (!refusal) {
			res.writeHead(426, { connection: 'close', upgrade: 'websocket' });
			res.end();
			return;
		}
		res.writeHead(refusal.status, {
			connection: 'close',
			'Handshake-Status': String(refusal.status),
			'Handshake-Msg': refusal.msg,
			...(refusal.autherrcode ? { 'Handshake-Autherrcode': refusal.autherrcode } : {}),
		});
		res.end();
	}

	/** Feishu's checks of an upgrade, in order; `consume` uses up the ticket and a pending refusal fault. */
	private verdict(query: URLSearchParams, consume: boolean): { ticket: Ticket } | { refusal: Refusal } {
		const ticketId = query.get('ticket') ?? '';
		const ticket = this.tickets.get(ticketId);
		if (consume) this.tickets.delete(ticketId); // single use
		if (!ticket || ticket.expiresAt < Date.now() || query.get('device_id') !== ticket.deviceId) {
			// A 514 with an autherrcode other than 1000040350 is retryable for the SDKs: fetch a new URL.
			return { refusal: { status: 514, autherrcode: '1000040343', msg: 'ticket is invalid or expired' } };
		}
		const faults = this.state.faultsFor(ticket.appId);
		if (faults.refuseNextUpgrade) {
			const r = faults.refuseNextUpgrade;
			if (consume) faults.refuseNextUpgrade = undefined;
			return { refusal: { status: r.status, autherrcode: r.autherrcode ?? '', msg: r.msg ?? (r.status === 403 ? 'forbidden' : 'refused') } };
		}
		const open = this.openConnections(ticket.appId).length;
		if (open >= this.opts.maxConnectionsPerApp) {
			if (consume) this.log.warn(`ws upgrade refused for ${ticket.appId}: ${open} connections open (limit ${this.opts.maxConnectionsPerApp})`);
			return { refusal: { status: 514, autherrcode: CONNECTION_LIMIT_AUTHERRCODE, msg: 'the number of connections exceeded the limit' } };
		}
		return { ticket };
	}

	private rememberRefusal(ticketId: string, refusal: Refusal): void {
		if (!ticketId) return;
		if (this.refusedTickets.size >= 1000) this.refusedTickets.delete(this.refusedTickets.keys().next().value as string);
		this.refusedTickets.set(ticketId, { refusal });
	}

	private accept(ws: WebSocket, ticket: Ticket): void {
		const conn: GatewayConnection = {
			id: `conn_${++this.connCounter}`,
			appId: ticket.appId,
			deviceId: ticket.deviceId,
			serviceId: ticket.serviceId,
			ws,
			open: true,
			connectedAt: Date.now(),
			silent: false,
			pings: 0,
			nextSeq: 1,
		};
		this.connections.set(conn.id, conn);
		this.pruneClosed();
		this.log.info(`ws ${conn.id} connected for ${conn.appId} (device_id ${conn.deviceId}, ${this.openConnections(conn.appId).length} open)`);
		ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
		ws.on('error', () => undefined);
		ws.on('close', () => {
			if (!conn.open) return;
			conn.open = false;
			conn.closedAt = Date.now();
			this.log.info(`ws ${conn.id} closed for ${conn.appId}`);
			this.safely(() => this.hooks.onClose(conn));
		});
		this.safely(() => this.hooks.onOpen(conn));
	}

	private onMessage(conn: GatewayConnection, data: RawData, isBinary: boolean): void {
		if (conn.silent) return;
		const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
		let frame: Frame;
		try {
			if (!isBinary) throw new Error('text message (frames must be binary)');
			frame = decodeFrame(bytes);
		} catch (error) {
			this.state.stats.malformed_frames++;
			this.log.warn(`ws ${conn.id}: malformed frame ignored (${(error as Error).message})`);
			return;
		}
		const type = getHeader(frame, 'type');
		if (frame.method === FrameMethod.control) {
			if (type === 'ping') {
				conn.pings++;
				conn.lastPingAt = Date.now();
				this.state.stats.pings++;
				if (Number(frame.service) !== conn.serviceId) {
					this.log.warn(`ws ${conn.id}: ping with service ${frame.service}, expected ${conn.serviceId}`);
				}
				this.send(conn, pongFrame(conn.serviceId, this.clientConfig));
			}
			return;
		}
		if (frame.method === FrameMethod.data) {
			this.safely(() => this.hooks.onDataFrame(conn, frame));
			return;
		}
		this.state.stats.malformed_frames++;
		this.log.warn(`ws ${conn.id}: frame with unknown method ${frame.method} ignored`);
	}

	/** Sends one logical message as `sum` frames; returns the frame message_id and SeqIDs used. */
	sendPayload(conn: GatewayConnection, payload: Buffer, opts: { fragments?: number; fragmentBytes?: number; shuffle?: boolean; type?: string }): { messageId: string; seqIds: string[]; fragments: number } {
		const messageId = `${hex(8)}-${hex(4)}-${hex(4)}`;
		const traceId = hex(16);
		let parts: Buffer[];
		if (opts.fragments && opts.fragments > 1) {
			const n = Math.min(Math.floor(opts.fragments), payload.length, 1000);
			const size = Math.ceil(payload.length / n);
			parts = [];
			for (let i = 0; i < payload.length; i += size) parts.push(payload.subarray(i, i + size));
		} else if (opts.fragmentBytes && opts.fragmentBytes >= 16 && payload.length > opts.fragmentBytes) {
			parts = [];
			for (let i = 0; i < payload.length; i += opts.fragmentBytes) parts.push(payload.subarray(i, i + opts.fragmentBytes));
		} else {
			parts = [payload];
		}
		const frames = parts.map((part, seq) => {
			const seqId = String(conn.nextSeq++);
			const frame: Frame = {
				SeqID: seqId,
				LogID: randomUint63(),
				service: conn.serviceId,
				method: FrameMethod.data,
				headers: [
					{ key: 'type', value: opts.type ?? 'event' },
					{ key: 'message_id', value: messageId },
					{ key: 'sum', value: String(parts.length) },
					{ key: 'seq', value: String(seq) },
					{ key: 'trace_id', value: traceId },
				],
				payload: part,
			};
			return frame;
		});
		const order = opts.shuffle && frames.length > 1 ? shuffled(frames) : frames;
		for (const f of order) this.send(conn, f);
		return { messageId, seqIds: frames.map((f) => String(f.SeqID)), fragments: frames.length };
	}

	send(conn: GatewayConnection, frame: Frame): void {
		if (!conn.open || conn.silent || conn.ws.readyState !== WebSocket.OPEN) return;
		this.state.stats.frames_sent++;
		conn.ws.send(encodeFrame(frame), { binary: true }, () => undefined);
	}

	sendRaw(conn: GatewayConnection, bytes: Buffer): void {
		if (!conn.open || conn.ws.readyState !== WebSocket.OPEN) return;
		conn.ws.send(bytes, { binary: true }, () => undefined);
	}

	openConnections(appId?: string): GatewayConnection[] {
		return [...this.connections.values()].filter((c) => c.open && (!appId || c.appId === appId));
	}

	dropConnections(appId?: string, closeCode?: number): number {
		const conns = this.openConnections(appId);
		for (const c of conns) {
			if (closeCode && closeCode >= 1000 && closeCode < 5000 && closeCode !== 1005 && closeCode !== 1006) c.ws.close(closeCode, 'closed by the sandbox');
			else c.ws.terminate();
		}
		if (conns.length) this.log.info(`dropped ${conns.length} connection(s)${appId ? ` of ${appId}` : ''}`);
		return conns.length;
	}

	/** Keeps the history of closed connections bounded (long runs reconnect many times). */
	private pruneClosed(): void {
		if (this.connections.size <= 1000) return;
		for (const [id, c] of this.connections) {
			if (this.connections.size <= 800) break;
			if (!c.open) this.connections.delete(id);
		}
	}

	close(): void {
		for (const c of this.connections.values()) c.ws.terminate();
		this.wss.close();
	}

	private safely(fn: () => void): void {
		try {
			fn();
		} catch (error) {
			this.log.warn(`gateway handler error: ${(error as Error).stack ?? error}`);
		}
	}
}

export function refuse(socket: Duplex, status: number, autherrcode: string, msg: string): void {
	const lines = [
		`HTTP/1.1 ${status} ${status === 514 ? 'Auth Failed' : status === 403 ? 'Forbidden' : 'Error'}`,
		`Handshake-Status: ${status}`,
		`Handshake-Msg: ${msg}`,
		...(autherrcode ? [`Handshake-Autherrcode: ${autherrcode}`] : []),
		'Content-Length: 0',
		'Connection: close',
		'',
		'',
	];
	socket.end(lines.join('\r\n'));
}

function shuffled<T>(items: T[]): T[] {
	const out = [...items];
	// Reverse guarantees "out of order"; then shuffle the middle for variety.
	out.reverse();
	for (let i = out.length - 2; i > 1; i--) {
		const j = 1 + Math.floor(Math.random() * i);
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}
