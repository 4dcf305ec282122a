// Security, the shared long connection: a credential with the right App ID and a wrong App Secret
// must not join another subscriber's connection (reading its events, answering its card actions),
// and must not break that connection's reconnects. The real hub against the sandbox.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeishuApiError, hubStats, subscribeToApp } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { APP_ID, collector, control, credsFor, openConnections, sandboxPerFile, sendText, waitFor } from '../../helpers/hubSandbox';

let sandbox: Sandbox;
sandboxPerFile((s) => (sandbox = s));

// Every subscriber here answers card actions, as a trigger with "Respond to Card Action" would: an intruder
// that joined could answer them.
const CARD_ANSWER = { toast: { type: 'info', content: 'answered' } };

const appStats = () => hubStats().apps.find((a) => a.appId === APP_ID);

test('a wrong App Secret cannot join a live connection, read its events or break its reconnects', async () => {
	const owner = collector(CARD_ANSWER);
	const subscription = await subscribeToApp(credsFor(sandbox), owner.subscriber);

	const intruder = collector(CARD_ANSWER);
	const error = await subscribeToApp(credsFor(sandbox, 'guessed-secret'), intruder.subscriber).then(
		() => undefined,
		(e: unknown) => e,
	);
	// Its own subscription fails with Feishu's answer to that secret, and nothing leaks the secret.
	assert.ok(error instanceof FeishuApiError, `rejected with Feishu's answer, got ${String(error)}`);
	assert.equal(error.code, 10014);
	assert.match(error.message, /app secret invalid/);
	assert.doesNotMatch(error.message, /guessed-secret/);
	assert.equal(appStats()?.subscribers, 1, 'only the owner is subscribed');

	const { event_id } = await sendText(sandbox, 'for the owner only');
	await waitFor('the owner got the event', () => owner.events.some((e) => e.eventId === event_id));

	// A reconnect still uses the proven secret: the connection comes back and events flow.
	await control(sandbox, 'POST', 'faults', { drop_connections: true });
	await waitFor('reconnected', () => appStats()?.gateway.reconnects === 1, 10_000);
	const after = await sendText(sandbox, 'after the reconnect');
	await waitFor('the owner got the event after the reconnect', () => owner.events.some((e) => e.eventId === after.event_id));

	assert.equal(intruder.events.length, 0, 'the intruder saw no event');
	assert.deepEqual(owner.fatals, []);
	assert.equal((await openConnections(sandbox)).length, 1);
	await subscription.unsubscribe();
});

test('a wrong App Secret cannot answer card actions of the live connection', async () => {
	const owner = collector(CARD_ANSWER);
	const subscription = await subscribeToApp(credsFor(sandbox), owner.subscriber);
	const intruder = {
		onEvent: () => Promise.resolve({ toast: { type: 'info', content: 'intruder answer' } }),
		onFatal: () => undefined,
	};
	await assert.rejects(subscribeToApp(credsFor(sandbox, 'guessed-secret'), intruder), FeishuApiError);
	const { message_id } = await sendText(sandbox, 'a message with a card');
	const click = await control(sandbox, 'POST', `cards/${message_id}/click`, { value: { go: 1 } });
	assert.equal(click.acked, true);
	assert.deepEqual(click.answer, CARD_ANSWER);
	await subscription.unsubscribe();
});

test('a new secret Feishu accepts (rotated in the console) joins and takes over reconnects', async () => {
	const owner = collector(CARD_ANSWER);
	const first = await subscribeToApp(credsFor(sandbox), owner.subscriber);
	await control(sandbox, 'POST', 'apps', { app_id: APP_ID, app_secret: 'rotated-secret' });
	try {
		const rotated = collector(CARD_ANSWER);
		const second = await subscribeToApp(credsFor(sandbox, 'rotated-secret'), rotated.subscriber);
		assert.equal(appStats()?.subscribers, 2);
		await control(sandbox, 'POST', 'faults', { drop_connections: true });
		await waitFor('reconnected with the rotated secret', () => appStats()?.gateway.reconnects === 1, 10_000);
		const { event_id } = await sendText(sandbox, 'after rotation');
		await waitFor('both got the event', () => [owner, rotated].every((c) => c.events.some((e) => e.eventId === event_id)));
		await second.unsubscribe();
	} finally {
		await control(sandbox, 'POST', 'apps', { app_id: APP_ID, app_secret: credsFor(sandbox).appSecret });
	}
	await first.unsubscribe();
});
