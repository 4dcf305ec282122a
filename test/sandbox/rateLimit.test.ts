// The sandbox's sliding-window limiter: per-second and per-minute windows, with the reset hint Feishu
// sends in x-ogw-ratelimit-reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../sandbox/rateLimit';

test('per-second window: the (n+1)th hit within 1 s is refused, and allowed again once the window slides', () => {
	const rl = new RateLimiter(3, 100);
	const t0 = 1_000_000;
	assert.deepEqual([rl.hit('a', t0), rl.hit('a', t0 + 10), rl.hit('a', t0 + 500)].map((v) => v.ok), [true, true, true]);
	const refused = rl.hit('a', t0 + 900);
	assert.equal(refused.ok, false);
	assert.equal(refused.limit, 3);
	assert.equal(refused.resetSeconds, 1);
	assert.equal(rl.hit('b', t0 + 900).ok, true, 'keys are independent');
	assert.equal(rl.hit('a', t0 + 1000).ok, true, 'the first two hits left the window');
});

test('per-minute window: refuses after the minute budget even when each second is fine', () => {
	const rl = new RateLimiter(10, 5);
	const t0 = 2_000_000;
	for (let i = 0; i < 5; i++) assert.equal(rl.hit('a', t0 + i * 2000).ok, true);
	const refused = rl.hit('a', t0 + 10_000);
	assert.equal(refused.ok, false);
	assert.equal(refused.limit, 5);
	assert.equal(refused.resetSeconds, 50);
	assert.equal(rl.hit('a', t0 + 60_000).ok, true);
});
