// RecentEventIds on its own: what survives a serialise/parse round trip, the time window, the bound.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { RecentEventIds, REDELIVERY_WINDOW_MS } from '../../../lib/feishu';

// Like Feishu's: 32 random-looking hex characters.
const id = (n: number) => createHash('md5').update(String(n)).digest('hex');

test('ids survive a round trip through the string; unknown ids are not there', () => {
	const recent = new RecentEventIds();
	recent.add(id(1));
	recent.add(id(2));
	const restored = RecentEventIds.parse(recent.serialize());
	assert.equal(restored.has(id(1)), true);
	assert.equal(restored.has(id(2)), true);
	assert.equal(restored.has(id(3)), false);
	assert.equal(restored.size, 2);
});

test('ids expire after the redelivery window (about 7.5 h)', () => {
	const now = Date.now();
	const recent = new RecentEventIds();
	recent.add(id(1), now - REDELIVERY_WINDOW_MS - 1000);
	recent.add(id(2), now - 60_000);
	assert.equal(recent.has(id(1), now), false);
	assert.equal(recent.has(id(2), now), true);
	assert.equal(RecentEventIds.parse(recent.serialize()).size, 1, 'expired ids are dropped when read back');
});

test('the count is bounded: the oldest go first; the string stays small', () => {
	const recent = new RecentEventIds({ max: 1000 });
	for (let i = 0; i < 1500; i++) recent.add(id(i));
	assert.equal(recent.size, 1000);
	assert.equal(recent.has(id(499)), false);
	assert.equal(recent.has(id(500)), true);
	assert.ok(recent.serialize().length < 30_000, `${recent.serialize().length} characters`);
});

test('malformed stored values are skipped, never thrown on', () => {
	for (const value of [undefined, 42, '', 'garbage', ',,.,x.zz', { a: 1 }]) assert.equal(RecentEventIds.parse(value).size, 0);
	assert.equal(RecentEventIds.parse(`junk,${id(7).slice(0, 16)}.${Math.floor(Date.now() / 1000).toString(36)}`).has(id(7)), true);
});
