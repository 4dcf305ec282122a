// The package's layering, checked by `npm run lint`: the Feishu wire layer (lib/) knows nothing of
// n8n and of the folders around it, and what ships (nodes/, credentials/) never reaches into the
// sandbox, tests, benchmarks or scripts. One file is the sanctioned exception: lib/feishu/timers.ts
// takes n8n-workflow's abortable sleep, the only timer n8n Cloud's scanner allows.
import fs from 'node:fs';
import path from 'node:path';

const N8N_PACKAGES = /^(n8n-workflow|n8n-core|@n8n\/)/;
const ALLOWED = new Map([['lib/feishu/timers.ts', new Set(['n8n-workflow'])]]);
const RULES = [
	{ from: 'lib', forbidPackages: N8N_PACKAGES, forbidDirs: ['nodes', 'credentials', 'sandbox', 'test', 'bench', 'scripts'] },
	{ from: 'nodes', forbidDirs: ['sandbox', 'test', 'bench', 'scripts'] },
	{ from: 'credentials', forbidDirs: ['sandbox', 'test', 'bench', 'scripts'] },
];
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function tsFiles(dir) {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return tsFiles(full);
		return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
	});
}

/** Every import that breaks a rule, as "file: imports 'x' (reason)". */
export function layerViolations(root) {
	const out = [];
	for (const rule of RULES) {
		for (const file of tsFiles(path.join(root, rule.from))) {
			const rel = path.relative(root, file).split(path.sep).join('/');
			const source = fs.readFileSync(file, 'utf8');
			for (const [, spec] of source.matchAll(SPECIFIER)) {
				if (ALLOWED.get(rel)?.has(spec)) continue;
				if (spec.startsWith('.')) {
					const target = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
					if (rule.forbidDirs.includes(target)) out.push(`${rel}: imports '${spec}' (${rule.from}/ may not depend on ${target}/)`);
				} else if (rule.forbidPackages?.test(spec)) {
					out.push(`${rel}: imports '${spec}' (${rule.from}/ may not depend on n8n)`);
				}
			}
		}
	}
	return out;
}
