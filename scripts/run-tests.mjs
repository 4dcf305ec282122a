#!/usr/bin/env node
// Runs the whole suite: builds dist (the end-to-end tests install the packed package into real n8n),
// runs the unit, wire and sandbox tests in parallel, then the real-n8n tests one file at a time,
// and closes with one "N passed, N failed" line for the whole run.
// Flags: --unit skips the real-n8n tests; FEISHU_TEST_FILTER=<substring> runs only matching files.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modernNode } from './modern-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit') || process.env.FEISHU_TEST_UNIT_ONLY === '1';
const filter = process.env.FEISHU_TEST_FILTER;

function findTests(dir) {
	if (!fs.existsSync(dir)) return [];
	const out = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...findTests(full));
		else if (entry.name.endsWith('.test.ts')) out.push(path.relative(root, full));
	}
	return out.sort();
}

const all = findTests(path.join(root, 'test')).filter((f) => !filter || f.includes(filter));
const e2eDir = `test${path.sep}e2e${path.sep}`;
const fast = all.filter((f) => !f.startsWith(e2eDir));
const e2e = unitOnly ? [] : all.filter((f) => f.startsWith(e2eDir));

const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
	console.error('build failed');
	console.log('0 passed, 1 failed');
	process.exit(1);
}

const node = modernNode();

function runNodeTests(files, concurrency) {
	return new Promise((resolve) => {
		if (files.length === 0) return resolve({ pass: 0, fail: 0, code: 0 });
		const child = spawn(
			node,
			['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files],
			{ cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } },
		);
		let out = '';
		child.stdout.on('data', (d) => {
			out += d;
			process.stdout.write(d);
		});
		child.on('close', (code) => {
			const num = (name) => Number((out.match(new RegExp(`^\\S* ?${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
			resolve({ pass: num('pass'), fail: num('fail') + num('cancelled'), code: code ?? 1 });
		});
	});
}

const a = await runNodeTests(fast, 2);
const b = await runNodeTests(e2e, 1);
const pass = a.pass + b.pass;
const fail = a.fail + b.fail + (a.code !== 0 && a.fail === 0 ? 1 : 0) + (b.code !== 0 && b.fail === 0 ? 1 : 0);
console.log(`\n${pass} passed, ${fail} failed`);
process.exit(fail === 0 && pass > 0 ? 0 : 1);
