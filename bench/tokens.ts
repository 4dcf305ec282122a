// Benchmark 4a, token economy: tenant_access_token fetches per 1,000 Open API calls, counted by the
// sandbox (its token endpoint). Ours: FeishuApiClient (lib/feishu/apiClient.ts) sending 1,000 text
// messages, 10 in flight, through fresh client objects every 100 calls (as n8n creates one per
// node execution). Reference: the official SDK's Client doing the same sends.
import * as lark from '@larksuiteoapi/node-sdk';
import { performance } from 'node:perf_hooks';
import { FeishuApiClient } from '../lib/feishu/apiClient';
import { startSandbox, type Sandbox } from '../sandbox/server';

export interface TokenReport {
	calls: number;
	ours: { tokenFetches: number; failures: number; callsPerSec: number };
	official: { tokenFetches: number; failures: number; callsPerSec: number };
}

const APP = { appId: 'cli_c1c2c3d4e5f60718', appSecret: 'bench-token-secret' };

async function tokenFetches(sandbox: Sandbox): Promise<number> {
	const res = await fetch(`${sandbox.baseUrl}/_sandbox/stats`);
	const stats = (await res.json()) as { token_fetches: Record<string, number> };
	return stats.token_fetches[APP.appId] ?? 0;
}

async function inParallel(count: number, width: number, fn: (i: number) => Promise<void>): Promise<number> {
	let next = 0;
	let failures = 0;
	await Promise.all(
		Array.from({ length: width }, async () => {
			while (next < count) {
				const i = next++;
				try {
					await fn(i);
				} catch {
					failures++;
				}
			}
		}),
	);
	return failures;
}

export async function runTokenBench(calls = 1_000): Promise<TokenReport> {
	const run = async (kind: 'ours' | 'official') => {
		const sandbox = await startSandbox({ port: 0, quiet: true, apps: [APP], rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7 });
		try {
			const creds = { ...APP, baseUrl: sandbox.baseUrl };
			// A user writes to the bot first, so the chat exists and the bot is in it.
			await fetch(`${sandbox.baseUrl}/_sandbox/chats/oc_token_bench/messages`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ app_id: APP.appId, text: 'hello' }),
			});
			const official = new lark.Client({ appId: APP.appId, appSecret: APP.appSecret, domain: sandbox.baseUrl, loggerLevel: lark.LoggerLevel.error });
			let ours = new FeishuApiClient(creds);
			const t0 = performance.now();
			const failures = await inParallel(calls, 10, async (i) => {
				const content = JSON.stringify({ text: `token bench ${i}` });
				if (kind === 'ours') {
					if (i % 100 === 0) ours = new FeishuApiClient(creds);
					await ours.request({ method: 'POST', path: '/open-apis/im/v1/messages', query: { receive_id_type: 'chat_id' }, body: { receive_id: 'oc_token_bench', msg_type: 'text', content } });
				} else {
					const r = await official.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_token_bench', msg_type: 'text', content } });
					if (r.code !== 0) throw new Error(`code ${r.code}`);
				}
			});
			const ms = performance.now() - t0;
			return { tokenFetches: await tokenFetches(sandbox), failures, callsPerSec: (calls / ms) * 1000 };
		} finally {
			await sandbox.close();
		}
	};
	return { calls, ours: await run('ours'), official: await run('official') };
}

if (require.main === module) {
	void runTokenBench().then((r) => console.log(JSON.stringify(r)));
}
