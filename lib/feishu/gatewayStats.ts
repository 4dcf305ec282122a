// Counters of one long connection, and a small latency sample for acks (receipt -> ack sent).

export interface LatencySummary {
	count: number;
	p50: number;
	p99: number;
	max: number;
}

/** Keeps the last `capacity` samples; percentiles are computed on demand. */
export class LatencySample {
	private readonly samples: number[] = [];
	private next = 0;
	private total = 0;

	constructor(private readonly capacity = 1000) {}

	add(ms: number): void {
		this.total++;
		if (this.samples.length < this.capacity) this.samples.push(ms);
		else {
			this.samples[this.next] = ms;
			this.next = (this.next + 1) % this.capacity;
		}
	}

	summary(): LatencySummary {
		if (this.samples.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
		const sorted = [...this.samples].sort((a, b) => a - b);
		const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
		const round = (n: number) => Math.round(n * 1000) / 1000;
		return { count: this.total, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
	}
}

export interface GatewayStats {
	state: 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';
	connected: boolean;
	/** device_id of the current (or last) gateway URL. */
	deviceId?: string;
	/** Successful socket opens, the first one included. */
	connects: number;
	/** Successful reconnects after a lost connection. */
	reconnects: number;
	reconnectAttempts: number;
	framesIn: number;
	events: number;
	callbacks: number;
	acks: number;
	/** Acks not sent because the socket was gone by then (Feishu redelivers those). */
	acksDropped: number;
	ackLatencyMs: LatencySummary;
	/** Frames that could not be used: not binary, not pbbp2, bad fragments, non-JSON payloads. */
	malformed: number;
	/** Well-formed frames of a kind we do not handle. */
	ignored: number;
	pings: number;
	pongs: number;
	handlerErrors: number;
	/** Callbacks acked with an empty answer because no answer came within the budget. */
	callbackTimeouts: number;
	watchdogTerminations: number;
	fragmentsExpired: number;
	lastError?: string;
}
