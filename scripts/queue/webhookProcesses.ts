// `n8n webhook` processes for a queue cluster (scripts/queue/cluster.ts): n8n's own way to scale
// webhook intake. Each takes the main's environment, encryption key and user folder (so it loads
// our package), with its own port; it receives production webhook calls and queues the runs for
// the workers, as the main does. Several of them behind a load balancer is how teams that outgrow
// one process run n8n, and where a Feishu retry can land on another process than the first push.
import fs from 'node:fs';
import path from 'node:path';
import { ensureN8n } from '../n8n/install';
import { freePort, spawnTracked, stopTracked } from '../n8n/processes';
import type { QueueCluster } from './cluster';

export interface WebhookProcesses {
	/** Base URL of each process (http://127.0.0.1:<port>). */
	urls: string[];
	logs(): string[];
	stop(): Promise<void>;
}

export async function startWebhookProcesses(cluster: QueueCluster, version: string, count: number): Promise<WebhookProcesses> {
	const install = await ensureN8n(version);
	const mainEnv = (cluster.main as unknown as { environment(): NodeJS.ProcessEnv }).environment();
	const started: { child: ReturnType<typeof spawnTracked>; url: string; logFile: string }[] = [];
	const stop = async () => {
		for (const p of started.splice(0)) await stopTracked(p.child, 15_000).catch(() => undefined);
	};
	try {
		for (let i = 0; i < count; i++) {
			const port = await freePort();
			const logFile = path.join(cluster.main.userFolder, `webhook-${i}.log`);
			const out = fs.openSync(logFile, 'a');
			const child = spawnTracked(install.nodeExec, [install.n8nBin, 'webhook'], {
				cwd: cluster.main.userFolder,
				env: {
					...mainEnv,
					N8N_PORT: String(port),
					N8N_RUNNERS_BROKER_PORT: String(await freePort()),
					N8N_EVENTBUS_LOGWRITER_LOGBASENAME: `n8nEventLog-webhook-${i}`,
				},
				stdio: ['ignore', out, out],
			});
			fs.closeSync(out);
			started.push({ child, url: `http://127.0.0.1:${port}`, logFile });
		}
		for (const p of started) {
			const deadline = Date.now() + 120_000;
			for (;;) {
				// /healthz answers before the webhooks are registered; this line comes after.
				if (fs.readFileSync(p.logFile, 'utf8').includes('Webhook listener waiting for requests')) break;
				if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`n8n webhook process on ${p.url} did not start:\n${fs.readFileSync(p.logFile, 'utf8').slice(-3000)}`);
				await new Promise((r) => setTimeout(r, 300));
			}
		}
		return { urls: started.map((p) => p.url), logs: () => started.map((p) => fs.readFileSync(p.logFile, 'utf8')), stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
