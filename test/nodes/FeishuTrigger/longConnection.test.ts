// The real Feishu Trigger node, long-connection mode, driven through a minimal ITriggerFunctions
// against the in-process sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { hasCallbackReceiver, hubStats } from '../../../lib/feishu';
import { APP_ID, APP_SECRET, control, deliveries, openConnections, sleep, startTestSandbox, waitFor } from '../../helpers/hubSandbox';
import { createTriggerHarness, runManual } from '../../helpers/triggerContext';
import type { Sandbox } from '../../../sandbox/server';

let sandbox: Sandbox;
// The explicit .ts: without it the resolver picks FeishuTrigger.node.json (the codex file).
const { FeishuTrigger } = require('../../../nodes/FeishuTrigger/FeishuTrigger.node.ts') as typeof import('../../../nodes/FeishuTrigger/FeishuTrigger.node');
const node = new FeishuTrigger();

before(async () => {
	sandbox = await startTestSandbox();
});
after(async () => {
	await sandbox.close();
});

function credentials(appSecret = APP_SECRET) {
	return { appId: APP_ID, appSecret, domain: 'custom', baseUrl: sandbox.baseUrl };
}

type HarnessExtra = { mode?: 'trigger' | 'manual'; appSecret?: string; workflowId?: string; holdRuns?: boolean; emitWithoutKey?: boolean; staticData?: IDataObject };

function harness(parameters: IDataObject = {}, extra: HarnessExtra = {}) {
	return createTriggerHarness({ node, parameters, credentials: credentials(extra.appSecret), ...extra });
}

function say(chatId: string, body: IDataObject): Promise<{ message_id: string; event_id: string }> {
	return control(sandbox, 'POST', `chats/${chatId}/messages`, body);
}

async function noConnectionsLeft() {
	await waitFor('all connections closed', async () => (await openConnections(sandbox)).length === 0);
	assert.equal(hubStats().apps.length, 0, 'the hub holds no connection');
}

test('receives a message, shaped, with the dedupe key; close leaves no connection', async () => {
	const h = harness();
	const { closeFunction } = await h.run();
	try {
		assert.equal((await openConnections(sandbox)).length, 1);
		const sent = await say('oc_lc_1', { text: 'hello there' });
		const [first] = await h.waitForEmits(1);
		assert.equal(first.json.event_type, 'im.message.receive_v1');
		assert.equal(first.json.event_id, sent.event_id);
		assert.equal(first.json.message_id, sent.message_id);
		assert.equal(first.json.chat_id, 'oc_lc_1');
		assert.equal(first.json.text, 'hello there');
		assert.deepEqual(first.json.content, { text: 'hello there' });
		assert.equal(first.json.schema, '2.0');
		assert.equal((first.json.header as IDataObject).event_id, sent.event_id);
		// n8n's unique index is global: the key names workflow and node so sibling workflows all run
		assert.equal(first.deduplicationKey, `feishu:wf-1:node-1:${sent.event_id}`);
		// n8n resolves it at the end of every run (the end of a queue-mode run, too).
		assert.ok(first.response, 'plain events carry a response promise');
	} finally {
		await closeFunction!();
	}
	await noConnectionsLeft();
});

test('an event is acked only once n8n has finished its run (the done promise settles)', async () => {
	const h = harness({}, { holdRuns: true });
	const { closeFunction } = await h.run();
	try {
		const sent = await say('oc_lc_held', { text: 'held until n8n holds it' });
		const [run] = await h.waitForEmits(1);
		await sleep(200);
		const [before] = await deliveries(sandbox, sent.event_id);
		assert.equal(before.acked, false, 'not acked while n8n has not finished the run');
		run.done!.resolve({} as never);
		const [afterDone] = await waitFor('acked once the run ended', async () => {
			const d = await deliveries(sandbox, sent.event_id);
			return d[0]?.acked ? d : undefined;
		});
		assert.equal(afterDone.attempts.length, 1, 'inside the 3 s: never redelivered');
	} finally {
		await closeFunction!();
	}
	await noConnectionsLeft();
});

test('n8n 1.x (emit without a key): an event run before a restart is not run again after it; 2.x leaves it to n8n', async () => {
	const params = { events: [], customEventTypes: 'custom.restart_v1' };
	const push = (eventId?: string) =>
		control(sandbox, 'POST', 'events', { event_type: 'custom.restart_v1', event: { note: 'restart' }, event_id: eventId }) as Promise<{ event_id: string }>;
	const staticData: IDataObject = {};
	const before = harness(params, { emitWithoutKey: true, staticData });
	let closed = await before.run();
	const sent = await push();
	await before.waitForEmits(1);
	await closed.closeFunction!();
	await noConnectionsLeft();
	assert.match(String((staticData.node as IDataObject).recentFeishuEventIds), /^[0-9a-f]{16}\./, 'the id is in the static data n8n 1.x saves on emit');
	// "After the restart": a new trigger over the same saved static data and a fresh hub; Feishu
	// pushes the event again (same event_id), then a new one.
	const afterRestart = harness(params, { emitWithoutKey: true, staticData });
	closed = await afterRestart.run();
	try {
		await push(sent.event_id);
		const fresh = await push();
		const [run] = await afterRestart.waitForEmits(1);
		assert.equal(run.json.event_id, fresh.event_id, 'only the new event runs');
		await sleep(300);
		assert.equal(afterRestart.emitted.length, 1, 'the event pushed again did not run again');
	} finally {
		await closed.closeFunction!();
	}
	await noConnectionsLeft();
	// n8n 2.x: no static data is written (n8n's own key does the job).
	const modern: IDataObject = {};
	const h = harness(params, { staticData: modern });
	closed = await h.run();
	try {
		await push();
		await h.waitForEmits(1);
		assert.equal((modern.node as IDataObject | undefined)?.recentFeishuEventIds, undefined);
	} finally {
		await closed.closeFunction!();
	}
	await noConnectionsLeft();
});

test('Parallel Processing Limit 2: a burst of 6 runs two at a time, the next starting when n8n finishes one', async () => {
	const h = harness({ options: { maxConcurrentRuns: 2 } }, { holdRuns: true });
	const { closeFunction } = await h.run();
	try {
		const sent = await Promise.all(Array.from({ length: 6 }, (_, i) => say('oc_lc_paced', { text: `paced ${i}` })));
		await h.waitForEmits(2);
		await waitFor('four events waiting', () => hubStats().apps[0]?.pacing.waiting === 4);
		assert.equal(h.emitted.length, 2, 'two runs in flight, the rest wait');
		for (let done = 0; done < 6; done++) {
			// n8n settles the emit's done promise when the run has finished.
			h.emitted[done].done!.resolve({} as never);
			await h.waitForEmits(Math.min(6, done + 3));
		}
		assert.deepEqual(h.emitted.map((e) => e.json.event_id).sort(), sent.map((s) => s.event_id).sort(), 'each event ran once');
		assert.equal(hubStats().apps[0].pacing.waited, 4);
	} finally {
		for (const e of h.emitted) e.done?.resolve({} as never);
		await closeFunction!();
	}
	await noConnectionsLeft();
});

test('queue mode: a run whose done promise never settles is finished by its response promise', async () => {
	// n8n's queue-mode main resolves the response promise on the worker's job-finished message,
	// while the done promise waits on Bull's job.finished(), which can miss the completion for good.
	const h = harness({ options: { maxConcurrentRuns: 1 } }, { holdRuns: true });
	const { closeFunction } = await h.run();
	try {
		await Promise.all(Array.from({ length: 3 }, (_, i) => say('oc_lc_queue', { text: `queue ${i}` })));
		for (let finished = 0; finished < 3; finished++) {
			await h.waitForEmits(finished + 1);
			assert.equal(h.emitted.length, finished + 1, 'one run at a time');
			h.emitted[finished].response!.resolve({});
		}
		await waitFor('nothing in flight', () => hubStats().apps[0]?.pacing.inFlight === 0);
	} finally {
		for (const e of h.emitted) e.done?.resolve({} as never);
		await closeFunction!();
	}
	await noConnectionsLeft();
});

test('filters: group + @mention gating, p2p and bot messages dropped; a sibling trigger on "Any Event" sees them all', async () => {
	const strict = harness({ messageFilters: { chatType: 'group', onlyWhenMentioned: true } });
	const any = harness({ events: ['*'], messageFilters: { ignoreBotMessages: false } });
	const a = await strict.run();
	const b = await any.run();
	try {
		assert.equal((await openConnections(sandbox)).length, 1, 'two triggers, one connection');
		await say('oc_lc_p2p', { text: 'direct' });
		await say('oc_lc_grp', { text: 'no mention', chat_type: 'group' });
		await control(sandbox, 'POST', 'events', {
			event_type: 'im.message.receive_v1',
			event: {
				sender: { sender_id: { open_id: 'ou_other_bot' }, sender_type: 'app' },
				message: { message_id: 'om_botmsg', chat_id: 'oc_lc_grp', chat_type: 'group', message_type: 'text', content: '{"text":"@_user_1 from a bot"}', mentions: [{ key: '@_user_1', id: { open_id: 'ou_sandbox_bot_0000000000000000000' }, name: 'Sandbox Bot' }] },
			},
		});
		const passing = await say('oc_lc_grp', { text: '@Sandbox Bot deploy now', chat_type: 'group', mention_bot: true });
		await any.waitForEmits(4);
		const [only] = await strict.waitForEmits(1);
		await sleep(100);
		assert.equal(strict.emitted.length, 1, 'p2p, unmentioned and bot-sent messages were dropped');
		assert.equal(only.json.event_id, passing.event_id);
		assert.equal(only.json.is_bot_mentioned, true);
		assert.equal(only.json.text, '@Sandbox Bot deploy now');
		assert.equal(only.json.text_without_bot_mention, 'deploy now');
		assert.deepEqual(
			any.emitted.map((e) => e.json.chat_type),
			['p2p', 'group', 'group', 'group'],
		);
	} finally {
		await a.closeFunction!();
		await b.closeFunction!();
	}
	await noConnectionsLeft();
});

test('three triggers on one app: one connection, every trigger gets every event once', async () => {
	const hs = [harness({}, { workflowId: 'wf-a' }), harness({}, { workflowId: 'wf-b' }), harness({}, { workflowId: 'wf-c' })];
	const responses = await Promise.all(hs.map((h) => h.run()));
	try {
		assert.equal((await openConnections(sandbox)).length, 1);
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push((await say('oc_lc_3', { text: `m${i}` })).event_id);
		for (const h of hs) {
			await h.waitForEmits(5);
			assert.deepEqual(h.emitted.map((e) => e.json.event_id), ids);
		}
		assert.equal(hubStats().apps[0].subscribers, 3);
		// distinct n8n deduplication keys, or n8n would run only the first workflow's execution
		assert.equal(new Set(hs.map((h) => h.emitted[0].deduplicationKey)).size, 3);
	} finally {
		await Promise.all(responses.map((r) => r.closeFunction!()));
	}
	await noConnectionsLeft();
});

test('card action: the workflow answer goes back to Feishu; no answer within the budget gives {}', async () => {
	const h = harness({ events: ['card.action.trigger'], options: { callbackBudgetMs: 400 } });
	const { closeFunction } = await h.run();
	let answerNext: ((e: (typeof h.emitted)[number]) => void) | undefined;
	const ctx = h.ctx as unknown as { emit: (...a: unknown[]) => void };
	const record = ctx.emit;
	ctx.emit = (...args: unknown[]) => {
		record(...args);
		answerNext?.(h.emitted[h.emitted.length - 1]);
	};
	try {
		const msg = await say('oc_lc_card', { text: 'card host' });
		// "Respond to Card Action" as n8n's full-response shape
		answerNext = (e) => e.response!.resolve({ body: { toast: { type: 'success', content: 'Approved' } }, headers: {}, statusCode: 200 });
		const clicked = await control(sandbox, 'POST', `cards/${msg.message_id}/click`, { value: { choice: 'approve' } });
		assert.deepEqual(clicked.answer, { toast: { type: 'success', content: 'Approved' } });
		assert.equal(h.emitted[0].json.event_type, 'card.action.trigger');
		assert.deepEqual((h.emitted[0].json.action as IDataObject).value, { choice: 'approve' });
		assert.equal(h.emitted[0].json.message_id, msg.message_id);
		assert.ok(h.emitted[0].json.token, 'card token exposed');

		// a plain answer object works too
		answerNext = (e) => e.response!.resolve({ toast: { type: 'info', content: 'plain' } });
		const plain = await control(sandbox, 'POST', `cards/${msg.message_id}/click`, { value: { n: 2 } });
		assert.deepEqual(plain.answer, { toast: { type: 'info', content: 'plain' } });

		// the workflow never answers: {} after the 400 ms budget, well inside Feishu's 3 s
		answerNext = undefined;
		const silent = await control(sandbox, 'POST', `cards/${msg.message_id}/click`, { value: { n: 3 } });
		assert.deepEqual(silent.answer, {});
		assert.equal(silent.acked, true);
		assert.ok(silent.latency_ms >= 350 && silent.latency_ms < 2900, `answered after ${silent.latency_ms} ms`);
		assert.equal(h.emitted.length, 3);
	} finally {
		await closeFunction!();
	}
	await noConnectionsLeft();
});

test('manual mode: listens, resolves on the first matching event only, close leaves no connection', async () => {
	const h = harness({ events: ['im.message.receive_v1'], messageFilters: { chatType: 'group' } }, { mode: 'manual' });
	const { response, first } = await runManual(h);
	try {
		assert.equal((await openConnections(sandbox)).length, 1, 'manualTriggerFunction opened the connection');
		await say('oc_lc_man_p2p', { text: 'filtered out' });
		const wanted = await say('oc_lc_man_grp', { text: 'first', chat_type: 'group' });
		await say('oc_lc_man_grp', { text: 'second', chat_type: 'group' });
		const data = await first;
		assert.equal(data[0][0].json.event_id, wanted.event_id);
		await sleep(100);
		assert.equal(h.emitted.length, 1, 'only the first matching event runs the test workflow');
	} finally {
		await response.closeFunction!();
	}
	await noConnectionsLeft();
});

test('close while the connection is still starting leaves nothing behind', async () => {
	const h = harness({}, { mode: 'manual' });
	const response = await h.run();
	const starting = response.manualTriggerFunction!();
	await response.closeFunction!();
	await starting.catch(() => {});
	await noConnectionsLeft();
});

test('bad credentials fail the activation with Feishu\'s message', async () => {
	const h = harness({}, { appSecret: 'wrong-secret' });
	await assert.rejects(h.run(), (error: Error) => {
		assert.match(error.message, /Could not connect to Feishu/);
		assert.ok(error.message.length > 'Could not connect to Feishu: '.length, error.message);
		return true;
	});
	await noConnectionsLeft();
});

test('a connection lost for good after start goes to emitError', async () => {
	const h = harness();
	const { closeFunction } = await h.run();
	try {
		await control(sandbox, 'POST', 'faults', { refuse_next_upgrade: { status: 514, autherrcode: '1000040350' }, drop_connections: true });
		await waitFor('emitError', () => h.errors.length > 0, 10000);
		assert.match(h.errors[0].message, /Feishu long connection lost/);
		assert.match(h.errors[0].message, /1000040350|limit/i);
	} finally {
		await closeFunction!();
	}
	await noConnectionsLeft();
});

test('the empty-selection and webhook-mode cases do not open a connection; both say whether the app\'s callbacks are received here', async () => {
	await assert.rejects(harness({ events: [] }).run(), /Select at least one event/);
	assert.equal(hasCallbackReceiver(APP_ID), false, 'a trigger that failed to start holds nothing');
	const webhookMode = await harness({ connectionMode: 'webhook' }).run();
	assert.equal((await openConnections(sandbox)).length, 0);
	assert.equal(hasCallbackReceiver(APP_ID), true, 'a webhook-mode trigger receives the card callbacks (Send and Wait checks this)');
	await webhookMode.closeFunction!();
	assert.equal(hasCallbackReceiver(APP_ID), false);
});
