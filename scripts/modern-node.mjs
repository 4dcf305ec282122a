// The package runs on Node 22 or newer (it uses the global WebSocket), so the test and benchmark
// processes must too: this Node if it is new enough, else Node 24 from the npm registry, installed
// into the project's cache by scripts/n8n/install.ts (the same Node that runs n8n 2.x).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function modernNode() {
	if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
	const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'n8n', 'install.ts'), '--node', '24'], {
		cwd: root,
		stdio: ['ignore', 'pipe', 'inherit'],
		encoding: 'utf8',
	});
	const exec = r.stdout.trim().split('\n').pop();
	if (r.status !== 0 || !exec) throw new Error(`could not install Node 24 (exit ${r.status})`);
	return exec;
}
