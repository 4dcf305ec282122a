// EventPacer on its own: the limit on runs in flight, arrival order, acks sent when an event starts,
// redeliveries of a waiting event, a full waiting line, a limit that grows, leases and close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventPacer, type FeishuEnvelope } from '../../../lib/feishu';

const tick = () => new Promise((r) => setImmediate(r));

function envelope(id: string): FeishuEnvelope {
	return { schema: '2.0', eventId: id, eventType: 'im.message.receive_v1', raw: {} } as unknown as FeishuEnvelope;
}

function rig(opts: { limit?: number; maxWaiting?: number; runLeaseMs?: number } = {}) {
	const started: string[] = [];
	const acked: string[] = [];
	const runs = new Map<string, () => void>();
	let inFlightPeak = 0;
	let running = 0;
	const pacer: EventPacer = new EventPacer({
		limit: opts.limit ?? 2,
		maxWaiting: opts.maxWaiting ?? 100,
		runLeaseMs: opts.runLeaseMs,
		start(e) {
			started.push(e.eventId!);
			running++;
			inFlightPeak = Math.max(inFlightPeak, running);
			pacer.track(new Promise<void>((resolve) => runs.set(e.eventId!, () => (running--, resolve()))));
		},
	});
	const offer = (id: string, ackLabel = id) => pacer.offer(envelope(id), () => acked.push(ackLabel));
	return {
		pacer,
		started,
		acked,
		offer,
		finish: (id: string) => runs.get(id)!(),
		setLimit: (n: number) => pacer.setLimits(n, opts.maxWaiting ?? 100),
		peak: () => inFlightPeak,
	};
}

test('at most `limit` runs in flight; the rest start in arrival order as runs finish, each acked when it starts', async () => {
	const r = rig({ limit: 2 });
	for (const id of ['a', 'b', 'c', 'd', 'e']) assert.equal(r.offer(id), true);
	assert.deepEqual(r.acked, ['a', 'b'], 'only the events that start are acked');
	await tick();
	assert.deepEqual(r.started, ['a', 'b']);
	assert.deepEqual(r.pacer.stats(), { inFlight: 2, waiting: 3, waited: 3, refused: 0, longestWaitMs: 0 });
	r.finish('b');
	await tick();
	assert.deepEqual(r.started, ['a', 'b', 'c']);
	assert.deepEqual(r.acked, ['a', 'b', 'c']);
	r.finish('a');
	r.finish('c');
	await tick();
	assert.deepEqual(r.started, ['a', 'b', 'c', 'd', 'e']);
	assert.equal(r.peak(), 2, 'never more than two runs at once');
	r.finish('d');
	r.finish('e');
	await tick();
	assert.equal(r.pacer.stats().inFlight, 0);
});

test('a redelivery of a waiting event refreshes the ack that its start sends; unknown ids are not kept', async () => {
	const r = rig({ limit: 1 });
	r.offer('a');
	r.offer('b', 'b#1');
	assert.equal(r.pacer.refresh('b', () => r.acked.push('b#2')), true);
	assert.equal(r.pacer.refresh('zz', () => r.acked.push('zz')), false);
	await tick();
	r.finish('a');
	await tick();
	assert.deepEqual(r.acked, ['a', 'b#2'], 'the newest delivery is acked, once');
	assert.deepEqual(r.started, ['a', 'b']);
	r.pacer.close();
});

test('a full waiting line refuses the event: not acked, not kept', async () => {
	const r = rig({ limit: 1, maxWaiting: 2 });
	assert.deepEqual(['a', 'b', 'c', 'd'].map((id) => r.offer(id)), [true, true, true, false]);
	assert.equal(r.pacer.stats().refused, 1);
	await tick();
	for (const id of ['a', 'b', 'c']) {
		r.finish(id);
		await tick();
	}
	assert.deepEqual(r.started, ['a', 'b', 'c']);
	assert.equal(r.acked.includes('d'), false);
});

test('events that start no run free their place at once; a grown limit lets waiting events start', async () => {
	const pacer: EventPacer = new EventPacer({ limit: 1, maxWaiting: 10, start: () => undefined });
	const acked: string[] = [];
	for (const id of ['a', 'b', 'c']) pacer.offer(envelope(id), () => acked.push(id));
	await tick();
	await tick();
	await tick();
	assert.deepEqual(acked, ['a', 'b', 'c'], 'filtered-out events do not hold the line');

	const r = rig({ limit: 1 });
	r.offer('x');
	r.offer('y');
	r.offer('z');
	await tick();
	r.setLimit(3);
	r.offer('w');
	await tick();
	assert.deepEqual(r.started, ['x', 'y', 'z'], 'waiting events start as soon as the limit grows, before newer ones');
	assert.equal(r.pacer.stats().waiting, 1);
	r.pacer.close();
});

test('a run whose end never comes stops counting after its lease; close drops the waiting line unacked', async () => {
	const r = rig({ limit: 1, runLeaseMs: 50 });
	r.offer('a');
	r.offer('b');
	await tick();
	assert.deepEqual(r.started, ['a']);
	await new Promise((resolve) => setTimeout(resolve, 80));
	await tick();
	assert.deepEqual(r.started, ['a', 'b'], 'the lease of a ran out');
	r.offer('c');
	r.pacer.close();
	assert.equal(r.offer('d'), false);
	r.finish('b');
	await tick();
	assert.deepEqual(r.acked, ['a', 'b']);
	assert.deepEqual(r.pacer.stats().waiting, 0);
});
