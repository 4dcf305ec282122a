// nodes/FeishuTrigger/cardAnswer.ts: which answer reaches Feishu, and when the budget gives up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerWithinBudget, unwrapCardAnswer } from '../../../nodes/FeishuTrigger/cardAnswer';

test('unwrap: n8n full response, JSON string body, bare answer, nothing', () => {
	const toast = { toast: { type: 'success', content: 'ok' } };
	assert.deepEqual(unwrapCardAnswer({ body: toast, headers: {}, statusCode: 200 }), toast);
	assert.deepEqual(unwrapCardAnswer({ body: JSON.stringify(toast), statusCode: 200 }), toast);
	assert.deepEqual(unwrapCardAnswer(toast), toast);
	assert.equal(unwrapCardAnswer({ body: 'not json', statusCode: 200 }), undefined);
	assert.equal(unwrapCardAnswer(undefined), undefined);
	assert.equal(unwrapCardAnswer('text'), undefined);
	// an answer that merely has a "body" key (no status/headers) is an answer, not a wrapper
	assert.deepEqual(unwrapCardAnswer({ body: 1 }), { body: 1 });
});

test('budget: the answer in time, undefined after the budget, on abort, on rejection', async () => {
	assert.deepEqual(await answerWithinBudget(Promise.resolve({ a: 1 }), 1000), { a: 1 });
	const started = Date.now();
	assert.equal(await answerWithinBudget(new Promise(() => {}), 100), undefined);
	assert.ok(Date.now() - started >= 95);
	const abort = new AbortController();
	const pending = answerWithinBudget(new Promise(() => {}), 10_000, abort.signal);
	abort.abort();
	assert.equal(await pending, undefined);
	assert.equal(await answerWithinBudget(Promise.reject(new Error('x')), 1000), undefined);
});
