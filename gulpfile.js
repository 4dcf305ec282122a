// Build: bundle the Feishu wire layer once (it imports nothing but n8n-workflow, which n8n provides,
// and node:crypto, which n8n Cloud allows), then bundle each node and credential with the wire layer
// left as a shared require, so every node in one n8n process sees the same token cache and the same
// gateway connections.
const { src, dest, series } = require('gulp');
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const DIST = path.join(__dirname, 'dist');
const WIRE_DIR = path.join(__dirname, 'lib', 'feishu');
const WIRE_OUT = path.join(DIST, 'lib', 'feishu.js');

function findEntries(dir, suffix) {
	const out = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...findEntries(full, suffix));
		else if (entry.name.endsWith(suffix)) out.push(full);
	}
	return out;
}

// Resolves any import that lands inside lib/feishu (from any file of the entry's bundle) to a require
// of the one shared bundle, relative to where the entry's output file lives.
function sharedWirePlugin(outFile) {
	let rel = path.relative(path.dirname(outFile), WIRE_OUT).replace(/\\/g, '/');
	if (!rel.startsWith('.')) rel = `./${rel}`;
	return {
		name: 'shared-wire-layer',
		setup(build) {
			build.onResolve({ filter: /lib\/feishu/ }, (args) => {
				const target = path.resolve(args.resolveDir, args.path);
				if (!target.startsWith(WIRE_DIR)) return undefined;
				return { path: rel, external: true };
			});
		},
	};
}

// Lazy data files: big JSON that code under nodes/ reads with a `require` inside a function, on first
// use (the API resource's endpoint catalog). esbuild would inline it into the node's bundle, which n8n
// loads at start-up; kept as a require of its own file, which copyAssets puts in dist, it loads only
// when that code runs.
const LAZY_DATA = [path.join(__dirname, 'nodes', 'Feishu', 'api', 'catalog.json')];

function lazyDataPlugin(outFile) {
	return {
		name: 'lazy-data-files',
		setup(build) {
			build.onResolve({ filter: /\.json$/ }, (args) => {
				const target = path.resolve(args.resolveDir, args.path);
				if (!LAZY_DATA.includes(target)) return undefined;
				let rel = path.relative(path.dirname(outFile), path.join(DIST, path.relative(__dirname, target))).replace(/\\/g, '/');
				if (!rel.startsWith('.')) rel = `./${rel}`;
				return { path: rel, external: true };
			});
		},
	};
}

const common = {
	bundle: true,
	platform: 'node',
	target: 'node22',
	format: 'cjs',
	sourcemap: false,
	logLevel: 'warning',
	external: ['n8n-workflow', 'n8n-core'],
};

async function clean() {
	fs.rmSync(DIST, { recursive: true, force: true });
}

async function bundleWire() {
	await esbuild.build({ ...common, entryPoints: [path.join(WIRE_DIR, 'index.ts')], outfile: WIRE_OUT });
}

async function bundleNodes() {
	const entries = [
		...findEntries(path.join(__dirname, 'nodes'), '.node.ts'),
		...findEntries(path.join(__dirname, 'credentials'), '.credentials.ts'),
	];
	await Promise.all(
		entries.map((entry) => {
			const outfile = path.join(DIST, path.relative(__dirname, entry)).replace(/\.ts$/, '.js');
			return esbuild.build({ ...common, entryPoints: [entry], outfile, plugins: [sharedWirePlugin(outfile), lazyDataPlugin(outfile)] });
		}),
	);
}

function copyAssets() {
	return src(['nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports.clean = clean;
exports.build = series(clean, bundleWire, bundleNodes, copyAssets);
exports.default = exports.build;
