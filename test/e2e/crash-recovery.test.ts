// Lose nothing, against a real n8n with our package (long connection, the echo example, the sandbox
// redelivering what it saw no ack for every 3 s, as Feishu's rule has it):
// - FEISHU_CRASH_EVENTS events (default 2,000) sent as fast as 8 senders go, and n8n killed with
//   kill -9 three times: just after the first acks, in the middle of the executions, and while the
//   redeliveries arrive right after a restart. Afterwards every event has at least one execution in
//   n8n's list (finished or crashed, n8n's own model) but for at most 0.5% on an overloaded machine
//   (deadline acks; see the assertion), and no event has two replies in the chat.
// - on every selected n8n version, a graceful restart followed by Feishu pushing the already-run
//   events again: no second reply; no second execution on n8n 2.x (the deduplication key the
//   trigger passes to emit); on n8n 1.x (the ids the trigger keeps in the workflow's static data,
//   saved by n8n on each emit) only events whose runs ended after the last save may run again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Execution, nodeOutput } from '../../scripts/n8n/boot';
import { selectedVersions } from '../../scripts/n8n/install';
import { untilCount, waitFor } from '../helpers/waitFor';
import { chatMessages, control, echoLongConnection, LONG_RUN_CLIENT_CONFIG, openConnections, type Rig, sleep, startRig } from './harness';

const EVENTS = Number(process.env.FEISHU_CRASH_EVENTS ?? 2000);
const CHATS = 20;

// Redeliveries every 3 s for as long as a drain can take; events pushed while n8n is down wait for
// its connection. No pruning, so every execution stays countable.
const SANDBOX = { clientConfig: LONG_RUN_CLIENT_CONFIG, rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7, ackTimeoutMs: 3000, maxRedeliveries: 1000, undeliveredTtlMs: 600_000 };
const N8N_ENV = { EXECUTIONS_DATA_PRUNE: 'false' };

/** The message ids an execution ran for: from the trigger's output, or, for an execution that
 * crashed before its first node ran, from the data n8n stored to start it. */
function messageIdsOf(execution: Execution): string[] {
	const ran = nodeOutput(execution, 'Feishu Trigger').map((json) => json.message_id as string);
	if (ran.length > 0) return ran;
	const stack: any[] = execution.data?.executionData?.nodeExecutionStack ?? [];
	return stack.flatMap((entry) => (entry.data?.main?.[0] ?? []).map((item: any) => item.json?.message_id as string)).filter(Boolean);
}

/** Executions of the workflow in any state, counted by n8n (internal REST, one request). */
async function executionCount(rig: Rig, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	return (await rig.n8n.rest<{ count: number }>('GET', `/rest/executions?filter=${filter}&limit=1`)).count;
}

async function deliveryStats(rig: Rig): Promise<{ deliveries: number; deliveries_acked: number }> {
	return control(rig, 'GET', 'stats');
}

/** Bot replies per user message, over every chat the test used. */
async function repliesPerMessage(rig: Rig): Promise<Map<string, number>> {
	const replies = new Map<string, number>();
	for (let c = 0; c < CHATS; c++) {
		for (const m of await chatMessages(rig, `oc_crash_${c}`)) {
			if (m.from === 'bot' && m.parent_id) replies.set(m.parent_id, (replies.get(m.parent_id) ?? 0) + 1);
		}
	}
	return replies;
}

async function restartAndReconnect(rig: Rig): Promise<void> {
	await rig.n8n.start();
	await waitFor('the long connection back', async () => (await openConnections(rig)).length >= 1, 120_000);
}

const [first] = selectedVersions();

describe(`n8n ${first}: kill -9 during a ${EVENTS}-event burst`, { timeout: 3_600_000 }, () => {
	let rig: Rig;
	before(async () => {
		rig = await startRig(first, SANDBOX, N8N_ENV);
	});
	after(async () => {
		await rig?.close();
	});

	test('every acked event has an execution; no event is answered twice', async () => {
		const wf = await rig.n8n.createWorkflow(echoLongConnection('crash: echo'), { credentials: { feishuApi: rig.credential } });
		await rig.n8n.activate(wf.id);
		await waitFor('the long connection', async () => (await openConnections(rig)).length === 1, 30_000);
		await control(rig, 'POST', 'faults', { redelivery: true });

		const sent: string[] = [];
		let next = 0;
		const senders = Promise.all(
			Array.from({ length: 8 }, async () => {
				while (next < EVENTS) {
					const i = next++;
					const r = await control<{ message_id: string }>(rig, 'POST', `chats/oc_crash_${i % CHATS}/messages`, { text: `event ${i}` });
					sent.push(r.message_id);
				}
			}),
		);
		const kills: string[] = [];
		// 1. Just after the first acks (runs have begun to end; most events are still arriving).
		await waitFor('the first acks', async () => (await deliveryStats(rig)).deliveries_acked >= 5, 60_000, 20);
		await rig.n8n.crash();
		kills.push(`after ${(await deliveryStats(rig)).deliveries_acked} acks`);
		await restartAndReconnect(rig);
		// 2. In the middle of the executions.
		const middle = Math.floor(EVENTS / 2);
		await waitFor('half the executions', async () => (await executionCount(rig, wf.id)) >= middle, EVENTS * 500, 250);
		await rig.n8n.crash();
		kills.push(`at ${await deliveryStats(rig).then((s) => s.deliveries_acked)} acks, mid-executions`);
		// 3. While the redeliveries of everything left unacked arrive right after the restart.
		await restartAndReconnect(rig);
		await sleep(1500);
		await rig.n8n.crash();
		kills.push('1.5 s after a restart, redeliveries arriving');
		await restartAndReconnect(rig);
		await senders;
		assert.equal(sent.length, EVENTS);

		// Drained: the sandbox holds no unacked event and n8n's count stopped moving.
		await untilCount('acked deliveries', async () => (await deliveryStats(rig)).deliveries_acked, (await deliveryStats(rig)).deliveries, { timeoutMs: EVENTS * 500 + 120_000 });
		let count = -1;
		await waitFor(
			'the execution count to settle',
			async () => {
				const now = await executionCount(rig, wf.id);
				const settled = now === count;
				count = now;
				return settled;
			},
			120_000,
			3000,
		);
		const executions = await rig.n8n.executions(wf.id, { includeData: true });
		const perMessage = new Map<string, number>();
		const statuses = new Map<string, number>();
		// A run killed while n8n was writing it can be listed (crashed) with no data to read its
		// event from (seen once in 2,000): it is an execution all the same, just not attributable.
		let unreadable = 0;
		for (const e of executions) {
			statuses.set(e.status, (statuses.get(e.status) ?? 0) + 1);
			const ids = messageIdsOf(e);
			if (ids.length === 0) unreadable++;
			for (const id of ids) perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
		}
		const replies = await repliesPerMessage(rig);
		const lost = sent.filter((id) => !perMessage.has(id));
		const ranTwice = [...perMessage.values()].filter((n) => n > 1).length;
		const doubled = [...replies.entries()].filter(([, n]) => n > 1);
		const unanswered = sent.filter((id) => !replies.has(id)).length;
		console.log(
			`[crash] ${EVENTS} events, kill -9 ${kills.join('; ')}: ${executions.length} executions (${[...statuses].map(([s, n]) => `${n} ${s}`).join(', ')}), ` +
				`${lost.length} events without a readable one, ${unreadable} crashed executions with no data, ${ranTwice} run twice; ${replies.size} answered, ${doubled.length} answered twice, ${unanswered} unanswered (their run crashed)`,
		);
		// Not zero on an overloaded machine: an event acked at its deadline (2 s after arrival, 1 s
		// after its start) is lost if n8n had not written its execution by then and is killed before
		// it does (fresh-clone CI runs, load average 5 to 7.6: 1, 2 and 4 of 2,000; on a quieter
		// machine 0 of 2,000 and 0 of 600 on both versions). Executions listed without data count.
		const bound = Math.ceil(EVENTS * 0.005);
		assert.ok(lost.length - unreadable <= bound, `events acked but never run: ${lost.length} (more than ${bound}): ${lost.slice(0, 5).join(', ')} (${unreadable} executions without data)`);
		assert.ok(executions.length >= EVENTS, `${executions.length} executions for ${EVENTS} events`);
		assert.deepEqual(doubled.slice(0, 5), [], 'events answered twice');
	});
});

for (const version of selectedVersions()) {
	describe(`n8n ${version}: graceful restart, then Feishu pushes the run events again`, { timeout: 600_000 }, () => {
		let rig: Rig;
		before(async () => {
			rig = await startRig(version, SANDBOX, N8N_ENV);
		});
		after(async () => {
			await rig?.close();
		});

		test('no second reply; no second execution (1.x: at most the runs that ended after the last emit)', async () => {
			const wf = await rig.n8n.createWorkflow(echoLongConnection('restart: echo'), { credentials: { feishuApi: rig.credential } });
			await rig.n8n.activate(wf.id);
			await waitFor('the long connection', async () => (await openConnections(rig)).length === 1, 30_000);
			const events: { event_id: string; message_id: string }[] = [];
			for (let i = 0; i < 50; i++) events.push(await control(rig, 'POST', `chats/oc_crash_${i % CHATS}/messages`, { text: `before ${i}` }));
			await rig.n8n.waitForExecutions(wf.id, 50, { timeoutMs: 120_000 });
			await waitFor('50 replies', async () => (await repliesPerMessage(rig)).size === 50, 60_000);

			await rig.n8n.restart();
			await waitFor('the long connection back', async () => (await openConnections(rig)).length === 1, 120_000);
			for (const e of events) await control(rig, 'POST', `deliveries/${e.event_id}/again`);
			const fresh = await control<{ message_id: string }>(rig, 'POST', 'chats/oc_crash_0/messages', { text: 'after the restart' });
			// The new event runs (so the connection is live), the 50 pushed before it do not.
			await rig.n8n.waitForExecutions(wf.id, 51, { timeoutMs: 60_000 });
			await untilCount('acked deliveries', async () => (await deliveryStats(rig)).deliveries_acked, 50 + 50 + 1, { timeoutMs: 60_000 });
			await sleep(3000);
			const executions = await rig.n8n.executions(wf.id, { includeData: true });
			const replies = await repliesPerMessage(rig);
			const ranAgain = executions.length - 51;
			console.log(`[restart ${version}] 50 events pushed again after a graceful restart: ${executions.length} executions in all (50 before, 1 new, ${ranAgain} run again), ${replies.size} messages answered`);
			if (rig.n8n.major >= 2) assert.equal(ranAgain, 0, 'only the new event ran');
			// The ids of runs that ended after the last save are not kept (measured: 10 and 14 of 50).
			else assert.ok(ranAgain >= 0 && ranAgain < 50, `${ranAgain} of 50 run again: the saved ids stopped the rest`);
			assert.ok(executions.some((e) => messageIdsOf(e).includes(fresh.message_id)));
			assert.deepEqual([...replies.values()].filter((n) => n > 1), [], 'no second reply');
			assert.equal(replies.size, 51);
		});
	});
}


