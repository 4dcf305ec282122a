// Security, the dedupe window: event ids come from the network, so what the window holds per id
// must be bounded whatever the sender puts in `event_id` (a 1 MiB id fits in a webhook body).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDeduper, MAX_DEDUPE_KEY_CHARS } from '../../../lib/feishu';
import { memoryAfterGc } from '../../helpers/memory';

const heapAfterGc = () => memoryAfterGc().heapUsed;

test('60 event ids of 1 MiB each keep well under 1 KiB apiece in the window', () => {
	const deduper = new EventDeduper();
	const longId = (i: number) => JSON.parse(JSON.stringify(`${i}-${'x'.repeat(1024 * 1024)}`)) as string;
	// Warm up (hashing, JSON) so one-time allocations are not counted against the ids.
	new EventDeduper().seen(longId(-1));
	const before = heapAfterGc();
	for (let i = 0; i < 60; i++) {
		// A fresh flat string per id, as JSON.parse makes for an event_id.
		const id = longId(i);
		assert.equal(deduper.seen(id), false);
		assert.equal(deduper.seen(id), true, 'a long id is still deduplicated');
	}
	const retained = heapAfterGc() - before;
	console.log(`[dedupe] 60 ids of 1 MiB: ${(retained / 1024).toFixed(1)} KiB retained (${(retained / 60).toFixed(0)} B per id)`);
	assert.equal(deduper.size, 60);
	assert.ok(retained < 60 * 1024, `retained ${retained} bytes for 60 ids`);
});

test('ids up to the cap are kept as they are; longer ones never collide with them', () => {
	const deduper = new EventDeduper();
	const atCap = 'a'.repeat(MAX_DEDUPE_KEY_CHARS);
	const overCap = `${atCap}b`;
	assert.equal(deduper.seen(atCap), false);
	assert.equal(deduper.seen(overCap), false);
	assert.equal(deduper.seen(`${atCap}c`), false);
	assert.equal(deduper.seen(overCap), true);
	deduper.forget(overCap);
	assert.equal(deduper.seen(overCap), false, 'forget finds a hashed id too');
});
