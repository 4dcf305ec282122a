// Which apps have a Feishu Trigger active in this process (lib/feishu/callbackReceivers.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCallbackReceiver, holdCallbackReceiver, pendingWaitCard } from '../../../lib/feishu';

test('holdCallbackReceiver: held while any trigger of the app holds it; a release counts once', () => {
	assert.equal(hasCallbackReceiver('cli_receivers_a'), false);
	const first = holdCallbackReceiver('cli_receivers_a');
	const second = holdCallbackReceiver('cli_receivers_a');
	assert.equal(hasCallbackReceiver('cli_receivers_a'), true);
	assert.equal(hasCallbackReceiver('cli_receivers_b'), false, 'another app is not held');
	first();
	first();
	assert.equal(hasCallbackReceiver('cli_receivers_a'), true, 'a second release of the same hold changes nothing');
	second();
	assert.equal(hasCallbackReceiver('cli_receivers_a'), false);
});

test('pendingWaitCard: a link response draws buttons that open their URLs, with no callback', () => {
	const card = pendingWaitCard({ message: 'Ship it?', response: { type: 'link', buttons: [{ label: 'Approve', style: 'primary', url: 'https://n8n.example/a' }, { label: 'Decline', style: 'secondary', url: 'https://n8n.example/d' }] } });
	const buttons = JSON.stringify(card).match(/"tag":"button"/g) ?? [];
	assert.equal(buttons.length, 2);
	assert.match(JSON.stringify(card), /"behaviors":\[\{"type":"open_url","default_url":"https:\/\/n8n.example\/a"\}\]/);
	assert.doesNotMatch(JSON.stringify(card), /callback|"form"/);
});
