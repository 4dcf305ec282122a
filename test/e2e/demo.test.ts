// `npm run demo -- --no-wait` as a newcomer runs it (on free ports, in a temp folder): it prints the
// editor URL with the login and the sandbox chat URL, both echo bots answer its self-check, and it
// stops everything it started (nothing listens on the printed ports afterwards).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectedVersions } from '../../scripts/n8n/install';

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

async function refused(url: string): Promise<boolean> {
	try {
		await fetch(url, { signal: AbortSignal.timeout(2000) });
		return false;
	} catch {
		return true;
	}
}

test(`npm run demo -- --no-wait (n8n ${version})`, { timeout: 600_000 }, async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feishu-demo-'));
	const env: NodeJS.ProcessEnv = { ...process.env, FEISHU_DEMO_DIR: dir, FEISHU_DEMO_N8N_PORT: '0', FEISHU_SANDBOX_PORT: '0', FEISHU_DEMO_N8N_VERSION: version };
	delete env.FEISHU_APP_ID;
	delete env.FEISHU_APP_SECRET;
	delete env.NODE_TEST_CONTEXT;
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
	assert.ok(await refused(editor), 'n8n still answers after the demo stopped');
	assert.ok(await refused(chat), 'the sandbox still answers after the demo stopped');
	assert.ok(!fs.existsSync(path.join(dir, 'demo-state.json')), 'state file left behind');
	fs.rmSync(dir, { recursive: true, force: true });
});
