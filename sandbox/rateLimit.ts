// Sliding-window request counting per (app, API) in 100 ms buckets: cheap even when benchmarks raise
// the limits to millions, and strict like Feishu's gateway (both the per-second and per-minute window
// must have room).
const BUCKET_MS = 100;

interface Window {
	buckets: Map<number, number>;
}

export interface RateLimitVerdict {
	ok: boolean;
	limit?: number;
	resetSeconds?: number;
}

export class RateLimiter {
	private readonly windows = new Map<string, Window>();

	constructor(
		private readonly perSecond: number,
		private readonly perMinute: number,
	) {}

	hit(key: string, now = Date.now()): RateLimitVerdict {
		let w = this.windows.get(key);
		if (!w) {
			w = { buckets: new Map() };
			this.windows.set(key, w);
		}
		const current = Math.floor(now / BUCKET_MS);
		let second = 0;
		let minute = 0;
		let oldestSecond = current;
		let oldestMinute = current;
		for (const [b, n] of w.buckets) {
			if (b <= current - 600) {
				w.buckets.delete(b);
				continue;
			}
			minute += n;
			oldestMinute = Math.min(oldestMinute, b);
			if (b > current - 10) {
				second += n;
				oldestSecond = Math.min(oldestSecond, b);
			}
		}
		if (second >= this.perSecond) return { ok: false, limit: this.perSecond, resetSeconds: Math.max(1, Math.ceil(((oldestSecond + 10) * BUCKET_MS - now) / 1000)) };
		if (minute >= this.perMinute) return { ok: false, limit: this.perMinute, resetSeconds: Math.max(1, Math.ceil(((oldestMinute + 600) * BUCKET_MS - now) / 1000)) };
		w.buckets.set(current, (w.buckets.get(current) ?? 0) + 1);
		return { ok: true };
	}
}
