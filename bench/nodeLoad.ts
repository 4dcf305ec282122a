// What the Feishu node costs n8n to load, and what the API resource's endpoint catalog costs: run on a
// built package (dist/), no n8n needed. Per root: the time to require dist/nodes/Feishu/Feishu.node.js
// and build its description, in a fresh Node process each time (median of --runs, default 10), the
// size of that description as JSON (what the editor downloads for the node), whether the bundle
// carries the catalog, the catalog's size (raw and gzip) and endpoint count, and the first and a
// later "From List" search (the catalog's load included in the first).
// CLI: `npx tsx bench/nodeLoad.ts [--runs 10] [<root with dist/> ...]` (default: this repo); prints Markdown.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 10;
const roots = args.length ? args.map((a) => path.resolve(a)) : [path.resolve(__dirname, '..')];

// Runs in the child: plain CommonJS, timed from before the require to after the description is built.
const LOAD = `
const t0 = process.hrtime.bigint();
// n8n has n8n-workflow loaded before any community node: timed apart.
require(require.resolve('n8n-workflow', { paths: [require('path').dirname(process.argv[1])] }));
const t1 = process.hrtime.bigint();
const { Feishu } = require(process.argv[1]);
const description = new Feishu().description;
const json = JSON.stringify(description);
const t2 = process.hrtime.bigint();
const ms = Number(t2 - t0) / 1e6;
const nodeMs = Number(t2 - t1) / 1e6;
const catalogInCache = Object.keys(require.cache).some((f) => f.endsWith('catalog.json'));
const api = description.properties.filter((p) => (p.displayOptions?.show?.resource ?? []).includes('api'));
process.stdout.write(JSON.stringify({ ms, nodeMs, bytes: Buffer.byteLength(json), apiBytes: api.length ? Buffer.byteLength(JSON.stringify(api)) : 0, catalogInCache }));
`;

const SEARCH = `
const { Feishu } = require(process.argv[1]);
const node = new Feishu();
const search = node.methods && node.methods.listSearch && node.methods.listSearch.searchApiEndpoints;
if (!search) { process.stdout.write('null'); process.exit(0); }
const ctx = { getCredentials: async () => { throw new Error('none'); } };
(async () => {
	global.gc();
	const heapBefore = process.memoryUsage().heapUsed / 1048576;
	let t = process.hrtime.bigint();
	const first = await search.call(ctx, 'chat');
	const firstMs = Number(process.hrtime.bigint() - t) / 1e6;
	t = process.hrtime.bigint();
	await search.call(ctx, '群');
	const laterMs = Number(process.hrtime.bigint() - t) / 1e6;
	global.gc();
	const heapMb = process.memoryUsage().heapUsed / 1048576 - heapBefore;
	process.stdout.write(JSON.stringify({ firstMs, laterMs, hits: first.results.length, heapMb }));
})();
`;

function child(script: string, file: string): any {
	const r = spawnSync(process.execPath, ['--expose-gc', '-e', script, file], { encoding: 'utf8', cwd: path.dirname(file) });
	if (r.status !== 0) throw new Error(`node failed on ${file}: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = Math.floor(s.length / 2);
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const range = (xs: number[]) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

interface RootResult {
	root: string;
	loadMs: number[];
	/** The same without n8n-workflow's own load (n8n has it loaded already). */
	nodeMs: number[];
	descriptionBytes: number;
	/** Of it, the API resource's parameters. */
	apiBytes: number;
	bundleBytes: number;
	bundleHasCatalog: boolean;
	loadedCatalog: boolean;
	catalog?: { raw: number; gzip: number; endpoints: number; version: string };
	search?: { firstMs: number; laterMs: number; hits: number; heapMb: number } | null;
}

function measure(root: string): RootResult {
	const nodeFile = path.join(root, 'dist', 'nodes', 'Feishu', 'Feishu.node.js');
	if (!fs.existsSync(nodeFile)) throw new Error(`${nodeFile} is missing: build first (npm run build)`);
	const bundle = fs.readFileSync(nodeFile, 'utf8');
	const loadMs: number[] = [];
	const nodeMs: number[] = [];
	let descriptionBytes = 0;
	let apiBytes = 0;
	let loadedCatalog = false;
	for (let i = 0; i < RUNS; i++) {
		const r = child(LOAD, nodeFile);
		loadMs.push(r.ms);
		nodeMs.push(r.nodeMs);
		descriptionBytes = r.bytes;
		apiBytes = r.apiBytes;
		loadedCatalog ||= r.catalogInCache;
	}
	const catalogFile = path.join(root, 'dist', 'nodes', 'Feishu', 'api', 'catalog.json');
	let catalog: RootResult['catalog'];
	if (fs.existsSync(catalogFile)) {
		const text = fs.readFileSync(catalogFile);
		const parsed = JSON.parse(text.toString('utf8')) as { source: { version: string }; endpoints: unknown[] };
		catalog = { raw: text.length, gzip: gzipSync(text, { level: 9 }).length, endpoints: parsed.endpoints.length, version: parsed.source.version };
	}
	return {
		root,
		loadMs,
		nodeMs,
		descriptionBytes,
		apiBytes,
		bundleBytes: Buffer.byteLength(bundle),
		// An endpoint id only the catalog holds: present in the bundle = inlined.
		bundleHasCatalog: bundle.includes('im.v1.chat.list'),
		loadedCatalog,
		catalog,
		search: catalog ? child(SEARCH, nodeFile) : undefined,
	};
}

const results = roots.map(measure);
const out: string[] = [];
out.push(`Node ${process.version}, ${RUNS} fresh processes per root, times in ms (median, min-max).`, '');
out.push('| build | require + description ms | of it, after n8n-workflow is loaded | description JSON (of it: API resource) | Feishu.node.js | catalog in the bundle | catalog read on load |', '|---|---:|---:|---:|---:|---|---|');
for (const r of results) {
	out.push(
		`| ${path.basename(r.root)} | ${range(r.loadMs)} | ${range(r.nodeMs)} | ${kb(r.descriptionBytes)}${r.apiBytes ? ` (${kb(r.apiBytes)})` : ''} | ${kb(r.bundleBytes)} | ${r.bundleHasCatalog ? 'yes' : 'no'} | ${r.loadedCatalog ? 'yes' : 'no'} |`,
	);
}
for (const r of results.filter((x) => x.catalog)) {
	const c = r.catalog!;
	out.push('', `Catalog (${path.basename(r.root)}): ${c.endpoints} endpoints from lark-mcp ${c.version}, ${kb(c.raw)} raw (${c.raw} bytes), ${kb(c.gzip)} gzipped (${c.gzip} bytes).`);
	if (r.search) {
		out.push(`First "From List" search in a fresh process (catalog read and indexed): ${r.search.firstMs.toFixed(1)} ms; a later one: ${r.search.laterMs.toFixed(1)} ms; heap in use after a forced GC grew by ${r.search.heapMb.toFixed(1)} MiB.`);
	}
}
process.stdout.write(`${out.join('\n')}\n`);
