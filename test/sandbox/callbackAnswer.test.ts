// Which card-callback answers the sandbox accepts (and so shows as a toast / card update).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callbackAnswerProblem } from '../../sandbox/callbackAnswer';
import { cardFromAnswer } from '../../sandbox/cardClicks';

test('valid answers: nothing, {}, toast, raw card, template card, old-style bare card', () => {
	for (const a of [undefined, {}, { toast: { type: 'success', content: 'ok' } }, { toast: { i18n: { zh_cn: '好' } } }, { card: { type: 'raw', data: { elements: [] } } }, { card: { type: 'template', data: { template_id: 'ctp_1' } } }, { elements: [{ tag: 'markdown', content: 'x' }] }]) {
		assert.equal(callbackAnswerProblem(a), undefined, JSON.stringify(a));
	}
	assert.deepEqual(cardFromAnswer({ card: { type: 'raw', data: { elements: [] } } }), { elements: [] });
	assert.deepEqual(cardFromAnswer({ elements: [1] }), { elements: [1] });
	assert.equal(cardFromAnswer({ toast: { content: 'x' } }), undefined);
});

test('invalid answers name the problem', () => {
	assert.match(callbackAnswerProblem('no handler') ?? '', /JSON object/);
	assert.match(callbackAnswerProblem([1]) ?? '', /JSON object/);
	assert.match(callbackAnswerProblem({ toast: { type: 'loud', content: 'x' } }) ?? '', /toast.type/);
	assert.match(callbackAnswerProblem({ toast: { type: 'info' } }) ?? '', /content/);
	assert.match(callbackAnswerProblem({ card: { type: 'raw' } }) ?? '', /data/);
	assert.match(callbackAnswerProblem({ card: { type: 'template', data: {} } }) ?? '', /template_id/);
	assert.match(callbackAnswerProblem({ card: { foo: 1 } }) ?? '', /raw/);
});
