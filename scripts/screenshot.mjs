#!/usr/bin/env node
// Screenshots for the README, taken by a real browser (Debian's Chromium driven by playwright-core)
// against the demo: the echo-bot workflow in the n8n editor (docs/images/echo-bot-workflow.png) and
// a conversation on the sandbox chat page where the bot answers (docs/images/sandbox-chat.png), the
// Feishu node's chat picker (docs/images/chat-picker.png) and the Feishu Trigger listening for a test
// event (docs/images/trigger-listening.png).
// Uses a running `npm run demo` when there is one, otherwise starts the demo and stops it afterwards.
// Installs Debian's chromium with apt-get when /usr/bin/chromium is missing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openNode, signInToN8n } from './chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = process.env.FEISHU_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-feishu-bot');
const stateFile = path.join(process.env.FEISHU_DEMO_DIR || cacheRoot, 'demo-state.json');
const outDir = path.join(root, 'docs', 'images');

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function readState() {
	try {
		const s = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
		return pidAlive(s.pid) ? s : undefined;
	} catch {
		return undefined;
	}
}

/** A running demo, or one started here (returned with its child process to stop later). */
async function demo() {
	const running = readState();
	if (running) return { state: running };
	console.log('Starting the demo (npm run demo) ...');
	const child = spawn(process.execPath, [path.join(root, 'scripts', 'demo.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	child.stdout.on('data', (d) => (out += d));
	child.stderr.on('data', (d) => (out += d));
	const deadline = Date.now() + 15 * 60_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`the demo exited:\n${out.slice(-3000)}`);
		const s = readState();
		if (s && s.pid === child.pid) return { state: s, child };
		await new Promise((r) => setTimeout(r, 500));
	}
	child.kill('SIGINT');
	throw new Error(`the demo did not come up:\n${out.slice(-3000)}`);
}

async function main() {
	const browser = await launchChromium();
	const { state, child } = await demo().catch(async (error) => {
		await browser.close();
		throw error;
	});
	try {
		fs.mkdirSync(outDir, { recursive: true });
		const context = await browser.newContext({ viewport: { width: 1440, height: 860 }, deviceScaleFactor: 1 });
		const page = await context.newPage();

		// n8n: sign in through the form like a person, then open the echo bot.
		await signInToN8n(page, state.editorUrl, state.login);
		const echo = state.workflows.find((w) => /long connection/i.test(w.name)) ?? state.workflows[0];
		await page.goto(`${state.editorUrl.replace(/\/$/, "")}/workflow/${echo.id}`, { waitUntil: 'domcontentloaded' });
		await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
		await page.keyboard.press('Escape'); // any welcome popover
		await page.waitForTimeout(2500); // fit-to-view animation
		const editorShot = path.join(outDir, 'echo-bot-workflow.png');
		await page.screenshot({ path: editorShot });
		console.log(`saved ${path.relative(root, editorShot)}`);

		const example = (file) => JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
		const nodeId = (file, type) => example(file).nodes.find((n) => n.type === type).id;
		if (state.sandboxUrl) {
			// A few groups with the bot in them, so the picker has something to list.
			const { apps } = await (await fetch(`${state.sandboxUrl}_sandbox/apps`)).json();
			for (const name of ['Release train', 'Support room', 'Design crit']) {
				await fetch(`${state.sandboxUrl}_sandbox/chats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: apps[0].app_id, name }) });
			}
			const send = state.workflows.find((w) => /send a message/i.test(w.name));
			await openNode(page, state.editorUrl, send.id, nodeId('send-message.json', 'n8n-nodes-feishu-bot.feishu'));
			await page.locator('[data-test-id="resource-locator-chatId"] [data-test-id="rlc-input"]').click();
			await page.locator('[data-test-id="rlc-item"]').first().waitFor({ timeout: 30_000 });
			await page.waitForTimeout(800);
			const pickerShot = path.join(outDir, 'chat-picker.png');
			await page.screenshot({ path: pickerShot });
			console.log(`saved ${path.relative(root, pickerShot)}`);
			await page.keyboard.press('Escape');
		}

		const echoTrigger = nodeId('echo-bot-long-connection.json', 'n8n-nodes-feishu-bot.feishuTrigger');
		await openNode(page, state.editorUrl, echo.id, echoTrigger);
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.locator('[data-test-id="trigger-execute-button"]').first().click();
		await ndv.getByText('Stop Listening').first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(1000);
		const listeningShot = path.join(outDir, 'trigger-listening.png');
		await page.screenshot({ path: listeningShot });
		console.log(`saved ${path.relative(root, listeningShot)}`);
		await ndv.getByText('Stop Listening').first().click();

		if (state.sandboxUrl) {
			const chat = await context.newPage();
			await chat.goto(state.sandboxUrl, { waitUntil: 'domcontentloaded' });
			await chat.locator('#app-select option').first().waitFor({ state: 'attached', timeout: 30_000 });
			await chat.click('#new-chat');
			await chat.fill('#new-chat-name', 'Alice');
			await chat.click('#new-chat-form button[type="submit"]');
			const text = 'Hi bot, can you hear me?';
			await chat.fill('#text', text);
			await chat.click('#send');
			await chat.locator('#messages', { hasText: `Echo: ${text}` }).waitFor({ timeout: 30_000 });
			await chat.waitForTimeout(1200);
			const chatShot = path.join(outDir, 'sandbox-chat.png');
			await chat.screenshot({ path: chatShot });
			console.log(`saved ${path.relative(root, chatShot)}`);
		}
	} finally {
		await browser.close();
		if (child) {
			child.kill('SIGINT');
			await new Promise((r) => child.once('exit', r));
		}
	}
}

main().catch((err) => {
	console.error(`screenshot failed: ${err instanceof Error ? err.stack : err}`);
	process.exit(1);
});
