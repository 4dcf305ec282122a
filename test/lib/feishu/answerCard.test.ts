// StreamingAnswerCard against the sandbox's CardKit: the protocol rules it keeps (sequences rising, at
// most one operation per 100 ms on a card, the newest text sent, a retry as the same request), read from
// the entity's history (GET /_sandbox/cardkit/cards/:card_id) and the recorded calls. No wall-clock speed
// is asserted, only order and spacing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTransport, FeishuApiClient, FeishuApiError, FeishuNetworkError, FeishuValidationError, type HttpTransport } from '../../../lib/feishu';
import { answerParts, answerSummary, StreamingAnswerCard, streamingAnswerText, thinkingCard } from '../../../lib/feishu/answerCard';
import { ANSWER_PART_MAX, toCardMarkdown } from '../../../lib/feishu/answerMarkdown';
import { streamElementContent } from '../../../lib/feishu/cardKit';
import { delay } from '../../../lib/feishu/timers';
import type { Sandbox } from '../../../sandbox/server';
import { apiCalls, chatMessages, control, credsFor, sandbox, userSays } from '../../helpers/sandbox';

let sb: Sandbox;
let client: FeishuApiClient;
const CHAT = 'oc_answer_card_0001';

before(async () => {
	sb = await sandbox();
	client = new FeishuApiClient(credsFor(sb));
});
after(() => sb.close());

const ask = async (text = 'a question') => (await userSays(sb, CHAT, { text })).message_id;
const entity = (cardId: string) => control(sb, 'GET', `cardkit/cards/${cardId}`);
const rejections = async (cardId: string) => (await control(sb, 'GET', `cardkit/rejections?card_id=${cardId}`)).rejections as any[];

/** Operations on the card in the order the sandbox took them; `send` is the message, not a card operation. */
async function cardOps(cardId: string): Promise<any[]> {
	return (await entity(cardId)).history.filter((h: any) => h.op !== 'send');
}

function assertPaced(ops: any[], minGapMs = 100): void {
	for (let i = 1; i < ops.length; i++) {
		const gap = ops[i].at - ops[i - 1].at;
		assert.ok(gap >= minGapMs, `operations ${i - 1} (${ops[i - 1].op}) and ${i} (${ops[i].op}) only ${gap} ms apart`);
	}
}

function assertRising(ops: any[]): void {
	const seqs = ops.filter((o) => o.sequence !== null).map((o) => o.sequence as number);
	for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `sequence ${seqs[i]} after ${seqs[i - 1]}`);
}

/** The content PUTs the sandbox recorded for a card, in order. */
async function contentCalls(cardId: string): Promise<any[]> {
	return (await apiCalls(sb)).filter((c) => c.method === 'PUT' && c.path === `/open-apis/cardkit/v1/cards/${cardId}/elements/answer/content`);
}

const ANSWER = [
	'# Plan',
	'',
	'Here is **how** to do it, step by step:',
	'',
	'1. Read the file',
	'2. Parse it:',
	'',
	'```ts',
	'const rows = text.split("\\n").map((line) => line.split(","));',
	'console.log(rows.length);',
	'```',
	'',
	'| step | time |',
	'| --- | --- |',
	'| read | 2 s |',
	'| parse | 1 s |',
	'',
	'That is all. <at id=all></at> should stay text.',
].join('\n');

function pieces(text: string, n: number): string[] {
	const cut = (i: number) => Math.round((i * text.length) / n);
	return Array.from({ length: n }, (_, i) => text.slice(cut(i), cut(i + 1)));
}

const fenceCount = (s: string) => s.split('\n').filter((l) => /^\s*```/.test(l)).length;

test('a text pushed in 40 pieces 20 ms apart: paced, ordered, balanced, closed with the full text', async () => {
	const card = new StreamingAnswerCard(client, { title: 'Assistant' });
	const question = await ask();
	const started = await card.start({ replyTo: question, thinking: 'Thinking…' });
	assert.match(started.card_id, /^\d+$/);
	assert.match(started.message_id, /^om_/);
	assert.equal(card.cardId, started.card_id);

	const e0 = await entity(started.card_id);
	assert.deepEqual(e0.card, thinkingCard({ title: 'Assistant', thinking: 'Thinking…' }));
	assert.equal(e0.streaming_mode, true);
	assert.equal(e0.message_id, started.message_id);

	const parts = pieces(ANSWER, 40);
	assert.equal(parts.length, 40);
	let soFar = '';
	const prefixes: string[] = [];
	for (const p of parts) {
		soFar += p;
		prefixes.push(soFar);
		card.push(soFar);
		await delay(20);
	}
	await card.flush();
	const result = await card.finish(ANSWER, { footer: 'gpt-4o-mini · 3.2 s' });
	assert.deepEqual(result, { card_id: started.card_id, message_id: started.message_id, extra_message_ids: [] });

	const ops = await cardOps(started.card_id);
	const contents = ops.filter((o) => o.op === 'content');
	assert.ok(contents.length >= 5, `${contents.length} content updates`);
	assert.ok(contents.length < 40, 'updates were coalesced');
	assert.deepEqual(ops.map((o) => o.op), ['create', ...contents.map(() => 'content'), 'update']);
	assert.ok(ops.every((o) => o.code === 0));
	assertRising(ops);
	assertPaced(ops);
	assert.deepEqual(await rejections(started.card_id), []);

	// Each update is the render of a longer prefix of the answer, and has no open fence.
	const sent = (await contentCalls(started.card_id)).map((c) => c.body.content as string);
	assert.equal(sent.length, contents.length);
	let at = -1;
	for (const content of sent) {
		const k = prefixes.findIndex((p, i) => i > at && streamingAnswerText(p) === content);
		assert.ok(k > at, `an update out of order or not a prefix: ${JSON.stringify(content.slice(-40))}`);
		at = k;
		assert.equal(fenceCount(content) % 2, 0, 'fences balanced');
		assert.ok(!content.includes('<at'), 'tags escaped');
	}
	assert.equal(sent.at(-1), toCardMarkdown(ANSWER), 'the last update had the whole text');

	const e = await entity(started.card_id);
	assert.equal(e.streaming_mode, false);
	assert.equal(e.card.config.streaming_mode, false);
	assert.equal(e.card.config.summary.content, 'Plan');
	assert.equal(e.card.header.title.content, 'Assistant');
	const [answer, footer] = e.card.body.elements;
	assert.equal(answer.element_id, 'answer');
	assert.equal(answer.content, toCardMarkdown(ANSWER));
	assert.equal(footer.element_id, 'footer');
	assert.equal(footer.text_size, 'notation');
	assert.match(footer.content, /^<font color='grey'>gpt-4o-mini · 3\.2 s<\/font>$/);
	assert.equal(e.sequence, card.sequence);

	// The chat shows the final card as the reply to the question.
	const m = (await chatMessages(sb, CHAT)).find((x) => x.message_id === started.message_id);
	assert.equal(m.parent_id, question);
	assert.equal(m.content.body.elements[0].content, toCardMarkdown(ANSWER));
});

test('4,000+ characters pushed as fast as they come: no update faster than the limit', async () => {
	const text = Array.from({ length: 60 }, (_, i) => `Line ${i}: ${'lorem ipsum dolor sit amet '.repeat(3)}`).join('\n');
	assert.ok(text.length > 4000);
	const card = new StreamingAnswerCard(client);
	const { card_id: cardId } = await card.start({ replyTo: await ask() });
	// 10 characters a push, a push every 2 ms or so: far more than the card takes.
	let pushes = 0;
	for (let i = 10; i < text.length; i += 10) {
		card.push(text.slice(0, i));
		pushes++;
		await delay(2);
	}
	card.push(text);
	await card.finish(text);

	const ops = await cardOps(cardId);
	assertPaced(ops);
	assertRising(ops);
	const contents = ops.filter((o) => o.op === 'content').length;
	assert.ok(contents >= 2 && contents < pushes / 4, `${contents} updates for ${pushes} pushes`);
	assert.deepEqual(await rejections(cardId), []);
	const e = await entity(cardId);
	assert.equal(e.card.body.elements[0].content, toCardMarkdown(text));
	assert.equal(e.streaming_mode, false);
});

test('a long answer: the first part in the card, the rest as further replies', async () => {
	const paragraph = (i: number) => `## Section ${i}\n\n${`Paragraph ${i} sentence with some words in it. `.repeat(40)}`;
	const text = Array.from({ length: 12 }, (_, i) => paragraph(i)).join('\n\n');
	const parts = answerParts(text);
	assert.ok(parts.length >= 2, `${text.length} characters in ${parts.length} parts`);

	const question = await ask('tell me a lot');
	const card = new StreamingAnswerCard(client);
	const { card_id: cardId, message_id: messageId } = await card.start({ replyTo: question });
	for (let i = 500; i < text.length; i += 500) {
		card.push(text.slice(0, i));
		await delay(5);
	}
	card.push(text);
	const result = await card.finish(text, { footer: 'model · 9.9 s' });
	assert.equal(result.extra_message_ids.length, parts.length - 1);

	// While it streamed, the card never held more than one part.
	for (const c of await contentCalls(cardId)) assert.ok(c.body.content.length <= ANSWER_PART_MAX);
	const e = await entity(cardId);
	assert.equal(e.card.body.elements[0].content, parts[0]);
	assert.equal(e.card.body.elements.at(-1).element_id, 'footer');
	assert.equal(e.card.config.summary.content, 'Section 0');
	assertPaced(await cardOps(cardId));
	assert.deepEqual(await rejections(cardId), []);

	const messages = await chatMessages(sb, CHAT);
	const extra = result.extra_message_ids.map((id) => messages.find((m) => m.message_id === id));
	extra.forEach((m, i) => {
		assert.ok(m, `part ${i + 1} was sent`);
		assert.equal(m.msg_type, 'interactive');
		assert.equal(m.parent_id, question, 'a reply to the question, like the card');
		assert.equal(m.content.schema, '2.0');
		assert.equal(m.content.body.elements.length, 1);
		assert.equal(m.content.body.elements[0].content, parts[i + 1]);
	});
	// In order, after the card.
	const order = messages.map((m) => m.message_id);
	const at = [messageId, ...result.extra_message_ids].map((id) => order.indexOf(id));
	assert.deepEqual([...at].sort((a, b) => a - b), at);
});

test('fail(): the partial text stays with the error line, streaming off', async () => {
	const card = new StreamingAnswerCard(client);
	const { card_id: cardId } = await card.start({ replyTo: await ask() });
	const partial = 'The first step is\n\n```py\nprint("hi")';
	card.push('The first step');
	await delay(30);
	card.push(partial);
	await card.flush();
	const result = await card.fail('the model timed out after 60 s');
	assert.deepEqual(result.extra_message_ids, []);

	const e = await entity(cardId);
	assert.equal(e.streaming_mode, false);
	const [answer, error] = e.card.body.elements;
	assert.equal(answer.content, streamingAnswerText(partial));
	assert.equal(fenceCount(answer.content), 2, 'the open fence is closed');
	assert.equal(error.element_id, 'error');
	assert.match(error.content, /⚠️ The answer stopped: the model timed out after 60 s/);
	assert.match(e.card.config.summary.content, /^⚠️ /);
	assertPaced(await cardOps(cardId));
	assert.deepEqual(await rejections(cardId), []);
	await assert.rejects(card.finish('again'), FeishuValidationError, 'closed once');
	card.push('late'); // ignored once closed
});

test('fail() before any text, with a message that looks like markup', async () => {
	const card = new StreamingAnswerCard(client);
	const { card_id: cardId } = await card.start({ replyTo: await ask() });
	await card.fail('<at id=all></at> *boom*');
	const e = await entity(cardId);
	assert.deepEqual(e.card.body.elements.map((x: any) => x.element_id), ['error']);
	assert.ok(!e.card.body.elements[0].content.includes('<at'));
	assert.ok(!e.card.body.elements[0].content.includes('*boom*'));
});

test('a dropped answer is repeated once with the same uuid and sequence, and applied once', async () => {
	const base = defaultTransport();
	let drop = 0;
	const dropping: HttpTransport = {
		async send(req) {
			const res = await base.send(req);
			// The request reached the sandbox; its answer is lost on the way back.
			if (drop > 0 && req.method === 'PUT' && req.url.endsWith('/elements/answer/content')) {
				drop--;
				throw new FeishuNetworkError(req.method, req.url, 'ECONNRESET', 'socket hang up');
			}
			return res;
		},
	};
	// No retries in the client: the card's own repeat is what is tested.
	const flaky = new FeishuApiClient(credsFor(sb), { transport: dropping, maxRetries: 0 });
	const errors: Error[] = [];
	const card = new StreamingAnswerCard(flaky, { onError: (e) => errors.push(e) });
	const { card_id: cardId } = await card.start({ replyTo: await ask() });
	drop = 1;
	card.push('Hello');
	await card.flush();
	card.push('Hello, world');
	await card.flush();
	await card.finish('Hello, world!');

	const calls = await contentCalls(cardId);
	assert.equal(calls.length, 3);
	assert.equal(calls[0].body.uuid, calls[1].body.uuid);
	assert.equal(calls[0].body.sequence, calls[1].body.sequence);
	assert.ok(calls[2].body.sequence > calls[1].body.sequence);
	const ops = await cardOps(cardId);
	assert.deepEqual(ops.filter((o) => o.op === 'content').map((o) => Boolean(o.replay)), [false, true, false]);
	assertPaced(ops);
	assert.deepEqual(errors, []);
	assert.deepEqual(await rejections(cardId), []);
	assert.equal((await entity(cardId)).card.body.elements[0].content, 'Hello, world!');
});

test('a network failure twice is reported, and streaming goes on with the next push', async () => {
	const base = defaultTransport();
	let drop = 0;
	const dropping: HttpTransport = {
		async send(req) {
			if (drop > 0 && req.method === 'PUT' && req.url.endsWith('/elements/answer/content')) {
				drop--;
				throw new FeishuNetworkError(req.method, req.url, 'ECONNREFUSED', 'connect refused');
			}
			return base.send(req);
		},
	};
	const flaky = new FeishuApiClient(credsFor(sb), { transport: dropping, maxRetries: 0 });
	const errors: Error[] = [];
	const card = new StreamingAnswerCard(flaky, { onError: (e) => errors.push(e) });
	const { card_id: cardId } = await card.start({ replyTo: await ask() });
	drop = 2;
	card.push('one');
	await assert.rejects(card.flush(), FeishuNetworkError);
	assert.equal(errors.length, 1);
	card.push('one two');
	await card.flush();
	assert.equal(card.lastError, undefined);
	await card.finish('one two three');
	const ops = await cardOps(cardId);
	assertRising(ops);
	assertPaced(ops);
	assert.equal((await entity(cardId)).card.body.elements[0].content, 'one two three');
});

test('attached with a stale sequence: 300317 resyncs by bumping, and the card goes on', async () => {
	const first = new StreamingAnswerCard(client);
	const { card_id: cardId, message_id: messageId } = await first.start({ replyTo: await ask() });
	// Someone else moves the card on to sequence 7.
	await streamElementContent(client, { cardId, elementId: 'answer', content: 'elsewhere', sequence: 7 });

	const card = new StreamingAnswerCard(client);
	card.attach({ card_id: cardId, message_id: messageId, sequence: 2 });
	card.push('taken over');
	await card.flush();
	assert.equal((await entity(cardId)).card.body.elements[0].content, 'taken over');
	await card.finish('taken over, done');

	const refused = await rejections(cardId);
	assert.ok(refused.length >= 1 && refused.every((r) => r.code === 300317), JSON.stringify(refused));
	const ops = await cardOps(cardId);
	assertRising(ops.filter((o) => o.code === 0));
	assertPaced(ops.filter((o) => o.at > ops.find((x) => x.sequence === 7).at));
	const e = await entity(cardId);
	assert.equal(e.streaming_mode, false);
	assert.equal(e.sequence, card.sequence);
});

test('another process attaches by ref and finishes the card', async () => {
	const question = await ask();
	const a = new StreamingAnswerCard(client);
	await a.start({ replyTo: question });
	a.push('part one');
	await a.flush();
	const ref = a.toRef()!;
	assert.equal(ref.reply_to, question);

	const b = new StreamingAnswerCard(client);
	b.attach(ref);
	b.push('part one, part two');
	const result = await b.finish('part one, part two.');
	assert.equal(result.card_id, ref.card_id);
	const e = await entity(ref.card_id);
	assert.equal(e.card.body.elements[0].content, 'part one, part two.');
	assertRising(await cardOps(ref.card_id));
	assert.deepEqual(await rejections(ref.card_id), []);
});

test('text pushed while start is under way waits for it', async () => {
	const card = new StreamingAnswerCard(client);
	const starting = card.start({ replyTo: await ask() });
	card.push('early text');
	const { card_id: cardId } = await starting;
	await card.flush();
	assert.equal((await entity(cardId)).card.body.elements[0].content, 'early text');
	await card.finish('early text.');
});

test('Feishu refusing a streamed update stops streaming; finish still closes the card', async () => {
	const card = new StreamingAnswerCard(client);
	const errors: Error[] = [];
	const { card_id: cardId, message_id: messageId } = await card.start({ replyTo: await ask() });
	const other = new StreamingAnswerCard(client, { onError: (e) => errors.push(e) });
	// Streaming closed by someone else: the next update is 300309.
	await card.finish('closed early');
	other.attach({ card_id: cardId, message_id: messageId, sequence: card.sequence });
	other.push('more');
	await assert.rejects(other.flush(), (e: unknown) => e instanceof FeishuApiError && e.code === 300309);
	assert.equal(errors.length, 1);
	other.push('even more'); // no request: streaming was refused for good
	await delay(200);
	const contentOps = (await cardOps(cardId)).filter((o) => o.op === 'content');
	assert.equal(contentOps.length, 1);
	await other.finish('final from the other');
	assert.equal((await entity(cardId)).card.body.elements[0].content, 'final from the other');
});

test('misuse is refused before any request', async () => {
	assert.throws(() => new StreamingAnswerCard(client, { minIntervalMs: 50 }), FeishuValidationError);
	const card = new StreamingAnswerCard(client);
	assert.throws(() => card.push('x'), FeishuValidationError);
	await assert.rejects(card.finish('x'), FeishuValidationError);
	assert.throws(() => card.attach({ card_id: '7', message_id: 'om_x', sequence: -1 }), FeishuValidationError);
	card.attach({ card_id: '7', message_id: 'om_x', sequence: 1 });
	assert.throws(() => card.attach({ card_id: '7', message_id: 'om_x', sequence: 1 }), FeishuValidationError);
});

test('answerSummary: the first line, without Markdown', () => {
	assert.equal(answerSummary('\n\n## **Hello** `world`\nmore'), 'Hello world');
	assert.equal(answerSummary('- [a link](https://x.test) here'), 'a link here');
	assert.equal(answerSummary('x'.repeat(300)).length, 100);
	assert.equal(answerSummary(''), '');
});
