// A card sent with the API client, clicked in the sandbox, answered over the long connection with
// buildCardActionAnswer: Feishu shows the toast and replaces the card (the sandbox records both).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCard, buildCardActionAnswer, FeishuApiClient, sendMessage, subscribeToApp, type FeishuEnvelope } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { chatMessages, control, credsFor, sandbox, userSays } from '../../helpers/sandbox';

let sb: Sandbox;
before(async () => {
	sb = await sandbox({ clientConfig: { PingInterval: 1, ReconnectInterval: 1, ReconnectNonce: 0 } });
});
after(async () => {
	await sb.close();
});

test('card button value comes back in card.action.trigger; the answer updates the card and shows a toast', async () => {
	const chat = 'oc_api_card_chat_0001';
	await userSays(sb, chat, { text: 'show me a card' });
	const client = new FeishuApiClient(credsFor(sb));
	const card = await sendMessage(client, {
		receiveIdType: 'chat_id',
		receiveId: chat,
		msgType: 'interactive',
		content: buildCard({ title: 'Deploy?', markdown: 'prod', buttons: [{ text: 'Approve', value: { decision: 'approve' }, type: 'primary' }] }),
	});

	const seen: FeishuEnvelope[] = [];
	const sub = await subscribeToApp(credsFor(sb), {
		onEvent(envelope) {
			// The chat's first user message is delivered too (it waited for a connection).
			if (envelope.eventType !== 'card.action.trigger') return undefined;
			seen.push(envelope);
			const value = envelope.raw?.event?.action?.value;
			return Promise.resolve(
				buildCardActionAnswer({
					toast: { type: 'success', content: `Got ${value?.decision}` },
					card: buildCard({ title: 'Approved', template: 'green', markdown: 'by the bot' }),
				}),
			);
		},
		onFatal(error) {
			throw error;
		},
	});
	try {
		const click = await control<{ answer: any }>(sb, 'POST', `cards/${card.message_id}/click`, { value: { decision: 'approve' } });
		assert.equal(seen.length, 1);
		assert.deepEqual(click.answer.toast, { type: 'success', content: 'Got approve' });
		assert.equal(click.answer.card.type, 'raw');
		const stored = (await chatMessages(sb, chat)).find((m) => m.message_id === card.message_id);
		assert.equal(stored.content.header.title.content, 'Approved');
		assert.equal(stored.content.header.template, 'green');
	} finally {
		await sub.unsubscribe();
	}
});
