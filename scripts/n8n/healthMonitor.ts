// Polls a running n8n while something loads it (a burst of Feishu events): its health route and the
// editor's executions list, one probe after the other, and counts every answer that is not a 200
// (a timeout counts as 0). n8n that answers 503 "Database is not ready" is down for its users.
import type { N8n } from './boot';

export interface HealthReport {
	probes: number;
	/** Probes that did not answer 200 within the timeout, with what they got (0 = no answer). */
	failures: { route: string; status: number; atMs: number }[];
	slowestMs: number;
}

export const HEALTH_ROUTES = ['/healthz', '/healthz/readiness', '/rest/executions?limit=1'];

export function monitorHealth(n8n: N8n, opts: { everyMs?: number; timeoutMs?: number } = {}): { stop(): Promise<HealthReport> } {
	const report: HealthReport = { probes: 0, failures: [], slowestMs: 0 };
	const t0 = Date.now();
	let running = true;
	const loop = (async () => {
		while (running) {
			for (const route of HEALTH_ROUTES) {
				const at = Date.now();
				const status = await n8n.probe(route, opts.timeoutMs ?? 10_000);
				report.probes++;
				report.slowestMs = Math.max(report.slowestMs, Date.now() - at);
				if (status !== 200) report.failures.push({ route, status, atMs: at - t0 });
			}
			await new Promise((r) => setTimeout(r, opts.everyMs ?? 500));
		}
	})();
	return {
		async stop() {
			running = false;
			await loop;
			return report;
		},
	};
}
