// The hub paces a burst into runs, against the sandbox (Feishu's delivery rules: an event without a
// code-200 ack within the ack timeout is sent again): at most maxConcurrentRuns runs in flight,
// events unacked until their runs have ended, redeliveries of a waiting or running event never run
// twice, a full waiting line leaves events to Feishu, and card callbacks are never held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FeishuEnvelope, type HubEventContext, hubStats, subscribeToApp } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { APP_ID, control, credsFor, deliveries, sandboxPerFile, sendText, waitFor } from '../../helpers/hubSandbox';

const ACK_TIMEOUT_MS = 400;
let sandbox: Sandbox;

// A short ack timeout and many redeliveries: events that wait are redelivered while they wait.
sandboxPerFile((s) => (sandbox = s), { ackTimeoutMs: ACK_TIMEOUT_MS, maxRedeliveries: 100 });

/** A subscriber whose every event starts one run that lasts until the test ends it. */
function runner() {
	const seen: string[] = [];
	const startedAt = new Map<string, number>();
	const runs = new Map<string, () => void>();
	let running = 0;
	let peak = 0;
	return {
		seen,
		startedAt,
		peak: () => peak,
		running: () => running,
		finish(id: string) {
			runs.get(id)?.();
			runs.delete(id);
		},
		finishAll() {
			for (const id of [...runs.keys()]) this.finish(id);
		},
		subscriber: {
			onEvent(envelope: FeishuEnvelope, context: HubEventContext) {
				if (envelope.eventType === 'card.action.trigger') return Promise.resolve({ toast: { type: 'info', content: 'seen' } });
				seen.push(envelope.eventId!);
				startedAt.set(envelope.eventId!, Date.now());
				running++;
				peak = Math.max(peak, running);
				context.trackRun(
					new Promise<void>((resolve) =>
						runs.set(envelope.eventId!, () => {
							running--;
							resolve();
						}),
					),
				);
				return undefined;
			},
			onFatal() {},
		},
	};
}

const pacing = () => hubStats().apps.find((a) => a.appId === APP_ID)!.pacing;

test('a burst runs 3 at a time: events are acked only once their runs have ended, each runs once', async () => {
	const r = runner();
	const sub = await subscribeToApp(credsFor(sandbox), r.subscriber, { maxConcurrentRuns: 3 });
	const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => sendText(sandbox, `burst ${i}`)));
	await waitFor('three runs', () => r.seen.length === 3);
	await waitFor('the other nine waiting', () => pacing().waiting === 9);
	// While three runs are in flight nothing is acked: n8n has not finished them, and the nine others
	// wait (Feishu still holds all twelve; its redeliveries of them run nothing).
	const early = await deliveries(sandbox);
	assert.equal(early.filter((d) => d.acked).length, 0, 'no event is acked before its run has ended');
	assert.equal(r.seen.length, 3);
	// Finish the runs, as n8n would: each frees a place for the next event in line.
	while (r.seen.length < 12) {
		const before = r.seen.length;
		r.finishAll();
		await waitFor('the next runs', () => r.seen.length > before);
	}
	r.finishAll();
	assert.equal(r.peak(), 3, 'never more than three runs at once');
	assert.deepEqual([...r.seen].sort(), sent.map((s) => s.event_id).sort(), 'every event ran exactly once');
	await waitFor('every delivery acked', async () => (await deliveries(sandbox)).every((d) => d.acked));
	const stats = pacing();
	assert.equal(stats.inFlight, 0);
	assert.equal(stats.waited, 9);
	assert.equal(stats.refused, 0);
	await sub.unsubscribe();
});

test('an event waiting past the ack timeout is redelivered: it still runs once, and its newest delivery is acked when its run ends', async () => {
	const r = runner();
	const sub = await subscribeToApp(credsFor(sandbox), r.subscriber, { maxConcurrentRuns: 1 });
	const first = await sendText(sandbox, 'holds the only place');
	await waitFor('the first run', () => r.seen.length === 1);
	const second = await sendText(sandbox, 'waits');
	// Feishu sends the waiting event again after each missed ack timeout.
	const [waiting] = await waitFor('two redeliveries of the waiting event', async () => {
		const d = await deliveries(sandbox, second.event_id);
		return d[0]?.attempts.length >= 3 ? d : undefined;
	});
	assert.equal(waiting.acked, false, 'not acked while it waits');
	assert.deepEqual(r.seen, [first.event_id]);
	r.finish(first.event_id);
	await waitFor('the second run', () => r.seen.length === 2);
	const finishedAt = Date.now();
	r.finish(second.event_id);
	const [done] = await waitFor('the waiting event acked', async () => {
		const d = await deliveries(sandbox, second.event_id);
		return d[0]?.acked ? d : undefined;
	});
	// The ack answers the delivery that was current when its run ended (not the first one, whose
	// ack timeout is long past).
	const ackedAttempt = done.attempts.findIndex((a: { acked: boolean }) => a.acked);
	assert.ok(ackedAttempt >= 2, `acked on attempt ${ackedAttempt + 1} of ${done.attempts.length}`);
	assert.ok(done.attempts[ackedAttempt].at <= finishedAt, 'the acked delivery was sent before the run ended');
	assert.deepEqual(r.seen, [first.event_id, second.event_id], 'the redeliveries ran nothing');
	assert.ok(hubStats().apps[0].duplicatesDropped >= 2);
	r.finishAll();
	await sub.unsubscribe();
});

test('a full waiting line leaves the event unacked; Feishu sends it again and it runs once', async () => {
	const r = runner();
	const sub = await subscribeToApp(credsFor(sandbox), r.subscriber, { maxConcurrentRuns: 1, maxWaitingEvents: 1 });
	const first = await sendText(sandbox, 'running');
	await waitFor('the first run', () => r.seen.length === 1);
	const second = await sendText(sandbox, 'waiting');
	await waitFor('the second waiting', () => pacing().waiting === 1);
	const third = await sendText(sandbox, 'refused');
	await waitFor('the third refused twice', () => pacing().refused >= 2);
	const [refused] = await deliveries(sandbox, third.event_id);
	assert.equal(refused.acked, false);
	assert.ok(refused.attempts.length >= 2, 'Feishu sent it again');
	r.finish(first.event_id);
	await waitFor('the second run', () => r.seen.length === 2);
	r.finish(second.event_id);
	await waitFor('the third run, from a redelivery', () => r.seen.length === 3, 8000);
	r.finishAll();
	assert.deepEqual(r.seen, [first.event_id, second.event_id, third.event_id]);
	await waitFor('all acked', async () => (await deliveries(sandbox)).every((d) => d.acked));
	await sub.unsubscribe();
});

test('card callbacks are never held: answered while every place is taken', async () => {
	const r = runner();
	const sub = await subscribeToApp(credsFor(sandbox), r.subscriber, { maxConcurrentRuns: 1 });
	const { message_id, event_id } = await sendText(sandbox, 'a card');
	await waitFor('the run', () => r.seen.length === 1);
	const click = await control(sandbox, 'POST', `cards/${message_id}/click`, { value: { choice: 'approve' } });
	assert.equal(click.acked, true);
	assert.deepEqual(click.answer, { toast: { type: 'info', content: 'seen' } });
	assert.deepEqual(r.seen, [event_id]);
	r.finishAll();
	await sub.unsubscribe();
});
