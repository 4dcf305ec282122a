// The scripted model's defaults (PUT /_sandbox/model/defaults, the CLI's --model-delay-ms and
// --model-reply, the demo): the pace of replies that set none, the demo's wording of the unscripted
// reply, kept through a reset; bad bodies refused.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoReplyText, MODEL_API_BASE } from '../../sandbox/modelApi';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { control } from '../helpers/sandboxTests';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true });
});
after(() => sb.close());
beforeEach(async () => {
	await control(sb.baseUrl, 'PUT', 'model/defaults', {});
	await control(sb.baseUrl, 'POST', 'model/reset', {});
});

const ask = async (messages: unknown[]) => {
	const res = await fetch(`${sb.baseUrl}${MODEL_API_BASE}/chat/completions`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
		body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages }),
	});
	await res.text();
	const { requests } = await control<{ requests: any[] }>(sb.baseUrl, 'GET', 'model/requests');
	return requests.at(-1).reply;
};

test('delayMs and firstTokenDelayMs pace the default reply and scripted replies that set none; a reply\'s own pace wins', async () => {
	await control(sb.baseUrl, 'PUT', 'model/defaults', { delayMs: 30, firstTokenDelayMs: 100 });
	const t0 = Date.now();
	const paced = await ask([{ role: 'user', content: 'one two three four' }]);
	assert.ok(paced.firstTokenAt - t0 >= 90, `first token after ${paced.firstTokenAt - t0} ms`);
	assert.ok(paced.lastTokenAt - paced.firstTokenAt >= 30 * (paced.tokens - 1) - 10, `${paced.tokens} tokens over ${paced.lastTokenAt - paced.firstTokenAt} ms`);
	await control(sb.baseUrl, 'PUT', 'model/script', { replies: [{ tokens: ['a', 'b', 'c'] }, { tokens: ['x', 'y', 'z'], delayMs: 0, firstTokenDelayMs: 0 }] });
	const scripted = await ask([{ role: 'user', content: 'q' }]);
	assert.ok(scripted.lastTokenAt - scripted.firstTokenAt >= 50, 'the default pace applies to a scripted reply without one');
	const own = await ask([{ role: 'user', content: 'q' }]);
	assert.ok(own.lastTokenAt - own.firstTokenAt < 30, 'a reply\'s own delayMs: 0 wins');
});

test('reply "demo": a friendly Markdown answer that shows the memory; "echo" (the default) stays the test reply; kept through a reset', async () => {
	const echo = await ask([{ role: 'user', content: 'hi' }]);
	assert.equal(echo.text, 'You said: hi. Earlier you said: nothing.');
	await control(sb.baseUrl, 'PUT', 'model/defaults', { reply: 'demo' });
	await control(sb.baseUrl, 'POST', 'model/reset', {});
	assert.deepEqual((await control(sb.baseUrl, 'GET', 'model/defaults')).defaults, { reply: 'demo' });
	const demo = await ask([
		{ role: 'system', content: 'You are helpful.' },
		{ role: 'user', content: 'My name is Alice' },
		{ role: 'assistant', content: '…' },
		{ role: 'user', content: 'Who am I?' },
	]);
	assert.match(demo.text, /\*\*scripted model\*\*/);
	assert.match(demo.text, /^> Who am I\?$/m);
	assert.match(demo.text, /message 2 of our conversation/);
	assert.match(demo.text, /Earlier you said\*\*: "My name is Alice"/);
	assert.equal(demo.text, demoReplyText([{ role: 'user', content: 'My name is Alice' }, { role: 'user', content: 'Who am I?' }]));
	await control(sb.baseUrl, 'PUT', 'model/script', { replies: [{ text: 'scripted wins' }] });
	assert.equal((await ask([{ role: 'user', content: 'x' }])).text, 'scripted wins');
});

test('bad defaults are refused with what is wrong', async () => {
	for (const [body, problem] of [
		[{ delayMs: -1 }, /delayMs must be a non-negative integer/],
		[{ firstTokenDelayMs: 1.5 }, /firstTokenDelayMs must be a non-negative integer/],
		[{ reply: 'poem' }, /reply must be \\"echo\\" or \\"demo\\"/],
		[{ speed: 3 }, /speed is not a defaults field/],
		[[1], /body must be/],
	] as const) {
		await assert.rejects(control(sb.baseUrl, 'PUT', 'model/defaults', body), problem);
	}
});
