// The CardKit wire functions against the sandbox: the requests they make, the card entity each leaves
// (GET /_sandbox/cardkit/cards/:card_id), and the checks made before any request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FeishuApiClient, FeishuApiError, FeishuValidationError } from '../../../lib/feishu';
import {
	cardEntityContent,
	createCardEntity,
	patchCardSettings,
	replyCardEntity,
	streamElementContent,
	updateCardEntity,
} from '../../../lib/feishu/cardKit';
import type { Sandbox } from '../../../sandbox/server';
import { apiCalls, chatMessages, control, credsFor, sandbox, userSays } from '../../helpers/sandbox';

let sb: Sandbox;
let client: FeishuApiClient;
const CHAT = 'oc_cardkit_wire_0001';
let question: string;

before(async () => {
	sb = await sandbox();
	client = new FeishuApiClient(credsFor(sb), { retryBaseDelayMs: 10 });
	question = (await userSays(sb, CHAT, { text: 'stream me something' })).message_id;
});
after(() => sb.close());

const streamingCard = (text = 'Thinking…') => ({
	schema: '2.0',
	config: { streaming_mode: true, update_multi: true },
	body: { elements: [{ tag: 'markdown', element_id: 'answer', content: text }] },
});

const entity = (cardId: string) => control(sb, 'GET', `cardkit/cards/${cardId}`);

test('cardEntityContent is the interactive reference to an entity', () => {
	assert.equal(cardEntityContent('7355372766134157313'), '{"type":"card","data":{"card_id":"7355372766134157313"}}');
	assert.throws(() => cardEntityContent('../x'), FeishuValidationError);
});

test('create, reply with it, stream, patch settings, update: each recorded in order', async () => {
	const cardId = await createCardEntity(client, streamingCard());
	assert.match(cardId, /^\d+$/);
	const create = (await apiCalls(sb)).at(-1)!;
	assert.equal(create.path, '/open-apis/cardkit/v1/cards');
	assert.equal(create.body.type, 'card_json');
	assert.deepEqual(JSON.parse(create.body.data), streamingCard());

	const sent = await replyCardEntity(client, { messageId: question, cardId });
	assert.match(sent.message_id, /^om_/);
	const reply = (await apiCalls(sb)).at(-1)!;
	assert.equal(reply.body.msg_type, 'interactive');
	assert.equal(reply.body.content, cardEntityContent(cardId));
	assert.ok(typeof reply.body.uuid === 'string' && reply.body.uuid.length <= 50, 'the reply carries a uuid');

	await streamElementContent(client, { cardId, elementId: 'answer', content: 'Hello', sequence: 1, uuid: 'u-1' });
	await streamElementContent(client, { cardId, elementId: 'answer', content: 'Hello, world', sequence: 2 });
	let e = await entity(cardId);
	assert.equal(e.message_id, sent.message_id);
	assert.equal(e.card.body.elements[0].content, 'Hello, world');
	assert.equal(e.streaming_mode, true);

	await patchCardSettings(client, { cardId, settings: { config: { streaming_mode: false, summary: { content: 'Hello' } } }, sequence: 3 });
	const patch = (await apiCalls(sb)).at(-1)!;
	assert.equal(patch.method, 'PATCH');
	assert.equal(typeof patch.body.settings, 'string', 'settings go as a JSON string');
	e = await entity(cardId);
	assert.equal(e.streaming_mode, false);
	assert.equal(e.card.config.summary.content, 'Hello');

	const final = { schema: '2.0', config: { streaming_mode: false, update_multi: true }, body: { elements: [{ tag: 'markdown', element_id: 'answer', content: 'Done.' }] } };
	await updateCardEntity(client, { cardId, card: final, sequence: 10, uuid: 'u-final' });
	const update = (await apiCalls(sb)).at(-1)!;
	assert.deepEqual(Object.keys(update.body).sort(), ['card', 'sequence', 'uuid']);
	assert.equal(update.body.card.type, 'card_json');
	e = await entity(cardId);
	assert.deepEqual(e.card, final);
	assert.equal(e.sequence, 10);
	assert.deepEqual(
		e.history.map((h: any) => [h.op, h.sequence, h.code]),
		[['create', null, 0], ['send', null, 0], ['content', 1, 0], ['content', 2, 0], ['settings', 3, 0], ['update', 10, 0]],
	);
	// The message shows the entity's current card.
	const shown = (await chatMessages(sb, CHAT)).find((m) => m.message_id === sent.message_id);
	assert.ok(shown, 'the card message is in the chat');
	assert.match(JSON.stringify(shown), /Done\./);
});

test('a repeated uuid is answered, not applied again; a lower sequence is 300317', async () => {
	const cardId = await createCardEntity(client, streamingCard());
	await streamElementContent(client, { cardId, elementId: 'answer', content: 'one', sequence: 5, uuid: 'same' });
	await streamElementContent(client, { cardId, elementId: 'answer', content: 'one', sequence: 5, uuid: 'same' });
	let e = await entity(cardId);
	assert.deepEqual(e.history.filter((h: any) => h.op === 'content').map((h: any) => [h.sequence, Boolean(h.replay)]), [[5, false], [5, true]]);

	await assert.rejects(
		streamElementContent(client, { cardId, elementId: 'answer', content: 'two', sequence: 5 }),
		(err: unknown) => err instanceof FeishuApiError && err.code === 300317,
	);
	e = await entity(cardId);
	assert.equal(e.card.body.elements[0].content, 'one', 'a refused operation changes nothing');
	const { rejections } = await control(sb, 'GET', `cardkit/rejections?card_id=${cardId}`);
	assert.deepEqual(rejections.map((r: any) => r.code), [300317]);
});

test('content after streaming closed is refused with 300309', async () => {
	const cardId = await createCardEntity(client, streamingCard());
	await patchCardSettings(client, { cardId, settings: { config: { streaming_mode: false } }, sequence: 1 });
	await assert.rejects(
		streamElementContent(client, { cardId, elementId: 'answer', content: 'late', sequence: 2 }),
		(err: unknown) => err instanceof FeishuApiError && err.code === 300309,
	);
});

test('ids, sequences, uuids and cards are checked before any request', async () => {
	const calls = (await apiCalls(sb)).length;
	const invalid = (field: string) => (err: unknown) => err instanceof FeishuValidationError && err.field === field;
	await assert.rejects(streamElementContent(client, { cardId: '../7', elementId: 'answer', content: 'x', sequence: 1 }), invalid('card_id'));
	await assert.rejects(streamElementContent(client, { cardId: '7', elementId: 'a/b', content: 'x', sequence: 1 }), invalid('element_id'));
	await assert.rejects(streamElementContent(client, { cardId: '7', elementId: 'answer', content: '', sequence: 1 }), invalid('content'));
	await assert.rejects(streamElementContent(client, { cardId: '7', elementId: 'answer', content: 'x', sequence: 0 }), invalid('sequence'));
	await assert.rejects(updateCardEntity(client, { cardId: '7', card: {}, sequence: 2 ** 31 }), invalid('sequence'));
	await assert.rejects(updateCardEntity(client, { cardId: '7', card: {}, sequence: 1.5 }), invalid('sequence'));
	await assert.rejects(patchCardSettings(client, { cardId: '7', settings: {}, sequence: 1, uuid: 'x'.repeat(65) }), invalid('uuid'));
	await assert.rejects(createCardEntity(client, [] as unknown as object), invalid('card'));
	await assert.rejects(replyCardEntity(client, { messageId: question, cardId: '7', uuid: 'x'.repeat(51) }), invalid('uuid'));
	assert.equal((await apiCalls(sb)).length, calls, 'nothing was sent');
});

test('Feishu refusals come back as FeishuApiError', async () => {
	await assert.rejects(createCardEntity(client, { schema: '1.0', body: { elements: [] } }), (err: unknown) => err instanceof FeishuApiError && err.code === 300303);
	await assert.rejects(
		updateCardEntity(client, { cardId: '7000000000000000001', card: streamingCard(), sequence: 1 }),
		(err: unknown) => err instanceof FeishuApiError && err.code === 200740,
	);
	const cardId = await createCardEntity(client, streamingCard());
	await replyCardEntity(client, { messageId: question, cardId });
	// An entity is sent once.
	await assert.rejects(replyCardEntity(client, { messageId: question, cardId }), (err: unknown) => err instanceof FeishuApiError && err.code === 230099);
});
