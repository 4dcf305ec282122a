// The trigger's hand-off to its answer webhook and the reading of n8n's streamed lines (lib/feishu
// answerRelay.ts): seals only the app's secret makes, stale or altered hand-offs refused, chunks folded
// into the answer, Send Answer's final text recognised only with the card's token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerText, answerToken, finalAnswerChunk, HandoffRefused, openHandoff, readChunkLines, sealHandoff, type StreamChunk } from '../../../lib/feishu';

const SECRET = 'app-secret-1';

test('a sealed hand-off opens with the same secret, and only while fresh', () => {
	const item = { message_id: 'om_1', text: 'hi', answer_card: { card_id: '7', message_id: 'om_2', sequence: 0, token: 't' } };
	const sealed = sealHandoff(SECRET, item, 1_000_000);
	assert.deepEqual(openHandoff(SECRET, sealed, 1_000_500), item);
	assert.throws(() => openHandoff('another-secret', sealed, 1_000_500), HandoffRefused);
	assert.throws(() => openHandoff(SECRET, sealed, 1_000_000 + 61_000), /too old/);
	assert.throws(() => openHandoff(SECRET, { ...sealed, item: sealed.item.replace('hi', 'ho') }, 1_000_500), /seal/);
	assert.throws(() => openHandoff(SECRET, { ...sealed, ts: sealed.ts + 1 }, 1_000_500), /seal/);
	for (const body of [undefined, null, 'x', {}, { item: '{}', ts: '1', proof: 'x' }]) assert.throws(() => openHandoff(SECRET, body), HandoffRefused);
	// A seal over text that is not an object is refused too.
	const notObject = sealHandoff(SECRET, [] as unknown as Record<string, unknown>);
	assert.throws(() => openHandoff(SECRET, notObject), /not an object/);
});

test('AnswerText: items of one node run concatenate, runs join with a blank line, begin/end/keepalive change nothing', () => {
	const t = new AnswerText(answerToken(SECRET, 'card1'));
	const meta = (nodeId: string, runIndex = 0) => ({ nodeId, nodeName: nodeId, itemIndex: 0, runIndex });
	assert.equal(t.add({ type: 'begin', metadata: meta('agent') }), false);
	assert.equal(t.add({ type: 'item', content: 'Hel', metadata: meta('agent') }), true);
	assert.equal(t.add({ type: 'item', content: 'lo', metadata: meta('agent') }), true);
	assert.equal(t.add({ type: 'item', content: '', metadata: meta('agent') }), false);
	assert.equal(t.add({ type: 'end', metadata: meta('agent') }), false);
	assert.equal(t.text, 'Hello');
	t.add({ type: 'item', content: 'Second', metadata: meta('agent', 1) });
	assert.equal(t.text, 'Hello\n\nSecond');
	assert.equal(t.error, undefined);
	assert.equal(t.final, undefined);
});

test('AnswerText: the final answer counts only with this card\'s token; an error chunk is kept with a fallback text', () => {
	const token = answerToken(SECRET, 'card1');
	const t = new AnswerText(token);
	const forged = JSON.stringify(finalAnswerChunk(answerToken(SECRET, 'card2'), { text: 'forged' }));
	assert.equal(t.add({ type: 'item', content: forged, metadata: { nodeId: 'x' } }), true, 'another card\'s marker is just text');
	assert.equal(t.final, undefined);
	const real = JSON.stringify(finalAnswerChunk(token, { text: 'The answer', footer: 'gpt' }));
	assert.equal(t.add({ type: 'item', content: real, metadata: { nodeId: 'send' } }), false);
	assert.deepEqual(t.final, { text: 'The answer', footer: 'gpt' });
	t.add({ type: 'error', content: '', metadata: { nodeName: 'AI Agent' } });
	assert.equal(t.error, 'AI Agent failed');
	t.add({ type: 'error', content: ' Rate limit reached ' });
	assert.equal(t.error, 'Rate limit reached');
	assert.notEqual(answerToken(SECRET, 'card1'), answerToken('other', 'card1'));
});

test('readChunkLines: JSON lines split anywhere across reads, keepalives and non-JSON skipped, a last line without newline kept', async () => {
	const lines = [
		{ type: 'begin', metadata: { nodeId: 'a' } },
		{ type: 'keepalive' },
		{ type: 'item', content: 'héllo 你好', metadata: { nodeId: 'a' } },
		{ type: 'end', metadata: { nodeId: 'a' } },
	];
	const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n<html>oops</html>\n' + JSON.stringify({ type: 'item', content: 'tail' });
	const bytes = Buffer.from(text, 'utf8');
	async function* pieces() {
		for (let i = 0; i < bytes.length; i += 7) yield new Uint8Array(bytes.subarray(i, i + 7));
	}
	const got: StreamChunk[] = [];
	await readChunkLines(pieces(), (c) => got.push(c));
	assert.deepEqual(got.map((c) => c.type), ['begin', 'item', 'end', 'item']);
	assert.equal(got[1].content, 'héllo 你好');
	assert.equal(got[3].content, 'tail');
});
