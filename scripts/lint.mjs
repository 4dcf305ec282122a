#!/usr/bin/env node
// `npm run lint`: type-checks, then runs n8n's community-package scanner (@n8n/scan-community-package,
// the gate for a verified listing) the way it scans a published version: its `analyzePackage` over the
// source (package.json, nodes/**, credentials/**) and over the unpacked `npm pack` output (every .js
// and package.json). Fails on any error. Warnings are listed from the scanner's own ESLint config.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import glob from 'fast-glob';
import { analyzePackage, buildScanConfig, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';
import { layerViolations } from './layers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKED_PATTERNS = ['**/*.js', 'package.json'];

function run(cmd, args, opts = {}) {
	const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
	if (r.status !== 0) {
		console.error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
		process.exit(1);
	}
	return r;
}

// The warnings analyzePackage does not print when a pass succeeds, with the same config and files.
async function warnings(dir, patterns) {
	const eslint = new ESLint({ cwd: dir, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: await buildScanConfig() });
	const files = glob.sync(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = (await eslint.lintFiles(files)).filter((r) => r.warningCount > 0);
	const count = results.reduce((n, r) => n + r.warningCount, 0);
	const text = count ? await (await eslint.loadFormatter('stylish')).format(results) : '';
	return { count, text };
}

async function scan(label, dir, patterns) {
	const verdict = await analyzePackage(dir, patterns);
	if (!verdict.passed) {
		console.error(`scanner, ${label}: ${verdict.message}`);
		if (verdict.details) console.error(verdict.details);
		return false;
	}
	const w = await warnings(dir, patterns);
	if (w.text) console.log(w.text.trimEnd());
	console.log(`scanner, ${label}: 0 errors, ${w.count} warning${w.count === 1 ? '' : 's'}`);
	return true;
}

run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
const violations = layerViolations(root);
if (violations.length > 0) {
	console.error(`layers: ${violations.length} import(s) across a layer boundary (scripts/layers.mjs):\n${violations.join('\n')}`);
	process.exit(1);
}
console.log('layers: lib/ free of n8n (but for timers.ts), nodes/ and credentials/ free of sandbox, tests, benchmarks and scripts');
run('npm', ['run', 'build', '--silent']);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'feishu-lint-'));
try {
	const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	const tarball = packed.stdout.trim().split('\n').pop();
	if (packed.status !== 0 || !tarball) throw new Error('npm pack failed');
	const unpacked = path.join(work, 'package');
	fs.mkdirSync(unpacked);
	run('tar', ['-xzf', path.join(work, tarball), '-C', unpacked, '--strip-components=1']);
	const ok = (await scan('source', root, SOURCE_FILE_PATTERNS)) & (await scan('packed package', unpacked, PACKED_PATTERNS));
	process.exitCode = ok ? 0 : 1;
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
