// session_id, the key an AI memory node keeps a conversation under (lib/feishu sessionId.ts), as the
// trigger's output carries it for message events (events.ts shapeEvent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shapeEvent, sessionIdOf, type FeishuEnvelope } from '../../../lib/feishu';

const base = { chat_id: 'oc_1', message_id: 'om_3', sender: { open_id: 'ou_a' } };

test('automatic: a direct chat is one conversation; in a group, the thread, else the reply chain\'s root, else the message', () => {
	assert.equal(sessionIdOf({ ...base, chat_type: 'p2p', root_id: 'om_1', thread_id: 'omt_1' }), 'oc_1');
	assert.equal(sessionIdOf({ ...base, chat_type: 'group', root_id: 'om_1', thread_id: 'omt_1' }), 'omt_1');
	assert.equal(sessionIdOf({ ...base, chat_type: 'group', root_id: 'om_1' }), 'om_1');
	assert.equal(sessionIdOf({ ...base, chat_type: 'group' }), 'om_3');
	assert.equal(sessionIdOf({ chat_type: 'group' }), undefined, 'no chat, no session');
});

test('Chat and Chat and Sender widen or narrow it', () => {
	assert.equal(sessionIdOf({ ...base, chat_type: 'group', thread_id: 'omt_1' }, 'chat'), 'oc_1');
	assert.equal(sessionIdOf({ ...base, chat_type: 'group', thread_id: 'omt_1' }, 'chatSender'), 'oc_1:ou_a');
	assert.equal(sessionIdOf({ chat_id: 'oc_1', chat_type: 'group', sender: { user_id: 'u1' } }, 'chatSender'), 'oc_1:u1');
	assert.equal(sessionIdOf({ chat_id: 'oc_1', chat_type: 'group' }, 'chatSender'), 'oc_1', 'no sender id: the chat');
});

test('the trigger\'s output: message events carry session_id, other events do not', () => {
	const envelope = (eventType: string, event: Record<string, unknown>): FeishuEnvelope =>
		({ eventType, eventId: 'ev_1', raw: { schema: '2.0', header: { event_type: eventType, event_id: 'ev_1' }, event } }) as unknown as FeishuEnvelope;
	const message = {
		sender: { sender_id: { open_id: 'ou_a' }, sender_type: 'user' },
		message: { message_id: 'om_2', root_id: 'om_1', chat_id: 'oc_9', chat_type: 'group', message_type: 'text', content: JSON.stringify({ text: 'hi' }) },
	};
	assert.equal(shapeEvent(envelope('im.message.receive_v1', message)).session_id, 'om_1');
	assert.equal(shapeEvent(envelope('im.message.receive_v1', message), undefined, 'chatSender').session_id, 'oc_9:ou_a');
	assert.equal(shapeEvent(envelope('im.message.reaction.created_v1', { message_id: 'om_2' })).session_id, undefined);
});
