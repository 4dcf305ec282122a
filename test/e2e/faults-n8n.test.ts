// Fault suite against a real n8n with our package (sandbox in this process, n8n as a child, n8n's
// default settings: no concurrency limit of its own):
// - FEISHU_FAULT_EVENTS events (default 10,000, about 4 min) sent as fast as 8 senders go, with 20
//   forced disconnects while they flow and platform redelivery on: every event runs exactly one
//   execution (counted from n8n's executions, matched by message id): zero lost, zero duplicates;
//   and n8n keeps answering throughout (its health routes and the executions list: zero non-200s),
//   because the trigger paces the burst (Parallel Processing Limit, default 10 runs in flight).
// - a workflow that takes 10 s: the events are acked at the 2 s ack deadline and never redelivered.
// - FEISHU_FAULT_CYCLES (default 200) activate/deactivate cycles: no connection left open.
// - n8n at debug log level never logs a secret (app secret, Encrypt Key, verification token,
//   tenant tokens, gateway ticket or access key) through all of the above plus an API call.
// Runs on the first selected n8n version only (FEISHU_E2E_VERSIONS; default 2.41.1 first).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { nodeOutput } from '../../scripts/n8n/boot';
import { monitorHealth } from '../../scripts/n8n/healthMonitor';
import { selectedVersions } from '../../scripts/n8n/install';
import { waitFor, untilCount } from '../helpers/waitFor';
import { APP, control, echoLongConnection, LONG_RUN_CLIENT_CONFIG, type Rig, sleep, startRig, triggerOnly } from './harness';

const EVENTS = Number(process.env.FEISHU_FAULT_EVENTS ?? 10_000);
const DISCONNECTS = 20;
const CYCLES = Number(process.env.FEISHU_FAULT_CYCLES ?? 200);
const version = selectedVersions()[0];

async function openConnections(rig: Rig): Promise<number> {
	const { connections } = await control<{ connections: { open: boolean }[] }>(rig, 'GET', `connections?app_id=${APP.appId}`);
	return connections.filter((c) => c.open).length;
}

/** Finished executions of a workflow, counted by n8n (internal REST, one request). */
async function finishedCount(rig: Rig, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId, status: ['success', 'error', 'crashed', 'canceled'] }));
	const page = await rig.n8n.rest<{ count: number }>('GET', `/rest/executions?filter=${filter}&limit=1`);
	return page.count;
}

/** waitFor at a pace n8n's REST API and the sandbox can take. */
const until = <T>(what: string, fn: () => T | Promise<T>, timeoutMs: number, everyMs = 250) => waitFor(what, fn, timeoutMs, everyMs);

describe(`n8n ${version}: fault suite`, { timeout: 3_600_000 }, () => {
	let rig: Rig;
	before(async () => {
		rig = await startRig(
			version,
			{ clientConfig: LONG_RUN_CLIENT_CONFIG, rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7, ackTimeoutMs: 3000, undeliveredTtlMs: 120_000 },
			// Debug logs for the secrets check; no pruning so every execution of the long run stays
			// countable. No N8N_CONCURRENCY_PRODUCTION_LIMIT: with it n8n still records every queued
			// execution as it arrives, and a burst took SQLite down ("Database is not ready", measured);
			// pacing the burst is the trigger's job.
			{ N8N_LOG_LEVEL: 'debug', EXECUTIONS_DATA_PRUNE: 'false' },
		);
	});
	after(async () => {
		await rig?.close();
	});
	// Each test starts from an n8n that answers (restarted if it does not) and a sandbox with no faults
	// and no backlog, whatever the one before did (a failed burst leaves thousands of events queued
	// that would flood the next test's connection).
	beforeEach(async () => {
		const state = await rig.n8n.ensureHealthy();
		if (state !== 'healthy') console.log(`[faults] n8n was not healthy before this test: ${state}`);
		await control(rig, 'POST', 'reset');
	});

	test(`${EVENTS} events with ${DISCONNECTS} forced disconnects and redelivery on: every event runs exactly once`, async (t) => {
		const wf = await rig.n8n.createWorkflow(triggerOnly('faults: exactly once'), { credentials: { feishuApi: rig.credential } });
		await rig.n8n.activate(wf.id);
		t.after(() => rig.n8n.deactivate(wf.id).catch(() => undefined));
		await until('the long connection', async () => (await openConnections(rig)) === 1, 30_000);
		await control(rig, 'POST', 'faults', { redelivery: true });
		const health = monitorHealth(rig.n8n);
		t.after(() => health.stop());
		const t0 = Date.now();
		const sent: string[] = [];
		let next = 0;
		let drops = 0;
		let dropped = '';
		const every = Math.max(1, Math.floor(EVENTS / (DISCONNECTS + 1)));
		await Promise.all(
			Array.from({ length: 8 }, async () => {
				while (next < EVENTS) {
					const i = next++;
					// Drop the connection 20 times while events are in flight (each time once the client is
					// back: a drop while it reconnects would be a no-op). The other senders keep going.
					if (i > 0 && i % every === 0 && drops < DISCONNECTS) {
						drops++;
						// A new connection, not the one dropped last (the sandbox marks that closed a moment later).
						const live = await until(
							'the client to be connected again',
							async () => (await control<{ connections: { id: string; open: boolean }[] }>(rig, 'GET', `connections?app_id=${APP.appId}`)).connections.find((c) => c.open && c.id !== dropped),
							60_000,
							20,
						);
						dropped = live.id;
						await control(rig, 'POST', 'faults', { drop_connections: true });
					}
					const r = await control<{ message_id: string }>(rig, 'POST', `chats/oc_faults_${i % 50}/messages`, { text: `event ${i}` });
					sent.push(r.message_id);
				}
			}),
		);
		assert.equal(drops, DISCONNECTS);
		const sentSeconds = (Date.now() - t0) / 1000;
		await untilCount('executions', () => finishedCount(rig, wf.id), EVENTS, { timeoutMs: EVENTS * 500 + 120_000 });
		const drainSeconds = (Date.now() - t0) / 1000;
		const report = await health.stop();
		// A little longer: a duplicate would show up after the last redelivery timeout.
		await sleep(5000);
		const executions = await rig.n8n.executions(wf.id, { includeData: true });
		const perMessage = new Map<string, number>();
		for (const e of executions) {
			assert.equal(e.status, 'success', `execution ${e.id} ${e.status}`);
			for (const item of nodeOutput(e, 'Feishu Trigger')) perMessage.set(item.message_id, (perMessage.get(item.message_id) ?? 0) + 1);
		}
		const lost = sent.filter((id) => !perMessage.has(id));
		const duplicated = [...perMessage.entries()].filter(([, n]) => n > 1);
		const stats = await control(rig, 'GET', 'stats');
		const conns = (await control<{ connections: unknown[] }>(rig, 'GET', `connections?app_id=${APP.appId}`)).connections.length;
		console.log(
			`[faults] ${EVENTS} events, ${drops} disconnects, ${conns} connections in all: ${executions.length} executions, ${lost.length} lost, ${duplicated.length} duplicated, ` +
				`${stats.deliveries_redelivered ?? '?'} deliveries redelivered by the sandbox (of the last ${stats.deliveries}); sent in ${sentSeconds.toFixed(0)} s, ` +
				`drained in ${drainSeconds.toFixed(0)} s (${(EVENTS / drainSeconds).toFixed(1)} events/s); n8n health: ${report.probes} probes, ${report.failures.length} not 200, slowest ${report.slowestMs} ms`,
		);
		assert.deepEqual(report.failures.slice(0, 10), [], `n8n stopped answering during the burst (${report.failures.length} of ${report.probes} probes)`);
		assert.equal(lost.length, 0, `lost: ${lost.slice(0, 5).join(', ')}`);
		assert.equal(duplicated.length, 0, `duplicated: ${duplicated.slice(0, 5).join(', ')}`);
		assert.equal(executions.length, EVENTS);
		assert.ok(conns >= DISCONNECTS + 1, `the client reconnected after every drop (${conns} connections)`);
		await rig.n8n.deactivate(wf.id);
		await until('the connection to close', async () => (await openConnections(rig)) === 0, 15_000);
	});

	test('a workflow that takes 10 s: events acked at the 2 s deadline, inside Feishu\'s 3 s, none redelivered', async (t) => {
		const wait = { parameters: { amount: 10, unit: 'seconds' }, id: randomUUID(), name: 'Wait 10 s', type: 'n8n-nodes-base.wait', typeVersion: 1.1, position: [260, 0], webhookId: randomUUID() };
		const wf = await rig.n8n.createWorkflow(triggerOnly('faults: slow', [wait]), { credentials: { feishuApi: rig.credential } });
		await rig.n8n.activate(wf.id);
		t.after(() => rig.n8n.deactivate(wf.id).catch(() => undefined));
		await until('the long connection', async () => (await openConnections(rig)) === 1, 30_000);
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push((await control<{ event_id: string }>(rig, 'POST', 'chats/oc_faults_slow/messages', { text: `slow ${i}` })).event_id);
		// Past the 3 s ack timeout, while every run is still waiting.
		await sleep(5000);
		for (const id of ids) {
			const [d] = (await control<{ deliveries: any[] }>(rig, 'GET', `deliveries?event_id=${id}`)).deliveries;
			assert.ok(d, `delivery of ${id}`);
			assert.equal(d.acked, true, `${id} acked`);
			assert.equal(d.redelivered, false, `${id} not redelivered`);
			assert.equal(d.attempts.length, 1);
			// Held while n8n had the run going, then acked at the deadline (a protocol rule: < 3 s).
			assert.ok(d.attempts[0].ack_latency_ms >= 1900 && d.attempts[0].ack_latency_ms < 3000, `${id} acked in ${d.attempts[0].ack_latency_ms} ms`);
		}
		const done = await rig.n8n.waitForExecutions(wf.id, 5, { timeoutMs: 60_000 });
		assert.equal(done.length, 5);
		for (const e of done) {
			assert.equal(e.status, 'success');
			assert.ok(new Date(e.stoppedAt!).getTime() - new Date(e.startedAt).getTime() >= 9_000, 'the run really took ~10 s');
		}
		await rig.n8n.deactivate(wf.id);
	});

	test(`${CYCLES} activate/deactivate cycles leave no connection open`, async () => {
		const wf = await rig.n8n.createWorkflow(triggerOnly('faults: cycles'), { credentials: { feishuApi: rig.credential } });
		await until('no other connection open', async () => (await openConnections(rig)) === 0, 30_000);
		const before = (await control<{ connections: unknown[] }>(rig, 'GET', `connections?app_id=${APP.appId}`)).connections.length;
		for (let i = 0; i < CYCLES; i++) {
			await rig.n8n.activate(wf.id);
			await until('the long connection', async () => (await openConnections(rig)) === 1, 30_000, 50);
			await rig.n8n.deactivate(wf.id);
			await until('no open connection', async () => (await openConnections(rig)) === 0, 15_000, 50);
		}
		const total = (await control<{ connections: unknown[] }>(rig, 'GET', `connections?app_id=${APP.appId}`)).connections.length;
		assert.equal(total - before, CYCLES, 'one connection per activation');
		assert.equal(await openConnections(rig), 0);
	});

	test('no secret in n8n debug logs after connects, reconnects, events and an API call', async (t) => {
		// An API call through the Feishu node (token fetch + reply), then a reconnect while active.
		const wf = await rig.n8n.createWorkflow(echoLongConnection('faults: echo'), { credentials: { feishuApi: rig.credential } });
		await rig.n8n.activate(wf.id);
		t.after(() => rig.n8n.deactivate(wf.id).catch(() => undefined));
		await until('the long connection', async () => (await openConnections(rig)) === 1, 30_000);
		const asked = await control<{ message_id: string }>(rig, 'POST', 'chats/oc_faults_echo/messages', { text: 'secret check' });
		await until(
			'the echo reply',
			async () => (await control<{ messages: any[] }>(rig, 'GET', 'chats/oc_faults_echo/messages')).messages.find((m) => m.parent_id === asked.message_id),
			30_000,
		);
		await control(rig, 'POST', 'faults', { drop_connections: true });
		await until('a reconnect', async () => (await openConnections(rig)) === 1, 30_000);
		await rig.n8n.deactivate(wf.id);

		const log = fs.readFileSync(path.join(rig.n8n.userFolder, 'n8n-output.log'), 'utf8');
		assert.ok(/debug/i.test(log) && log.length > 10_000, 'n8n logged at debug level');
		for (const secret of [APP.appSecret, APP.encryptKey!, APP.verificationToken!]) {
			assert.equal(log.includes(secret), false, `a secret (${secret.slice(0, 4)}…) is in n8n's log`);
		}
		assert.deepEqual(log.match(/t-g[0-9a-f]{20,}/g) ?? [], [], 'a tenant token is in the log');
		assert.deepEqual(log.match(/(ticket|access_key)=(?!<redacted>|…)[^&\s"']+/g) ?? [], [], 'a gateway ticket or access key is in the log');
	});
});
