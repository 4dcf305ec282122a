// Bitable's documented per-second budgets in the sandbox, driven by the official SDK (docs/protocol.md,
// "Bitable"): record search 20/s and batch_create 50/s per app, even when the sandbox's default budget is
// raised; past them HTTP 429, 99991400 with x-ogw-ratelimit-limit / -reset; each app has its own budget.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import type { Sandbox } from '../../sandbox/server';
import { control, sandbox } from '../helpers/sandbox';

const APPS = [
	{ appId: 'cli_e1e2c3d4e5f60718', appSecret: 'rate-one' },
	{ appId: 'cli_e2e2c3d4e5f60718', appSecret: 'rate-two' },
];
const QUIET = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

let sb: Sandbox;
let path: { app_token: string; table_id: string };
const clients: lark.Client[] = [];

before(async () => {
	// The default budget raised far above Bitable's: the documented ones still apply.
	sb = await sandbox({ apps: APPS, rateLimitPerSecond: 100_000, rateLimitPerMinute: 1_000_000 });
	const base = await control<{ app_token: string; tables: { table_id: string }[] }>(sb, 'POST', 'bitable/apps', { tables: [{ name: 'T', fields: [{ field_name: 'Name', type: 1 }] }] });
	path = { app_token: base.app_token, table_id: base.tables[0].table_id };
	for (const a of APPS) clients.push(new lark.Client({ appId: a.appId, appSecret: a.appSecret, domain: sb.baseUrl, logger: QUIET, loggerLevel: lark.LoggerLevel.error }));
	// Tokens first (the SDK fetches one per concurrent first call), then an empty budget window.
	for (const c of clients) await c.bitable.v1.appTableField.list({ path });
	await new Promise((r) => setTimeout(r, 1_100));
});
after(() => sb.close());

interface Refusal {
	response?: { status?: number; data?: { code?: number }; headers?: Record<string, string> };
}

async function burst(n: number, call: () => Promise<unknown>): Promise<{ ok: number; refused: Refusal[]; ms: number }> {
	const start = Date.now();
	const settled = await Promise.allSettled(Array.from({ length: n }, call));
	const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Refusal);
	return { ok: settled.length - refused.length, refused, ms: Date.now() - start };
}

/** Exactly `limit` let through when the burst fit in one second; a stalled machine may open the next second's room. */
function assertBudget(b: { ok: number; refused: Refusal[]; ms: number }, limit: number): void {
	if (b.ms < 900) assert.equal(b.ok, limit, `${b.ok} let through in ${b.ms} ms`);
	else assert.ok(b.ok >= limit && b.refused.length > 0, `${b.ok} let through, ${b.refused.length} refused in ${b.ms} ms`);
}

test('search: 20 per second per app, then 429 / 99991400 with the limit and reset headers; another app has its own 20', async () => {
	const first = await burst(30, () => clients[0].bitable.v1.appTableRecord.search({ path, data: {} }));
	assertBudget(first, 20);
	for (const r of first.refused) {
		assert.equal(r.response?.status, 429);
		assert.equal(r.response?.data?.code, 99991400);
		assert.equal(r.response?.headers?.['x-ogw-ratelimit-limit'], '20');
		assert.ok(Number(r.response?.headers?.['x-ogw-ratelimit-reset']) >= 1);
	}
	const other = await burst(20, () => clients[1].bitable.v1.appTableRecord.search({ path, data: {} }));
	assert.equal(other.ok, 20, 'the second app was not held back by the first');
});

test('batch_create: 50 per second per app, then 429 / 99991400 (nothing written by a refused request)', async () => {
	const made = await burst(55, () => clients[0].bitable.v1.appTableRecord.batchCreate({ path, data: { records: [{ fields: { Name: 'r' } }] } }));
	assertBudget(made, 50);
	assert.ok(made.refused.every((r) => r.response?.status === 429 && r.response.data?.code === 99991400 && r.response.headers?.['x-ogw-ratelimit-limit'] === '50'));
	const stored = await control<{ records: unknown[] }>(sb, 'GET', `bitable/apps/${path.app_token}/tables/${path.table_id}/records`);
	assert.equal(stored.records.length, made.ok, 'a refused request wrote nothing');
});
