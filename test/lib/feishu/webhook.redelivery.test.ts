// isWebhookRedelivery (lib/feishu/webhook.ts): Feishu's retries of a webhook delivery run once per
// receiver; receivers are kept apart; events without an id always run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { isWebhookRedelivery, parseEnvelope } from '../../../lib/feishu';

const envelope = (eventId?: string) =>
	parseEnvelope({ schema: '2.0', header: { ...(eventId ? { event_id: eventId } : {}), event_type: 'im.message.receive_v1' }, event: {} });

test('a redelivered event is recognised per receiver; another receiver still runs it', () => {
	const id = randomUUID();
	const scope = `wf-${randomUUID()}|node-1|trigger`;
	assert.equal(isWebhookRedelivery(scope, envelope(id)), false, 'first delivery runs');
	assert.equal(isWebhookRedelivery(scope, envelope(id)), true, 'the retry does not');
	assert.equal(isWebhookRedelivery(scope, envelope(id)), true, 'nor the next one');
	assert.equal(isWebhookRedelivery(`wf-${randomUUID()}|node-1|trigger`, envelope(id)), false, 'a second workflow on the same app runs it');
	assert.equal(isWebhookRedelivery(scope, envelope(randomUUID())), false, 'a new event runs');
});

test('an event without an id cannot be told apart, so it always runs', () => {
	const scope = `wf-${randomUUID()}|node-1|trigger`;
	assert.equal(isWebhookRedelivery(scope, envelope()), false);
	assert.equal(isWebhookRedelivery(scope, envelope()), false);
});
