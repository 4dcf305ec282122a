// One long connection to Feishu's event gateway (docs/ARCHITECTURE.md, "Inside n8n Cloud's rules"):
// endpoint discovery, pbbp2 frames, ping/pong, fragment reassembly, acks, reconnects and a liveness
// watchdog. Acks never wait for the consumer: events are acked as soon as they parse; only callbacks
// (card actions...) wait for the consumer's answer, bounded by a budget under Feishu's 3 s.
// The socket is Node's global WebSocket (Node 22+): n8n Cloud allows no other socket library.
import { type FeishuEnvelope, isCallbackEventType, parseEnvelope } from './envelope';
import { FragmentAssembler, type FragmentAssemblerOptions } from './fragments';
import { ackFrame, decodeFrame, encodeFrame, type Frame, FrameMethod, getHeader, pingFrame } from './frames';
import {
	DEFAULT_GATEWAY_TIMINGS,
	fetchGatewayEndpoint,
	type GatewayCredentials,
	type GatewayEndpoint,
	type GatewayTimings,
	parseClientConfig,
} from './gatewayEndpoint';
import { FeishuGatewayError, probeHandshakeRefusal } from './gatewayErrors';
import { redactGatewayUrl, redactSecrets } from './gatewayLog';
import { type GatewayStats, LatencySample } from './gatewayStats';
import { type FeishuLogger, silentLogger } from './logger';
import { after, delay, TIMED_OUT, type Timer, within } from './timers';

export interface GatewayEventContext {
	/** The frame's `type` header: `event`, or `card` (treated like an event). */
	frameType: string;
	/** True when Feishu expects an answer in the ack (card actions, link previews). */
	isCallback: boolean;
	/**
	 * With `consumerAcks`, plain events only: sends this event's ack (once; later calls and a closed
	 * socket do nothing). Not calling it leaves the event for Feishu to redeliver.
	 */
	ack?: () => void;
}

/** For callbacks the returned value (or promise) is the answer; undefined means "no answer". */
export type GatewayEventHandler = (envelope: FeishuEnvelope, context: GatewayEventContext) => unknown;

export interface GatewayClientOptions {
	credentials: GatewayCredentials;
	onEvent: GatewayEventHandler;
	/** The connection is lost for good (after start() resolved): refused, banned, retries exhausted. */
	onFatal?: (error: FeishuGatewayError) => void;
	logger?: FeishuLogger;
	/**
	 * How long a callback waits for an answer before acking `{}`. Default 2500, capped at 2900.
	 * A function is asked per callback (the hub uses the largest budget of its subscribers).
	 */
	callbackBudgetMs?: number | (() => number | undefined);
	/** Timings that win over Feishu's ClientConfig (tests, or operators who know better). */
	overrides?: Partial<GatewayTimings>;
	/** The watchdog fires after max(3 x ping interval, this) without any inbound frame. */
	livenessTimeoutMs?: number;
	/** Endpoint request timeout. Default 15 000 (as the node SDK). */
	httpTimeoutMs?: number;
	/** WebSocket opening handshake timeout. Default 15 000. */
	handshakeTimeoutMs?: number;
	fragments?: FragmentAssemblerOptions;
	/**
	 * Plain events are handed to `onEvent` at once, unacked, with `context.ack` to call when the
	 * consumer takes them (the hub paces bursts this way). Default: acked here, then handed over.
	 */
	consumerAcks?: boolean;
}

/** How long a callback waits for its answer by default (the trigger's option defaults to it too). */
export const DEFAULT_CALLBACK_BUDGET_MS = 2500;
/** Feishu gives callbacks 3 s end to end and then shows its timeout error; keep a margin for the network. */
export const MAX_CALLBACK_BUDGET_MS = 2900;
const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** WebSocket readyState values (the global class may be missing on old Node; see dial()). */
const OPEN = 1;
const CLOSED = 3;
/** How long close() waits for a dropped socket's close event before it stops waiting. */
const CLOSE_WAIT_MS = 1000;
/** No reconnect wait is shorter, whatever the timings (overrides included): the loop never spins. */
const MIN_RECONNECT_GAP_MS = 100;
/** The backoff stops doubling here (or at the interval, if that is longer). */
const MAX_RECONNECT_BACKOFF_MS = 10 * 60_000;
/**
 * A connection that closes sooner than this after opening without delivering an event has not
 * proved itself and counts as a failed attempt, so an accept-then-close gateway gets the backoff,
 * not a fresh schedule each time. (One that delivered events was working: a deliberate drop of it,
 * as a gateway restart does, starts Feishu's schedule afresh.)
 */
const STABLE_CONNECTION_MS = 5000;

type State = GatewayStats['state'];

function toGatewayError(error: unknown, stage: FeishuGatewayError['stage']): FeishuGatewayError {
	if (error instanceof FeishuGatewayError) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new FeishuGatewayError(`Feishu long connection failed: ${message}`, { retryable: true, stage, cause: error });
}

/**
 * The wait before the next reconnect attempt after `failures` failed attempts in a row. Feishu's
 * schedule (docs/protocol.md, "Reconnect policy"), floored and grown: none failed yet → random [0, nonce); one → the interval; then
 * the interval doubled per failure with equal jitter (half to all of it, never below the interval),
 * up to MAX_RECONNECT_BACKOFF_MS.
 */
export function reconnectDelayMs(timings: GatewayTimings, failures: number, random: () => number = Math.random): number {
	if (failures <= 0) return Math.max(MIN_RECONNECT_GAP_MS, random() * timings.reconnectNonceMs);
	const interval = Math.max(MIN_RECONNECT_GAP_MS, timings.reconnectIntervalMs);
	if (failures === 1) return interval;
	const grown = Math.min(Math.max(interval, MAX_RECONNECT_BACKOFF_MS), interval * 2 ** Math.min(failures - 1, 30));
	return Math.max(interval, grown / 2 + (random() * grown) / 2);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
	return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

export class GatewayClient {
	private readonly opts: GatewayClientOptions;
	private readonly logger: FeishuLogger;
	private readonly fragments: FragmentAssembler;
	private credentials: GatewayCredentials;
	private serverTimings: Partial<GatewayTimings> = {};
	private timings: GatewayTimings;
	private state: State = 'idle';
	/** Bumped by close(), fatal errors and each reconnect loop: anything from an older one stops. */
	private generation = 0;
	private ws: WebSocket | undefined;
	private serviceId = 0;
	private deviceId: string | undefined;
	private lastInboundAt = 0;
	private openedAt = 0;
	/** The current connection delivered an event (it works, however young). */
	private delivered = false;
	private lastAttemptAt = 0;
	/** Failed reconnect attempts in a row, connections that closed young included. */
	private failures = 0;
	private pingTimer: Timer | undefined;
	private watchdogTimer: Timer | undefined;
	/** Aborted (and replaced) when the socket is torn down: wakes every sleep and callback wait. */
	private wake = new AbortController();
	/** Per socket: runs its close handling now (terminate() does not wait for the close event). */
	private readonly closeHandlers = new WeakMap<WebSocket, (code: number) => void>();
	private endpointAbort: AbortController | undefined;
	private closing: Promise<void> | undefined;
	private readonly ackLatency = new LatencySample();
	private readonly counters = {
		connects: 0,
		reconnects: 0,
		reconnectAttempts: 0,
		framesIn: 0,
		events: 0,
		callbacks: 0,
		acks: 0,
		acksDropped: 0,
		malformed: 0,
		ignored: 0,
		pings: 0,
		pongs: 0,
		handlerErrors: 0,
		callbackTimeouts: 0,
		watchdogTerminations: 0,
	};
	private lastError: string | undefined;

	constructor(opts: GatewayClientOptions) {
		this.opts = opts;
		this.credentials = { ...opts.credentials };
		this.logger = opts.logger ?? silentLogger;
		this.fragments = new FragmentAssembler(opts.fragments);
		this.timings = { ...DEFAULT_GATEWAY_TIMINGS, ...opts.overrides };
	}

	/**
	 * Connects once. Resolves when the socket is open; rejects with FeishuGatewayError (Feishu's code
	 * and msg when it gave any) if that first attempt fails, retryable or not. After that, lost
	 * connections are retried in the background and only fatal ones reach `onFatal`.
	 */
	async start(): Promise<void> {
		if (this.state !== 'idle') throw new Error('GatewayClient.start() can only be called once');
		this.state = 'connecting';
		const gen = ++this.generation;
		try {
			await this.connectOnce(gen);
		} catch (error) {
			const err = toGatewayError(error, 'endpoint');
			this.lastError = err.message;
			// close() may have run meanwhile (TS cannot see that across the await).
			if ((this.state as State) !== 'closed') {
				this.state = 'closed';
				this.generation++;
				void this.teardownSocket();
			}
			throw err;
		}
	}

	/** Stops everything: no socket, timer or request is left behind once this resolves. */
	close(): Promise<void> {
		if (!this.closing) {
			this.state = 'closed';
			this.generation++;
			this.closing = this.teardownSocket();
		}
		return this.closing;
	}

	/** A newer secret for the same app (used from the next endpoint call on). */
	updateCredentials(creds: Partial<GatewayCredentials>): void {
		this.credentials = { ...this.credentials, ...creds };
	}

	get connected(): boolean {
		return this.state === 'connected' && this.ws?.readyState === OPEN;
	}

	stats(): GatewayStats {
		return {
			state: this.state,
			connected: this.connected,
			deviceId: this.deviceId,
			...this.counters,
			ackLatencyMs: this.ackLatency.summary(),
			fragmentsExpired: this.fragments.expired,
			lastError: this.lastError,
		};
	}

	/** Current effective timings (ClientConfig merged with overrides), for diagnostics and tests. */
	currentTimings(): GatewayTimings & { watchdogMs: number } {
		return { ...this.timings, watchdogMs: this.watchdogMs() };
	}

	// ---- connecting ----

	private async connectOnce(gen: number): Promise<void> {
		this.lastAttemptAt = Date.now();
		const abort = new AbortController();
		this.endpointAbort = abort;
		let endpoint: GatewayEndpoint;
		try {
			endpoint = await fetchGatewayEndpoint(this.credentials, { timeoutMs: this.opts.httpTimeoutMs, signal: abort.signal });
		} catch (error) {
			this.assertCurrent(gen); // aborted by close(): say so rather than "could not reach"
			throw error;
		} finally {
			if (this.endpointAbort === abort) this.endpointAbort = undefined;
		}
		this.assertCurrent(gen);
		this.applyTimings(endpoint.timings);
		await this.dial(endpoint, gen);
	}

	private assertCurrent(gen: number): void {
		if (gen !== this.generation) {
			throw new FeishuGatewayError('Feishu long connection was closed before it connected', {
				retryable: false,
				stage: 'connection',
			});
		}
	}

	private dial(endpoint: GatewayEndpoint, gen: number): Promise<void> {
		return new Promise((resolve, reject) => {
			const handshakeMs = this.opts.handshakeTimeoutMs ?? 15_000;
			if (typeof WebSocket !== 'function') {
				reject(
					new FeishuGatewayError('The Feishu long connection needs Node.js 22 or newer (its global WebSocket); upgrade the Node.js that runs n8n, or use webhook mode', {
						retryable: false,
						stage: 'handshake',
					}),
				);
				return;
			}
			let ws: WebSocket;
			try {
				ws = new WebSocket(endpoint.url);
			} catch (error) {
				reject(toGatewayError(error, 'handshake'));
				return;
			}
			ws.binaryType = 'arraybuffer';
			this.ws = ws;
			let opened = false;
			let closed = false;
			let socketError: Error | undefined;
			// A total deadline: an answer dripped a byte at a time would keep the handshake (and
			// start()) pending forever.
			let timedOut = false;
			const deadline = after(handshakeMs, () => {
				timedOut = true;
				this.terminate(ws);
			});
			ws.onerror = (event) => {
				const error = (event as { error?: unknown }).error;
				socketError = error instanceof Error ? error : new Error((event as { message?: string }).message || 'WebSocket error');
			};
			ws.onopen = () => {
				opened = true;
				deadline.cancel();
				if (gen !== this.generation || this.ws !== ws) {
					this.terminate(ws);
					reject(toGatewayError(new Error('closed while connecting'), 'handshake'));
					return;
				}
				this.onOpen(ws, endpoint);
				resolve();
			};
			ws.onmessage = (event) => {
				if (this.ws === ws) this.onMessage(ws, event.data as ArrayBuffer | string);
			};
			const onClosed = (code: number) => {
				if (closed) return;
				closed = true;
				if (opened) {
					if (this.ws === ws) this.onSocketLost(code, socketError);
					return;
				}
				deadline.cancel();
				if (this.ws === ws) this.ws = undefined;
				if (gen !== this.generation) return reject(toGatewayError(new Error('closed while connecting'), 'handshake'));
				if (timedOut) return reject(this.handshakeFailure(`opening handshake not complete within ${handshakeMs} ms`));
				const reason = redactSecrets(socketError?.message ?? `socket closed (${code})`, [this.credentials.appSecret]);
				// The WebSocket API hides a refused upgrade's status and headers, where Feishu says why
				// (Handshake-Status...): ask the same URL once more over HTTP to read them.
				void probeHandshakeRefusal(endpoint.url, Math.min(handshakeMs, 5000)).then((refusal) => {
					if (gen !== this.generation) reject(toGatewayError(new Error('closed while connecting'), 'handshake'));
					else reject(refusal ?? this.handshakeFailure(reason, socketError));
				});
			};
			this.closeHandlers.set(ws, onClosed);
			ws.onclose = (event) => onClosed(event.code);
		});
	}

	private handshakeFailure(reason: string, cause?: Error): FeishuGatewayError {
		return new FeishuGatewayError(`Could not open Feishu's long connection: ${reason}`, { retryable: true, stage: 'handshake', cause });
	}

	/**
	 * Drops a socket now. The WebSocket API has no terminate: close() starts a closing handshake a
	 * dead peer never answers, so the close handling runs at once instead of on the close event.
	 */
	private terminate(ws: WebSocket): void {
		try {
			ws.close();
		} catch {
			// already closing
		}
		this.closeHandlers.get(ws)?.(1006);
	}

	private onOpen(ws: WebSocket, endpoint: GatewayEndpoint): void {
		this.serviceId = endpoint.serviceId;
		this.deviceId = endpoint.deviceId;
		this.state = 'connected';
		this.counters.connects++;
		this.lastInboundAt = Date.now();
		this.openedAt = this.lastInboundAt;
		this.delivered = false;
		this.logger.info('Feishu long connection open', {
			appId: this.credentials.appId,
			url: redactGatewayUrl(endpoint.url),
			deviceId: endpoint.deviceId,
		});
		// Ping at once, then every PingInterval (docs/protocol.md, "Connect sequence"); the first pong brings the server's config.
		this.sendPing(ws);
		this.schedulePing(ws);
		this.armWatchdog(ws, this.watchdogMs());
	}

	private onSocketLost(code: number, error: Error | undefined): void {
		this.clearConnectionTimers();
		this.ws = undefined;
		if (this.state === 'closed') return;
		const reason = error ? redactSecrets(error.message, [this.credentials.appSecret]) : `close code ${code}`;
		this.lastError = `connection lost: ${reason}`;
		this.logger.warn('Feishu long connection lost; reconnecting', { appId: this.credentials.appId, deviceId: this.deviceId, reason });
		// Dying young without an event counts as a failed attempt (the backoff goes on); a proven
		// connection resets it.
		const proved = this.delivered || Date.now() - this.openedAt >= STABLE_CONNECTION_MS;
		this.failures = proved ? 0 : this.failures + 1;
		void this.reconnectLoop();
	}

	/** Feishu's schedule (docs/protocol.md, "Reconnect policy"), floored and backed off (reconnectDelayMs); ReconnectCount < 0 = forever. */
	private async reconnectLoop(): Promise<void> {
		const gen = ++this.generation;
		this.state = 'reconnecting';
		let attempts = 0;
		for (;;) {
			const cap = this.timings.reconnectCount;
			if (cap >= 0 && attempts >= cap) {
				this.fail(
					new FeishuGatewayError(`Feishu long connection lost; gave up after ${attempts} reconnect attempts (${this.lastError})`, {
						retryable: false,
						stage: 'reconnect',
					}),
				);
				return;
			}
			// Attempts start at least one interval apart (at least 1 s from the server), even after a
			// proven connection dropped at once: a gateway that delivers one event and closes gets no storm.
			const spacing = this.lastAttemptAt + Math.max(MIN_RECONNECT_GAP_MS, this.timings.reconnectIntervalMs) - Date.now();
			const wait = Math.max(reconnectDelayMs(this.timings, this.failures), spacing);
			if (!(await this.sleep(wait)) || gen !== this.generation) return;
			attempts++;
			this.counters.reconnectAttempts++;
			try {
				await this.connectOnce(gen);
				this.counters.reconnects++;
				this.logger.info('Feishu long connection re-established', { appId: this.credentials.appId, attempts });
				return;
			} catch (error) {
				if (gen !== this.generation) return;
				const err = toGatewayError(error, 'reconnect');
				this.lastError = err.message;
				if (!err.retryable) {
					this.fail(err);
					return;
				}
				this.failures++;
				this.logger.warn('Feishu long connection reconnect failed; will retry', {
					appId: this.credentials.appId,
					attempts,
					error: err.message,
				});
			}
		}
	}

	private fail(error: FeishuGatewayError): void {
		if (this.state === 'closed') return;
		this.state = 'closed';
		this.generation++;
		this.lastError = error.message;
		this.logger.error('Feishu long connection stopped', { appId: this.credentials.appId, error: error.message });
		void this.teardownSocket();
		try {
			this.opts.onFatal?.(error);
		} catch (callbackError) {
			this.logger.error('onFatal handler threw', { error: String(callbackError) });
		}
	}

	private teardownSocket(): Promise<void> {
		this.endpointAbort?.abort();
		this.endpointAbort = undefined;
		this.clearConnectionTimers();
		this.wake.abort();
		this.wake = new AbortController();
		this.fragments.clear();
		const ws = this.ws;
		this.ws = undefined;
		if (!ws || ws.readyState === CLOSED) return Promise.resolve();
		// Wait (briefly) for the close to reach the peer, so a closed client leaves no socket open.
		return new Promise((resolve) => {
			const timer = after(CLOSE_WAIT_MS, resolve);
			ws.addEventListener('close', () => {
				timer.cancel();
				resolve();
			});
			this.terminate(ws);
		});
	}

	/** Resolves true after `ms`, or false early if the client closes meanwhile. */
	private async sleep(ms: number): Promise<boolean> {
		const closed = () => this.state === 'closed';
		if (closed()) return false;
		return (await delay(ms, this.wake.signal)) && !closed();
	}

	// ---- timings, ping and watchdog ----

	private callbackBudgetMs(): number {
		const option = this.opts.callbackBudgetMs;
		const budget = typeof option === 'function' ? option() : option;
		const ms = typeof budget === 'number' && Number.isFinite(budget) ? budget : DEFAULT_CALLBACK_BUDGET_MS;
		return Math.max(0, Math.min(MAX_CALLBACK_BUDGET_MS, ms));
	}

	private applyTimings(fromServer: Partial<GatewayTimings>): void {
		this.serverTimings = { ...this.serverTimings, ...fromServer };
		this.timings = { ...DEFAULT_GATEWAY_TIMINGS, ...this.serverTimings, ...this.opts.overrides };
	}

	private watchdogMs(): number {
		return Math.max(3 * this.timings.pingIntervalMs, this.opts.livenessTimeoutMs ?? 0);
	}

	private sendPing(ws: WebSocket): void {
		if (ws.readyState !== OPEN) return;
		ws.send(encodeFrame(pingFrame(this.serviceId)));
		this.counters.pings++;
	}

	// A timeout chain rather than an interval, so a new PingInterval applies from the next tick.
	private schedulePing(ws: WebSocket): void {
		this.pingTimer = after(this.timings.pingIntervalMs, () => {
			this.sendPing(ws);
			this.schedulePing(ws);
		});
	}

	// Sockets can die without a close (sleep/wake, silent network loss). Any inbound frame
	// proves life; after the watchdog window without one, terminate, which triggers a reconnect.
	private armWatchdog(ws: WebSocket, delayMs: number): void {
		this.watchdogTimer = after(delayMs, () => {
			const limit = this.watchdogMs();
			const idle = Date.now() - this.lastInboundAt;
			if (idle < limit) return this.armWatchdog(ws, limit - idle);
			this.counters.watchdogTerminations++;
			this.logger.warn('Feishu long connection silent; terminating it', { appId: this.credentials.appId, idleMs: idle });
			this.terminate(ws);
		});
	}

	private clearConnectionTimers(): void {
		this.pingTimer?.cancel();
		this.watchdogTimer?.cancel();
		this.pingTimer = undefined;
		this.watchdogTimer = undefined;
	}

	// ---- inbound frames ----

	private onMessage(ws: WebSocket, data: ArrayBuffer | string): void {
		const receivedAt = performance.now();
		this.lastInboundAt = Date.now();
		this.counters.framesIn++;
		if (typeof data === 'string') return this.malformed('text WebSocket message');
		if (data.byteLength > MAX_FRAME_BYTES) {
			// No pbbp2 frame is that large (Feishu fragments big payloads): a broken or hostile peer.
			// Dropped like a WebSocket library's payload limit would: the connection, not a frame.
			this.logger.warn('Feishu long connection sent an oversized frame; reconnecting', { appId: this.credentials.appId, bytes: data.byteLength });
			this.terminate(ws);
			return;
		}
		let frame: Frame;
		try {
			frame = decodeFrame(new Uint8Array(data));
		} catch (error) {
			return this.malformed((error as Error).message);
		}
		const type = getHeader(frame, 'type');
		if (frame.method === FrameMethod.control) {
			if (type === 'pong') this.onPong(frame);
			else if (type !== 'ping') this.counters.ignored++;
			return;
		}
		if (frame.method !== FrameMethod.data) return this.malformed(`unknown frame method ${frame.method}`);
		if (type !== 'event' && type !== 'card') {
			this.counters.ignored++;
			return;
		}
		this.delivered = true;
		this.onData(ws, frame, type, receivedAt);
	}

	private onPong(frame: Frame): void {
		this.counters.pongs++;
		if (!frame.payload || frame.payload.length === 0) return;
		try {
			this.applyTimings(parseClientConfig(JSON.parse(Buffer.from(frame.payload).toString('utf8'))));
		} catch {
			this.malformed('pong payload is not JSON');
		}
	}

	private onData(ws: WebSocket, frame: Frame, frameType: string, receivedAt: number): void {
		let assembled;
		try {
			assembled = this.fragments.add(frame);
		} catch (error) {
			return this.malformed((error as Error).message);
		}
		if (!assembled.complete) return;
		// From here on the frame is well-formed, so it is always acked (with 200): an unusable payload
		// would otherwise be redelivered by Feishu again and again.
		let envelope: FeishuEnvelope;
		try {
			envelope = parseEnvelope(JSON.parse(assembled.payload.toString('utf8')));
		} catch (error) {
			this.malformed(`payload: ${(error as Error).message}`);
			this.ack(ws, assembled.frame, receivedAt);
			return;
		}
		const isCallback = frameType === 'card' || isCallbackEventType(envelope.eventType);
		const context: GatewayEventContext = { frameType, isCallback };
		if (!isCallback) {
			this.counters.events++;
			if (this.opts.consumerAcks) {
				context.ack = this.ackOnce(ws, assembled.frame, receivedAt);
				this.invoke(envelope, context);
				return;
			}
			this.ack(ws, assembled.frame, receivedAt);
			// send() wrote the ack already; the consumer runs after this turn.
			queueMicrotask(() => this.invoke(envelope, context));
			return;
		}
		this.counters.callbacks++;
		void this.answerCallback(ws, assembled.frame, receivedAt, envelope, context);
	}

	// Its own function, so the closure holds only what the ack needs: built inside onData it shared
	// onData's scope and kept the parsed event alive with it (measured: 100 KB events acked slower).
	private ackOnce(ws: WebSocket, frame: Frame, receivedAt: number): () => void {
		let acked = false;
		return () => {
			if (acked) return;
			acked = true;
			this.ack(ws, frame, receivedAt);
		};
	}

	private invoke(envelope: FeishuEnvelope, context: GatewayEventContext): unknown {
		try {
			const result = this.opts.onEvent(envelope, context);
			if (isPromiseLike(result)) {
				return Promise.resolve(result).catch((error) => {
					this.handlerError(error, envelope);
					return undefined;
				});
			}
			return result;
		} catch (error) {
			this.handlerError(error, envelope);
			return undefined;
		}
	}

	// Callbacks: the answer travels in the ack, so wait for it, but never past the budget (Feishu
	// shows the user error 200340 after 3 s). No answer, a late one or a failure all ack `{}`.
	private async answerCallback(
		ws: WebSocket,
		frame: Frame,
		receivedAt: number,
		envelope: FeishuEnvelope,
		context: GatewayEventContext,
	): Promise<void> {
		const answer = await within(Promise.resolve(this.invoke(envelope, context)), this.callbackBudgetMs(), this.wake.signal);
		if (answer === TIMED_OUT) this.counters.callbackTimeouts++;
		this.ack(ws, frame, receivedAt, answer === TIMED_OUT || answer === undefined ? {} : answer);
	}

	private ack(ws: WebSocket, frame: Frame, receivedAt: number, data?: unknown): void {
		if (ws.readyState !== OPEN) {
			this.counters.acksDropped++;
			return;
		}
		const bizRtMs = performance.now() - receivedAt;
		try {
			ws.send(encodeFrame(ackFrame(frame, { code: 200, bizRtMs, data })));
		} catch (error) {
			// e.g. an answer that cannot be serialised: still ack, without data.
			this.handlerError(error, undefined);
			ws.send(encodeFrame(ackFrame(frame, { code: 200, bizRtMs, data: data === undefined ? undefined : {} })));
		}
		this.counters.acks++;
		this.ackLatency.add(performance.now() - receivedAt);
	}

	private malformed(reason: string): void {
		this.counters.malformed++;
		this.logger.debug('Ignored malformed frame from Feishu', { appId: this.credentials.appId, reason });
	}

	private handlerError(error: unknown, envelope: FeishuEnvelope | undefined): void {
		this.counters.handlerErrors++;
		this.logger.error('Feishu event handler failed', {
			appId: this.credentials.appId,
			eventId: envelope?.eventId,
			eventType: envelope?.eventType,
			error: error instanceof Error ? error.message : String(error),
		});
	}
}
