// EventPacer on its own: the limit on runs in flight, arrival order, acks sent once an event's runs
// have ended or at its deadline, redeliveries of a waiting or unacked event, a full waiting line, a
// limit that grows, leases and close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventPacer, type FeishuEnvelope } from '../../../lib/feishu';

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function envelope(id: string): FeishuEnvelope {
	return { schema: '2.0', eventId: id, eventType: 'im.message.receive_v1', raw: {} } as unknown as FeishuEnvelope;
}

function rig(opts: { limit?: number; maxWaiting?: number; runLeaseMs?: number; ackDeadlineMs?: number; minHoldMs?: number } = {}) {
	const started: string[] = [];
	const acked: string[] = [];
	const runs = new Map<string, () => void>();
	let inFlightPeak = 0;
	let running = 0;
	const pacer: EventPacer = new EventPacer({
		limit: opts.limit ?? 2,
		maxWaiting: opts.maxWaiting ?? 100,
		runLeaseMs: opts.runLeaseMs,
		ackDeadlineMs: opts.ackDeadlineMs ?? 60_000,
		minHoldMs: opts.minHoldMs,
		start(e, track) {
			started.push(e.eventId!);
			running++;
			inFlightPeak = Math.max(inFlightPeak, running);
			track(new Promise<void>((resolve) => runs.set(e.eventId!, () => (running--, resolve()))));
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

test('at most `limit` runs in flight; the rest start in arrival order as runs finish, each acked once its run has ended', async () => {
	const r = rig({ limit: 2 });
	for (const id of ['a', 'b', 'c', 'd', 'e']) assert.equal(r.offer(id), true);
	assert.deepEqual(r.acked, [], 'nothing is acked before n8n holds its run');
	await tick();
	assert.deepEqual(r.started, ['a', 'b']);
	assert.deepEqual(r.pacer.stats(), { inFlight: 2, waiting: 3, unacked: 2, waited: 3, refused: 0, ackedAtDeadline: 0, longestWaitMs: 0 });
	r.finish('b');
	await tick();
	assert.deepEqual(r.started, ['a', 'b', 'c']);
	assert.deepEqual(r.acked, ['b']);
	r.finish('a');
	r.finish('c');
	await tick();
	assert.deepEqual(r.started, ['a', 'b', 'c', 'd', 'e']);
	assert.deepEqual(r.acked, ['b', 'a', 'c']);
	assert.equal(r.peak(), 2, 'never more than two runs at once');
	r.finish('d');
	r.finish('e');
	await tick();
	assert.equal(r.pacer.stats().inFlight, 0);
	assert.equal(r.pacer.stats().unacked, 0);
	assert.deepEqual(r.acked, ['b', 'a', 'c', 'd', 'e']);
});

test('an event whose run is still going is acked at its deadline: ackDeadlineMs after arrival, at least minHoldMs after its start', async () => {
	const r = rig({ limit: 1, ackDeadlineMs: 60, minHoldMs: 40 });
	const t0 = performance.now();
	r.offer('slow');
	r.offer('next');
	await sleep(100);
	assert.deepEqual(r.acked, ['slow'], 'acked at its deadline while its run goes on');
	assert.equal(r.pacer.stats().inFlight, 1, 'the run still holds its place after the ack');
	assert.equal(r.pacer.stats().ackedAtDeadline, 1);
	assert.ok(performance.now() - t0 >= 60);
	r.finish('slow');
	const nextStarted = performance.now();
	await tick();
	assert.deepEqual(r.started, ['slow', 'next']);
	// 'next' arrived ~100 ms ago, so its arrival deadline is past: it still gets minHoldMs.
	await sleep(20);
	assert.deepEqual(r.acked, ['slow'], 'not acked before minHoldMs after its start');
	await sleep(60);
	assert.deepEqual(r.acked, ['slow', 'next']);
	assert.ok(performance.now() - nextStarted >= 40);
	assert.equal(r.pacer.stats().ackedAtDeadline, 2);
	r.finish('next');
	r.pacer.close();
});

test('an event is acked after every run it started and after its subscribers finished deciding', async () => {
	const acked: string[] = [];
	let decide!: () => void;
	const runs: (() => void)[] = [];
	const pacer: EventPacer = new EventPacer({
		limit: 10,
		maxWaiting: 10,
		ackDeadlineMs: 60_000,
		start(_e, track) {
			for (let i = 0; i < 2; i++) track(new Promise<void>((resolve) => runs.push(resolve)));
			// A subscriber still looking something up starts a third run later.
			return new Promise<void>((resolve) => {
				decide = () => {
					track(new Promise<void>((done) => runs.push(done)));
					resolve();
				};
			});
		},
	});
	pacer.offer(envelope('a'), () => acked.push('a'));
	runs[0]!();
	runs[1]!();
	await tick();
	assert.deepEqual(acked, [], 'a subscriber is still deciding');
	decide();
	await tick();
	assert.deepEqual(acked, [], 'its run has not ended');
	runs[2]!();
	await tick();
	assert.deepEqual(acked, ['a']);
	assert.equal(pacer.stats().inFlight, 0);
	pacer.close();
});

test('a redelivery of a waiting or started-but-unacked event refreshes the ack to send; acked and unknown ids are not kept', async () => {
	const r = rig({ limit: 1 });
	r.offer('a', 'a#1');
	r.offer('b', 'b#1');
	assert.equal(r.pacer.refresh('a', () => r.acked.push('a#2')), true, 'started, its run not ended');
	assert.equal(r.pacer.refresh('b', () => r.acked.push('b#2')), true, 'waiting');
	assert.equal(r.pacer.refresh('zz', () => r.acked.push('zz')), false);
	await tick();
	r.finish('a');
	await tick();
	assert.equal(r.pacer.refresh('a', () => r.acked.push('a#3')), false, 'acked already');
	r.finish('b');
	await tick();
	assert.deepEqual(r.acked, ['a#2', 'b#2'], 'the newest delivery is acked, once');
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
	assert.deepEqual(r.acked, ['a', 'b', 'c'], 'the refused event is never acked');
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
	const r = rig({ limit: 1, runLeaseMs: 50, ackDeadlineMs: 20, minHoldMs: 0 });
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
	await sleep(40);
	assert.deepEqual(r.acked, ['a', 'b'], 'both at their deadlines; c, waiting at close, stays unacked');
	assert.deepEqual(r.pacer.stats().waiting, 0);
});

test('finish (a graceful close): no new events, waiting ones dropped unacked, started ones acked as their runs end or at their deadline', async () => {
	const r = rig({ limit: 2, ackDeadlineMs: 80, minHoldMs: 0 });
	r.offer('quick');
	r.offer('slow');
	r.offer('waiting');
	let finished = false;
	const finishing = r.pacer.finish().then(() => (finished = true));
	assert.equal(r.offer('late'), false, 'nothing new is taken');
	r.finish('quick');
	await tick();
	assert.deepEqual(r.acked, ['quick']);
	assert.equal(finished, false, 'slow is still held');
	await finishing;
	assert.deepEqual(r.acked, ['quick', 'slow'], 'slow acked at its deadline; waiting never');
	assert.deepEqual(r.started, ['quick', 'slow'], 'the waiting event never started');
	assert.equal(r.pacer.offer(envelope('after'), () => undefined), false, 'closed');
});
