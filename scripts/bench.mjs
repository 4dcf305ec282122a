#!/usr/bin/env node
// `npm run bench`: runs bench/run.ts with tsx (it runs every benchmark and writes bench/RESULTS.md).
// Extra arguments pass through: --quick, --no-n8n, --out <file>.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modernNode } from './modern-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(modernNode(), ['--import', 'tsx', path.join(root, 'bench', 'run.ts'), ...process.argv.slice(2)], {
	cwd: root,
	stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
