// n8n queue mode (Redis + PostgreSQL, one main, two workers, our package on all of them), part of
// `npm test` (about 1.5 min for both versions, plus the Debian packages once); FEISHU_TEST_QUEUE=0
// leaves it out for quick local runs (docs/queue-mode.md).
// - FEISHU_QUEUE_EVENTS (default 1,000) long-connection events: each processed exactly once,
//   counted from PostgreSQL's execution_entity / execution_data, and the workers ran them; the
//   main's health routes and executions list answer 200 throughout.
// - webhook mode through the main: the challenge passes and every event is answered by the echo
//   workflow running on the workers.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { untilCount, waitFor } from '../helpers/waitFor';
import { APP, control, createSandboxCredential, echoWebhook, LONG_RUN_CLIENT_CONFIG, sleep, startQuietSandbox, triggerOnly } from './harness';
import { monitorHealth } from '../../scripts/n8n/healthMonitor';
import { selectedVersions } from '../../scripts/n8n/install';
import { type QueueCluster, startQueueCluster } from '../../scripts/queue/cluster';
import type { Sandbox } from '../../sandbox/server';
import { nodeOutput } from '../../scripts/n8n/boot';
import type { Rig } from './harness';
import { buttonsOf, cardIn, click, executionOf, untilWaiting, valueOf, waitWorkflow } from './waitCards';

const enabled = process.env.FEISHU_TEST_QUEUE !== '0';
const EVENTS = Number(process.env.FEISHU_QUEUE_EVENTS ?? 1000);
const versions = enabled ? selectedVersions() : [];

/** waitFor at a pace n8n's REST API and the sandbox can take. */
const until = <T>(what: string, fn: () => T | Promise<T>, timeoutMs: number, everyMs = 500) => waitFor(what, fn, timeoutMs, everyMs);

if (!enabled) {
	test('queue mode (left out: FEISHU_TEST_QUEUE=0)', { skip: true }, () => undefined);
}

for (const version of versions) {
	describe(`n8n ${version} in queue mode: main + 2 workers, Redis, PostgreSQL`, { timeout: 3_600_000 }, () => {
		let sandbox: Sandbox;
		let cluster: QueueCluster;
		let credential: { id: string; name: string };
		const rig = () => ({ sandbox });
		before(async () => {
			sandbox = await startQuietSandbox({
				clientConfig: LONG_RUN_CLIENT_CONFIG,
				rateLimitPerSecond: 1e6,
				rateLimitPerMinute: 1e7,
				undeliveredTtlMs: 120_000,
			});
			cluster = await startQueueCluster({ version, workers: 2, log: (l) => process.stderr.write(`[queue] ${l}\n`) });
			credential = await createSandboxCredential(cluster.main, sandbox.baseUrl);
		});
		after(async () => {
			await cluster?.stop();
			await sandbox?.close();
		});
		beforeEach(async () => {
			const state = await cluster.main.ensureHealthy();
			if (state !== 'healthy') process.stderr.write(`[queue] the main was not healthy before this test: ${state}\n`);
		});

		test(`${EVENTS} long-connection events are each processed exactly once, on the workers; the main answers throughout`, async (t) => {
			const wf = await cluster.main.createWorkflow(triggerOnly('queue: exactly once'), { credentials: { feishuApi: credential } });
			await cluster.main.activate(wf.id);
			await until('one long connection', async () => (await control<{ connections: { open: boolean }[] }>(rig(), 'GET', `connections?app_id=${APP.appId}`)).connections.filter((c) => c.open).length === 1, 60_000);
			const health = monitorHealth(cluster.main);
			t.after(() => health.stop());
			const t0 = Date.now();
			const sent: string[] = [];
			let next = 0;
			await Promise.all(
				Array.from({ length: 8 }, async () => {
					while (next < EVENTS) {
						const i = next++;
						sent.push((await control<{ message_id: string }>(rig(), 'POST', `chats/oc_queue_${i % 20}/messages`, { text: `queue ${i}` })).message_id);
					}
				}),
			);
			const count = () => Number(cluster.sql(`select count(*) from execution_entity where "workflowId" = '${wf.id}' and finished = true`)[0][0]);
			await untilCount('finished executions in PostgreSQL', count, EVENTS, {
				timeoutMs: EVENTS * 1000 + 60_000,
				detail: () => [`--- main ---\n${cluster.main.logs(3000)}`, ...cluster.workerLogs().map((l, i) => `--- worker ${i + 1} ---\n${l.slice(-1500)}`)].join('\n'),
			});
			const seconds = (Date.now() - t0) / 1000;
			const report = await health.stop();
			await sleep(3000);
			// Which message each execution ran for, from the stored run data.
			const rows = cluster.sql(`select e.id, e.status, d.data from execution_entity e join execution_data d on d."executionId" = e.id where e."workflowId" = '${wf.id}'`);
			const perMessage = new Map<string, number>();
			for (const [, status, data] of rows) {
				assert.equal(status, 'success');
				for (const id of new Set(data.match(/om_[0-9a-zA-Z]+/g) ?? [])) perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
			}
			const lost = sent.filter((id) => !perMessage.has(id));
			const dup = sent.filter((id) => (perMessage.get(id) ?? 0) > 1);
			const started = cluster.workerLogs().map((l) => (l.match(/Worker started execution/g) ?? []).length);
			process.stderr.write(`[queue] ${EVENTS} events: ${rows.length} executions, ${lost.length} lost, ${dup.length} duplicated, workers ran ${started.join(' + ')}, drained in ${seconds.toFixed(0)} s (${(EVENTS / seconds).toFixed(1)}/s); main health: ${report.probes} probes, ${report.failures.length} not 200, slowest ${report.slowestMs} ms\n`);
			assert.deepEqual(report.failures.slice(0, 10), [], `the main stopped answering (${report.failures.length} of ${report.probes} probes)`);
			assert.equal(rows.length, EVENTS);
			assert.deepEqual(lost, []);
			assert.deepEqual(dup, []);
			assert.ok(started.every((n) => n > 0), `both workers ran executions (${started.join(', ')})`);
			assert.ok(!/Worker started execution/.test(cluster.main.logs(100_000)), 'the main ran none itself');
			await cluster.main.deactivate(wf.id);
		});

		test('webhook mode through the main: challenge, then every event answered by the workers', async () => {
			const wh = echoWebhook('queue: echo (webhook)');
			const wf = await cluster.main.createWorkflow(wh.wf, { credentials: { feishuApi: credential } });
			await cluster.main.activate(wf.id);
			const put = await control(rig(), 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url: cluster.main.webhookUrl(wh.path) });
			assert.equal(put.challenge_passed, true, JSON.stringify(put));
			const asked: string[] = [];
			for (let i = 0; i < 20; i++) asked.push((await control<{ message_id: string }>(rig(), 'POST', 'chats/oc_queue_webhook/messages', { text: `hook ${i}` })).message_id);
			const replies = await until(
				'20 replies',
				async () => {
					const msgs = (await control<{ messages: { from: string; parent_id?: string; content: any }[] }>(rig(), 'GET', 'chats/oc_queue_webhook/messages')).messages;
					const r = msgs.filter((m) => m.from === 'bot' && m.parent_id && asked.includes(m.parent_id));
					return r.length >= 20 ? r : undefined;
				},
				120_000,
			);
			assert.equal(new Set(replies.map((r) => r.parent_id)).size, 20, 'one reply per message');
			assert.equal(replies.length, 20, 'no duplicate reply');
			for (const r of replies) assert.match(String(r.content?.text), /^Echo: hook \d+$/);
			await control(rig(), 'PUT', `apps/${APP.appId}/delivery`, { mode: 'long_connection' });
			await cluster.main.deactivate(wf.id);
		});

		test('Send and Wait: the card is sent from a worker, the click comes to the main\'s trigger and resumes the execution on a worker', async (t) => {
			// A worker cannot see the main's triggers, so the card is asked for explicitly (Answer On: Feishu Card).
			const wf = await cluster.main.createWorkflow(waitWorkflow('queue: send and wait', { message: 'Deploy?', responseType: 'approval', options: { answerOn: 'feishu' } }), { credentials: { feishuApi: credential } });
			await cluster.main.activate(wf.id);
			t.after(() => cluster.main.deactivate(wf.id).catch(() => undefined));
			await until('one long connection', async () => (await control<{ connections: { open: boolean }[] }>(rig(), 'GET', `connections?app_id=${APP.appId}`)).connections.filter((c) => c.open).length === 1, 60_000);
			const waitRig = { sandbox, n8n: cluster.main } as unknown as Rig;
			await control(rig(), 'POST', 'chats/oc_queue_wait/messages', { text: 'deploy' });
			const card = await cardIn(waitRig, 'oc_queue_wait');
			const [approve] = buttonsOf(card.content);
			const id = executionOf(approve);
			await untilWaiting(waitRig, id);
			const answered = await click(waitRig, card.message_id, { value: valueOf(approve), name: approve.name });
			assert.equal(answered.answer?.toast?.content, 'Approved');
			await until('the execution finished', async () => (await cluster.main.api<{ status: string }>('GET', `/executions/${id}`)).status === 'success', 60_000);
			const execution = await cluster.main.api<any>('GET', `/executions/${id}?includeData=true`);
			assert.equal(nodeOutput(execution, 'After')[0].data.approved, true);
			const starts = cluster.workerLogs().join('\n').split(`started execution ${id} `).length - 1;
			assert.ok(starts >= 2, `the workers ran it ${starts} times (sent, then resumed)`);
			assert.ok(!new RegExp(`started execution ${id} `).test(cluster.main.logs(100_000)), 'the main ran none of it');
		});
	});
}
