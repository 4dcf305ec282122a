#!/usr/bin/env node
// `npm run demo`: real n8n + this package + the Feishu sandbox, with the example workflows active.
// Plain Node so it runs on a fresh clone: installs the dev dependencies if they are missing, then
// loads the TypeScript demo (scripts/n8n/demo.ts) through tsx. See that file for the options.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (!fs.existsSync(path.join(root, 'node_modules', 'tsx')) || !fs.existsSync(path.join(root, 'node_modules', 'gulp'))) {
	console.log('Installing the dev dependencies (npm ci) ...');
	const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
	if (r.status !== 0) process.exit(r.status ?? 1);
}

const { require: tsxRequire } = await import('tsx/cjs/api');
const { runDemo } = tsxRequire('./n8n/demo.ts', import.meta.url);
try {
	await runDemo();
	process.exit(0);
} catch (err) {
	console.error(`demo failed: ${err instanceof Error ? err.message : err}`);
	process.exit(1);
}
