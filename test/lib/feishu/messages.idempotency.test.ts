// eventSendUuid: the default uuid of a send made for a Feishu event. Deterministic (a re-run of the
// same step for the same event and item gets the same key, so Feishu returns the first message),
// distinct for anything that should post separately, and within Feishu's 50 characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventSendUuid, FeishuValidationError, type EventSendOrigin } from '../../../lib/feishu';

const base: EventSendOrigin = { eventId: 'f7984f25108f8137722bb63cee927e66', workflowId: 'wf1', nodeId: 'b2d4f6a8-1c3e-4a5b-8d7f-0e2c4a6b8d02', runIndex: 0, itemIndex: 0 };

test('eventSendUuid: the same origin gives the same uuid, a UUID (version 8, RFC 9562 variant) of 36 characters', () => {
	const a = eventSendUuid(base);
	assert.equal(eventSendUuid({ ...base }), a);
	assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
	assert.ok(a.length <= 50);
	// Pinned: a change of scheme lets a run before an upgrade and its re-run after it post twice, so
	// it must be deliberate (bump the scheme tag and this value together).
	assert.equal(a, '9fd2ffb2-e2ad-8b77-81fc-cdf89d679984');
});

test('eventSendUuid: distinct per event, workflow, node, run and item', () => {
	const variants: EventSendOrigin[] = [
		base,
		{ ...base, eventId: 'another-event' },
		{ ...base, workflowId: 'wf2' },
		{ ...base, nodeId: 'another-node' },
		{ ...base, runIndex: 1 },
		{ ...base, itemIndex: 1 },
		{ ...base, itemIndex: 10 },
		// No field runs into the next: ("a", "bc") and ("ab", "c") differ.
		{ ...base, eventId: 'a', workflowId: 'bc' },
		{ ...base, eventId: 'ab', workflowId: 'c' },
	];
	const uuids = variants.map(eventSendUuid);
	assert.equal(new Set(uuids).size, variants.length);
	// 1,000 events x 3 nodes x 4 items: no collision, every one within 50 characters.
	const many = new Set<string>();
	for (let e = 0; e < 1000; e++) for (const nodeId of ['n1', 'n2', 'n3']) for (let i = 0; i < 4; i++) many.add(eventSendUuid({ eventId: `ev_${e}`, nodeId, itemIndex: i }));
	assert.equal(many.size, 12_000);
	assert.ok([...many].every((u) => u.length === 36));
});

test('eventSendUuid: workflow id and run index default to "" and 0', () => {
	assert.equal(eventSendUuid({ eventId: 'e', nodeId: 'n', itemIndex: 2 }), eventSendUuid({ eventId: 'e', nodeId: 'n', itemIndex: 2, workflowId: '', runIndex: 0 }));
});

test('eventSendUuid: refuses an empty event id and bad indexes (the node only calls it with an event id)', () => {
	const refused = (o: EventSendOrigin) => assert.throws(() => eventSendUuid(o), (e: unknown) => e instanceof FeishuValidationError);
	refused({ ...base, eventId: '' });
	refused({ ...base, eventId: undefined as unknown as string });
	refused({ ...base, itemIndex: -1 });
	refused({ ...base, itemIndex: 1.5 });
	refused({ ...base, runIndex: -1 });
});
