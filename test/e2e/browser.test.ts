// A person's view, in a real browser (Debian's Chromium driven by playwright-core):
// 1. the sandbox chat page delivers what is typed to Feishu's official SDK client over the long
//    connection (the sandbox is a Feishu a real client works with);
// 2. `npm run demo` (waiting mode, as a newcomer runs it): a message typed on the sandbox page gets
//    the echo bot's reply from real n8n, for the long-connection and the webhook bot; the printed
//    login opens the echo-bot workflow in the n8n editor; Ctrl-C stops everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as lark from '@larksuiteoapi/node-sdk';
import type { Browser, Page } from 'playwright-core';
import { selectedVersions } from '../../scripts/n8n/install';
import { demoEnv, refused } from './harness';
import { startSandbox, DEMO_APP } from '../../sandbox/server';
// @ts-expect-error plain ES module shared with scripts/screenshot.mjs, no type declarations
import { launchChromium, signInToN8n } from '../../scripts/chromium.mjs';

const root = path.join(__dirname, '..', '..');
const version = selectedVersions()[0];

/** Opens a new p2p conversation with the app's bot on the sandbox page and says `text`. */
async function say(page: Page, appId: string, text: string): Promise<void> {
	await page.locator(`#app-select option[value="${appId}"]`).waitFor({ state: 'attached', timeout: 30_000 });
	await page.selectOption('#app-select', appId);
	await page.click('#new-chat');
	await page.fill('#new-chat-name', 'Alice');
	await page.click('#new-chat-form button[type="submit"]');
	await page.fill('#text', text);
	await page.click('#send');
	await page.locator('#messages', { hasText: text }).first().waitFor({ timeout: 10_000 });
}

test('sandbox page: a typed message reaches the official SDK WSClient over the long connection', { timeout: 300_000 }, async () => {
	const sandbox = await startSandbox({ port: 0, quiet: true });
	const received: any[] = [];
	const ws = new lark.WSClient({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret, domain: sandbox.baseUrl, loggerLevel: lark.LoggerLevel.error });
	let browser: Browser | undefined;
	try {
		await ws.start({
			eventDispatcher: new lark.EventDispatcher({}).register({
				'im.message.receive_v1': async (data: unknown) => {
					received.push(data);
				},
			}),
		});
		browser = (await launchChromium()) as Browser;
		const page = await browser.newPage();
		await page.goto(`${sandbox.baseUrl}/`, { waitUntil: 'domcontentloaded' });
		const text = `hello from a browser ${Date.now()}`;
		await say(page, DEMO_APP.appId, text);
		const deadline = Date.now() + 15_000;
		while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
		assert.equal(received.length, 1, 'the official client got the message once');
		const message = received[0].message;
		assert.deepEqual(JSON.parse(message.content), { text });
		assert.equal(message.chat_type, 'p2p');
		assert.equal(message.message_type, 'text');
		const { connections } = (await (await fetch(`${sandbox.baseUrl}/_sandbox/connections?app_id=${DEMO_APP.appId}`)).json()) as {
			connections: { open: boolean }[];
		};
		assert.equal(connections.filter((c) => c.open).length, 1, 'over the one open long connection of the app');
	} finally {
		await browser?.close();
		ws.close({ force: true });
		await sandbox.close();
	}
});

test(`npm run demo in a browser: both echo bots answer on the sandbox page, the editor shows the workflow, Ctrl-C stops all (n8n ${version})`, { timeout: 900_000 }, async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feishu-demo-browser-'));
	const env = demoEnv(dir, version);
	const demo = spawn(process.execPath, [path.join(root, 'scripts', 'demo.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	demo.stdout.on('data', (d) => (out += d));
	demo.stderr.on('data', (d) => (out += d));
	const exited = new Promise<number>((resolve) => demo.on('close', (code) => resolve(code ?? 1)));
	const stateFile = path.join(dir, 'demo-state.json');
	let browser: Browser | undefined;
	try {
		const deadline = Date.now() + 600_000;
		while (!(fs.existsSync(stateFile) && /Press Ctrl-C/.test(out))) {
			assert.equal(demo.exitCode, null, `the demo exited:\n${out.slice(-4000)}`);
			assert.ok(Date.now() < deadline, `the demo did not come up:\n${out.slice(-4000)}`);
			await new Promise((r) => setTimeout(r, 500));
		}
		const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
		assert.match(out, new RegExp(`n8n \\S+ editor:\\s+${state.editorUrl.replace(/[.]/g, '\\.')}`));
		assert.match(out, new RegExp(`Feishu sandbox chat:\\s+${state.sandboxUrl.replace(/[.]/g, '\\.')}`));

		browser = (await launchChromium()) as Browser;
		const chat = await browser.newPage();
		await chat.goto(state.sandboxUrl, { waitUntil: 'domcontentloaded' });
		const { apps } = (await (await fetch(`${state.sandboxUrl}_sandbox/apps`)).json()) as { apps: { app_id: string; bot_name: string }[] };
		// Two echo bots (long connection and webhook) and the AI assistant's own bot (test/e2e/demo.test.ts checks it answers).
		assert.equal(apps.length, 3, 'three sandbox apps');
		const echoApps = apps.filter((a) => a.bot_name !== 'Sandbox AI Bot');
		assert.equal(echoApps.length, 2, 'two echo bots: long connection and webhook');
		for (const app of echoApps) {
			const text = `hello ${app.bot_name} ${Date.now()}`;
			await say(chat, app.app_id, text);
			await chat.locator('#messages', { hasText: `Echo: ${text}` }).first().waitFor({ timeout: 30_000 });
		}

		// The editor: sign in with the printed login and open the long-connection echo bot.
		const editor = await browser.newPage();
		await signInToN8n(editor, state.editorUrl, state.login);
		const echo = state.workflows.find((w: any) => /long connection/i.test(w.name));
		assert.ok(echo, 'the long-connection echo bot is listed');
		await editor.goto(`${state.editorUrl.replace(/\/$/, '')}/workflow/${echo.id}`, { waitUntil: 'domcontentloaded' });
		await editor.locator('[data-test-id="canvas-node"]', { hasText: 'Feishu Trigger' }).first().waitFor({ timeout: 60_000 });
		assert.ok((await editor.locator('[data-test-id="canvas-node"]').count()) >= 2, 'trigger and reply nodes on the canvas');
	} finally {
		await browser?.close();
		demo.kill('SIGINT');
	}
	assert.equal(await exited, 0, `the demo did not stop cleanly:\n${out.slice(-4000)}`);
	const printed = { editor: out.match(/editor:\s+(\S+)/)?.[1], chat: out.match(/sandbox chat:\s+(\S+)/)?.[1] };
	assert.ok(printed.editor && (await refused(printed.editor)), 'n8n still answers after Ctrl-C');
	assert.ok(printed.chat && (await refused(printed.chat)), 'the sandbox still answers after Ctrl-C');
	assert.ok(!fs.existsSync(stateFile), 'state file left behind');
	fs.rmSync(dir, { recursive: true, force: true });
});
