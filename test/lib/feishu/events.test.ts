// lib/feishu/events.ts: output shape and filters on payloads shaped as in docs/protocol.md, "Event envelopes" and "im.message.receive_v1 payload".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterReason, needsBotIdentity, parseEnvelope, parseEventTypeList, processEvent, shapeEvent, type EventFilters } from '../../../lib/feishu';

const BOT = { openId: 'ou_bot', name: 'DeployBot' };

function message(over: { chat_type?: string; message_type?: string; content?: unknown; mentions?: unknown[]; sender_type?: string } = {}) {
	return parseEnvelope({
		schema: '2.0',
		header: { event_id: 'ev_9', token: '', create_time: '1774004597520', event_type: 'im.message.receive_v1', tenant_key: 'tk', app_id: 'cli_a' },
		event: {
			sender: { sender_id: { open_id: 'ou_u', union_id: 'on_u', user_id: 'u1' }, sender_type: over.sender_type ?? 'user', tenant_key: 'tk' },
			message: {
				message_id: 'om_1',
				root_id: 'om_0',
				parent_id: 'om_0',
				create_time: '1774004597216',
				chat_id: 'oc_1',
				thread_id: 'omt_1',
				chat_type: over.chat_type ?? 'group',
				message_type: over.message_type ?? 'text',
				content: JSON.stringify(over.content ?? { text: '@_user_1 deploy status? cc @_user_2' }),
				mentions: over.mentions ?? [
					{ key: '@_user_1', id: { open_id: 'ou_bot', union_id: 'on_b', user_id: '' }, name: 'DeployBot', tenant_key: 'tk' },
					{ key: '@_user_2', id: { open_id: 'ou_tom', union_id: 'on_t', user_id: 't1' }, name: 'Tom', tenant_key: 'tk' },
				],
			},
		},
	});
}

const all: EventFilters = { eventTypes: ['*'] };

test('message output: raw payload kept, convenience fields, mentions resolved', () => {
	const env = message();
	const out = shapeEvent(env, BOT);
	assert.equal(out.schema, '2.0');
	assert.deepEqual(out.header, env.raw.header);
	assert.deepEqual(out.event, env.raw.event);
	assert.equal(out.event_type, 'im.message.receive_v1');
	assert.equal(out.event_id, 'ev_9');
	assert.equal(out.app_id, 'cli_a');
	assert.equal(out.tenant_key, 'tk');
	assert.equal(out.create_time, '1774004597520');
	assert.equal(out.message_id, 'om_1');
	assert.equal(out.chat_id, 'oc_1');
	assert.equal(out.chat_type, 'group');
	assert.equal(out.message_type, 'text');
	assert.equal(out.thread_id, 'omt_1');
	assert.equal(out.root_id, 'om_0');
	assert.equal(out.parent_id, 'om_0');
	assert.deepEqual(out.sender, { open_id: 'ou_u', user_id: 'u1', union_id: 'on_u', sender_type: 'user', tenant_key: 'tk' });
	assert.deepEqual(out.content, { text: '@_user_1 deploy status? cc @_user_2' });
	assert.equal(out.text, '@DeployBot deploy status? cc @Tom');
	assert.equal(out.text_without_bot_mention, 'deploy status? cc @Tom');
	assert.equal(out.is_bot_mentioned, true);
	assert.equal((out.mentions as any[]).length, 2);
	assert.deepEqual((out.mentions as any[])[1], { key: '@_user_2', name: 'Tom', open_id: 'ou_tom', user_id: 't1', union_id: 'on_t', is_bot: false });
});

test('@_user_1 does not eat @_user_10; unknown bot identity falls back to name, then mentioned_type', () => {
	const mentions = Array.from({ length: 10 }, (_, i) => ({ key: `@_user_${i + 1}`, id: { open_id: `ou_${i + 1}` }, name: `P${i + 1}` }));
	const out = shapeEvent(message({ content: { text: '@_user_10 and @_user_1' }, mentions }), BOT);
	assert.equal(out.text, '@P10 and @P1');
	assert.equal(out.is_bot_mentioned, false);

	const env = message();
	assert.equal(shapeEvent(env, { name: 'DeployBot' }).is_bot_mentioned, true);
	assert.equal(shapeEvent(env, { name: 'Other' }).is_bot_mentioned, false);
	assert.equal(shapeEvent(env, undefined).is_bot_mentioned, false);
	const typed = message({ mentions: [{ key: '@_user_1', id: { open_id: 'ou_x' }, name: 'X', mentioned_type: 'bot' }] });
	assert.equal(shapeEvent(typed, undefined).is_bot_mentioned, true);
});

test('post messages get a plain text with mentions', () => {
	const content = {
		title: 'Report',
		content: [
			[{ tag: 'at', user_id: '@_user_1', user_name: 'DeployBot' }, { tag: 'text', text: ' see ' }, { tag: 'a', text: 'link', href: 'https://x' }],
			[{ tag: 'img', image_key: 'img_1' }, { tag: 'text', text: 'done' }],
		],
	};
	const out = shapeEvent(message({ message_type: 'post', content }), BOT);
	assert.equal(out.text, 'Report\n@DeployBot see link\ndone');
	assert.equal(out.text_without_bot_mention, 'Report\nsee link\ndone');
	const image = shapeEvent(message({ message_type: 'image', content: { image_key: 'img_v3_1' }, mentions: [] }), BOT);
	assert.deepEqual(image.content, { image_key: 'img_v3_1' });
	assert.equal(image.text, undefined);
});

test('filters: event types, chat type, @mention in groups, bot senders, message types', () => {
	const group = shapeEvent(message(), BOT);
	const groupNoMention = shapeEvent(message({ content: { text: 'hello' }, mentions: [] }), BOT);
	const p2p = shapeEvent(message({ chat_type: 'p2p', content: { text: 'hi' }, mentions: [] }), BOT);
	const fromBot = shapeEvent(message({ sender_type: 'app' }), BOT);
	const image = shapeEvent(message({ message_type: 'image', content: { image_key: 'k' } }), BOT);

	assert.equal(filterReason(group, all), undefined);
	assert.match(filterReason(group, { eventTypes: ['im.chat.disbanded_v1'] })!, /not selected/);
	assert.equal(filterReason(group, { eventTypes: ['im.message.receive_v1'] }), undefined);
	assert.match(filterReason(group, { ...all, chatType: 'p2p' })!, /p2p/);
	assert.match(filterReason(p2p, { ...all, chatType: 'group' })!, /group/);
	assert.equal(filterReason(p2p, { ...all, chatType: 'p2p' }), undefined);
	// Mention gating applies to groups only.
	const mentionOnly = { ...all, onlyWhenBotMentionedInGroups: true };
	assert.equal(filterReason(group, mentionOnly), undefined);
	assert.match(filterReason(groupNoMention, mentionOnly)!, /mentioned/);
	assert.equal(filterReason(p2p, mentionOnly), undefined);
	assert.match(filterReason(fromBot, { ...all, ignoreBotMessages: true })!, /bot/);
	assert.equal(filterReason(fromBot, { ...all, ignoreBotMessages: false }), undefined);
	assert.match(filterReason(image, { ...all, messageTypes: ['text', 'post'] })!, /message type/);
	assert.equal(filterReason(group, { ...all, messageTypes: ['text', 'post'] }), undefined);
	// Message filters never drop other events.
	const disband = shapeEvent(parseEnvelope({ schema: '2.0', header: { event_id: 'e', event_type: 'im.chat.disbanded_v1' }, event: { chat_id: 'oc_1' } }));
	assert.equal(disband.chat_id, 'oc_1', 'other events surface their chat_id');
	const reaction = shapeEvent(parseEnvelope({ schema: '2.0', header: { event_id: 'r', event_type: 'im.message.reaction.created_v1' }, event: { message_id: 'om_r', reaction_type: { emoji_type: 'OK' } } }));
	assert.equal(reaction.message_id, 'om_r');
	assert.equal(reaction.chat_id, undefined);
	assert.equal(filterReason(disband, { eventTypes: ['*'], chatType: 'p2p', onlyWhenBotMentionedInGroups: true, messageTypes: ['text'] }), undefined);
	assert.equal(processEvent(message(), { eventTypes: [] }, BOT), undefined, 'an empty selection matches nothing');
	assert.equal(processEvent(message(), { eventTypes: ['im.message.receive_v1'] }, BOT)?.message_id, 'om_1');
});

test('card.action.trigger output', () => {
	const env = parseEnvelope({
		schema: '2.0',
		header: { event_id: 'ev_c', event_type: 'card.action.trigger', app_id: 'cli_a', tenant_key: 'tk', create_time: '1', token: '' },
		event: {
			operator: { open_id: 'ou_u', user_id: 'u1', union_id: 'on_u', tenant_key: 'tk' },
			token: 'c-token',
			action: { value: { choice: 'yes' }, tag: 'button' },
			host: 'im_message',
			context: { open_message_id: 'om_card', open_chat_id: 'oc_1' },
		},
	});
	const out = shapeEvent(env);
	assert.deepEqual(out.action, { value: { choice: 'yes' }, tag: 'button' });
	assert.equal((out.operator as any).open_id, 'ou_u');
	assert.equal(out.token, 'c-token');
	assert.equal(out.message_id, 'om_card');
	assert.equal(out.chat_id, 'oc_1');
	assert.deepEqual(out.context, { open_message_id: 'om_card', open_chat_id: 'oc_1', message_id: 'om_card', chat_id: 'oc_1' });
	assert.equal(out.event_type, 'card.action.trigger');
});

test('schema 1.0: flat message event and other events', () => {
	const env = parseEnvelope({
		uuid: 'uu1',
		token: 'v',
		ts: '1700000000.123',
		type: 'event_callback',
		event: {
			type: 'message',
			app_id: 'cli_a',
			tenant_key: 'tk',
			chat_type: 'private',
			msg_type: 'text',
			open_id: 'ou_u',
			open_chat_id: 'oc_1',
			open_message_id: 'om_1',
			is_mention: false,
			text: 'hello',
			text_without_at_bot: 'hello',
		},
	});
	const out = shapeEvent(env);
	assert.equal(out.event_id, 'uu1');
	assert.equal(out.event_type, 'message');
	assert.equal(out.app_id, 'cli_a');
	assert.equal(out.create_time, '1700000000.123');
	assert.equal(out.chat_type, 'p2p');
	assert.equal(out.message_id, 'om_1');
	assert.equal(out.text, 'hello');
	assert.equal(out.uuid, 'uu1');
	assert.equal(filterReason(out, { eventTypes: ['message'], chatType: 'p2p' }), undefined);

	const p2pCreate = shapeEvent(parseEnvelope({ uuid: 'uu2', ts: '1', type: 'event_callback', event: { type: 'p2p_chat_create', app_id: 'cli_a', chat_id: 'oc_2' } }));
	assert.equal(p2pCreate.event_type, 'p2p_chat_create');
	assert.deepEqual(p2pCreate.event, { type: 'p2p_chat_create', app_id: 'cli_a', chat_id: 'oc_2' });
	// A 1.0 envelope around a 2.0-style message body (as some relays send) still gets message fields.
	const mixed = parseEnvelope({ uuid: 'u3', ts: '1', type: 'event_callback', event: { ...message().raw.event, type: 'im.message.receive_v1' } });
	assert.equal(shapeEvent(mixed, BOT).text, '@DeployBot deploy status? cc @Tom');
});

test('custom event type lists and bot identity need', () => {
	assert.deepEqual(parseEventTypeList(' a.b_v1, c.d_v2\ne '), ['a.b_v1', 'c.d_v2', 'e']);
	assert.deepEqual(parseEventTypeList(undefined), []);
	assert.equal(needsBotIdentity(message()), true);
	assert.equal(needsBotIdentity(message({ mentions: [] })), false);
});
