// Fault suite: a subscriber that takes 10 s per event (a slow workflow). Acks must still go out at
// the ack deadline, so the platform never redelivers; the sandbox's ack timeout is 1 s here (the
// hub's deadline 400 ms to match) and the test watches for twice that while every run still goes on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subscribeToApp } from '../../../lib/feishu/connectionHub';
import { DEMO_APP } from '../../../sandbox/server';
import { fileSandbox, waitFor } from '../../helpers/faults';

const ACK_TIMEOUT_MS = 1000;

const file = fileSandbox({ ackTimeoutMs: ACK_TIMEOUT_MS, clientConfig: { PingInterval: 1 } });
const { trap, control } = file;

test('a 10 s run: 20 events acked at the deadline, none redelivered, each handled once', async () => {
	const running = new Map<string, () => void>();
	const seen: string[] = [];
	const sub = await subscribeToApp(
		{ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret, baseUrl: file.sandbox.baseUrl },
		{
			onEvent: (e, context) => {
				seen.push(e.eventId ?? '');
				// 10 s of "workflow"; released early at the end of the test so nothing outlives it.
				context.trackRun(new Promise<void>((resolve) => {
					const timer = setTimeout(resolve, 10_000);
					running.set(e.eventId ?? '', () => {
						clearTimeout(timer);
						resolve();
					});
				}));
			},
			onFatal: () => undefined,
		},
		{ acks: { ackDeadlineMs: 400, minHoldMs: 100 }, maxConcurrentRuns: 0 },
	);
	try {
		const ids: string[] = [];
		for (let i = 0; i < 20; i++) ids.push((await control('POST', 'chats/oc_slow/messages', { text: `slow ${i}` })).event_id);
		await waitFor('20 events handled', () => seen.length >= 20, 5000);
		// Twice the ack timeout, with all 20 handlers still running.
		await new Promise((r) => setTimeout(r, 2 * ACK_TIMEOUT_MS));
		assert.equal(running.size, 20, 'the handlers are still running');
		const { deliveries } = await control('GET', `deliveries?app_id=${DEMO_APP.appId}`);
		const mine = deliveries.filter((d: any) => ids.includes(d.event_id));
		assert.equal(mine.length, 20);
		for (const d of mine) {
			assert.equal(d.acked, true, `${d.event_id} acked`);
			assert.equal(d.redelivered, false, `${d.event_id} not redelivered`);
			assert.equal(d.attempts.length, 1);
			assert.equal(d.attempts[0].ack_code, 200);
			// At the deadline: inside the ack timeout although the run needs 10 s.
			assert.ok(d.attempts[0].ack_latency_ms >= 380 && d.attempts[0].ack_latency_ms < ACK_TIMEOUT_MS, `ack latency ${d.attempts[0].ack_latency_ms} ms`);
		}
		assert.deepEqual([...seen].sort(), [...ids].sort(), 'each event handled exactly once');
	} finally {
		for (const release of running.values()) release();
		await sub.unsubscribe();
	}
	assert.deepEqual(trap.errors, []);
});
