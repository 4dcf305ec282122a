// lib/feishu/timers.ts: the bounded wait every deadline of the package uses (bot look-up, card
// answers, the gateway's callback budget and sleeps), on n8n-workflow's clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { delay, TIMED_OUT, within } from '../../../lib/feishu/timers';

test('within: the value when it comes in time, TIMED_OUT after the time or on abort, a rejection passed on', async () => {
	assert.equal(await within(Promise.resolve(7), 1000), 7);
	assert.equal(await within(Promise.resolve(undefined), 1000), undefined, 'a resolved undefined is not a time-out');
	assert.equal(await within(new Promise(() => {}), 30), TIMED_OUT);
	await assert.rejects(within(Promise.reject(new Error('boom')), 1000), /boom/);

	const abort = new AbortController();
	const pending = within(new Promise(() => {}), 60_000, abort.signal);
	abort.abort();
	assert.equal(await pending, TIMED_OUT, 'abort ends the wait at once');
	assert.equal(await within(Promise.resolve(1), 1000, abort.signal), TIMED_OUT, 'an aborted signal: at once');
});

test('within and delay leave no listener on a long-lived signal, whichever way they end', async () => {
	const life = new AbortController();
	await within(Promise.resolve(1), 1000, life.signal);
	await within(new Promise(() => {}), 10, life.signal);
	await within(Promise.reject(new Error('x')), 1000, life.signal).catch(() => undefined);
	await delay(5, life.signal);
	assert.equal(getEventListeners(life.signal, 'abort').length, 0);
	const late = within(new Promise((r) => setTimeout(r, 20, 'late')), 5, life.signal);
	assert.equal(await late, TIMED_OUT, 'a value after the time is dropped');
});
