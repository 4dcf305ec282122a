// The chat page is served from the sandbox (no build step) and its script is valid JavaScript that
// only talks to the control API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { startSandbox, type Sandbox } from '../../sandbox/server';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true });
});
after(() => sb.close());

test('GET / serves the chat page with its script and stylesheet', async () => {
	const html = await fetch(`${sb.baseUrl}/`);
	assert.equal(html.status, 200);
	assert.match(html.headers.get('content-type') ?? '', /text\/html/);
	const text = await html.text();
	assert.match(text, /<script src="\/page\/app.js">/);
	assert.match(text, /id="composer"/);
	const js = await fetch(`${sb.baseUrl}/page/app.js`);
	assert.equal(js.status, 200);
	const source = await js.text();
	assert.doesNotThrow(() => new Script(source), 'app.js parses');
	for (const path of ['chats', 'apps', 'connections', '/click']) assert.ok(source.includes(path), `app.js uses ${path}`);
	const css = await fetch(`${sb.baseUrl}/page/style.css`);
	assert.equal(css.status, 200);
	assert.match(css.headers.get('content-type') ?? '', /text\/css/);
});

test('unknown paths: Open API style 404 text, control API JSON 404', async () => {
	const a = await fetch(`${sb.baseUrl}/open-apis/nope`);
	assert.equal(a.status, 404);
	assert.equal(await a.text(), '404 page not found');
	const b = await fetch(`${sb.baseUrl}/_sandbox/nope`);
	assert.equal(b.status, 404);
	assert.equal(((await b.json()) as any).ok, false);
});
