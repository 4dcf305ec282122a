// `npm run demo -- --no-wait` as a newcomer runs it (on free ports, in a temp folder): it prints the
// editor URL with the login and the sandbox chat URL, both echo bots answer its self-check, the AI
// assistant (examples/ai-assistant.json on the scripted model) answers a message with a card that streams
// and closes, and it stops everything it started (nothing listens on the printed ports afterwards).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectedVersions } from '../../scripts/n8n/install';
import { demoEnv, refused } from './harness';

const root = path.join(__dirname, '..', '..');
const version = selectedVersions()[0];

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [path.join(root, 'scripts', 'demo.mjs'), '--no-wait'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		child.on('close', (code) => resolve({ code: code ?? 1, out }));
	});
}

test(`npm run demo -- --no-wait (n8n ${version})`, { timeout: 600_000 }, async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feishu-demo-'));
	const env = demoEnv(dir, version);
	const { code, out } = await runDemo(env);
	assert.equal(code, 0, out.slice(-4000));
	const editor = out.match(/n8n \S+ editor:\s+(http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
	const chat = out.match(/Feishu sandbox chat:\s+(http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
	assert.ok(editor, `no editor URL in:\n${out}`);
	assert.ok(chat, `no sandbox URL in:\n${out}`);
	assert.match(out, /login:\s+\S+@\S+ \/ \S+/);
	assert.match(out, /active\s+Feishu: echo bot \(long connection\)/);
	assert.match(out, /active\s+Feishu: echo bot \(webhook\)/);
	assert.match(out, /self-check: Sandbox Bot answered "Echo: self-check/);
	assert.match(out, /self-check: Sandbox Webhook Bot answered "Echo: self-check/);
	assert.match(out, /active\s+AI assistant in Feishu \(streamed answers\)\s+\[Sandbox AI Bot /);
	assert.match(out, /inactive\s+Feishu: approve an expense/);
	const streamed = out.match(/self-check: Sandbox AI Bot answered in a card streamed in (\d+) updates: "Hello! I'm the sandbox's \*\*scripted model\*\*/);
	assert.ok(streamed, `no closed answer card from the AI assistant in:\n${out}`);
	assert.ok(Number(streamed[1]) >= 2, `the answer card got ${streamed[1]} content updates`);
	assert.ok(await refused(editor), 'n8n still answers after the demo stopped');
	assert.ok(await refused(chat), 'the sandbox still answers after the demo stopped');
	assert.ok(!fs.existsSync(path.join(dir, 'demo-state.json')), 'state file left behind');
	fs.rmSync(dir, { recursive: true, force: true });
});
