// Builds the Feishu node's endpoint catalog (nodes/Feishu/api/catalog.json, read by the API resource's
// "From List" and its parameter fields) from @larksuiteoapi/lark-mcp's generated tools (MIT; fetched
// with `npm pack`, never a dependency: scripts/larkMcp.ts, shared with scripts/sandbox/importSchemas.ts).
// One compact entry per endpoint: what the list shows and searches (method, path, English and Chinese
// title), which tokens Feishu takes, the query parameters (type, required, enum, a
// short description), the body's top-level fields (type, required, enum, the names one level down)
// and whether it is a page_token list. Path parameters are the path's `:name` segments.
// Format: nodes/Feishu/api/endpoints.ts (CatalogFile); re-run after bumping lark-mcp in scripts/larkMcp.ts.
// CLI: `npm run catalog` (= `npx tsx scripts/api/importCatalog.ts [--package-dir <unpacked lark-mcp>] [--out <file>]`)
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CatalogEndpoint, CatalogField, CatalogFile } from '../../nodes/Feishu/api/endpoints';
import { GEN_TOOLS, GEN_TOOLS_ZH, LICENSE, mdEnum, objectShape, openLarkMcp, PACKAGE, packageDirArg, unwrap, VERSION, type Tool, type ZodLike } from '../larkMcp';

export const CATALOG_FILE = path.resolve(__dirname, '..', '..', 'nodes', 'Feishu', 'api', 'catalog.json');
/** Longest title and parameter description kept (characters). */
const TITLE_MAX = 100;
const FIELD_DESCRIPTION_MAX = 60;
/** Longer enums are left out (the field is still typed). */
const ENUM_MAX = 40;
/** Most child names listed for an object field. */
const CHILDREN_MAX = 12;

// ---- titles: "[Feishu/Lark]-<category>-...-<title>-<what it does>" ----

/** A hyphen inside a word ("sub-departments", "e-HR", "third-party"), not between the description's parts. */
function inWord(left: string, right: string): boolean {
	return /[A-Za-z0-9]$/.test(left) && /^[A-Za-z0-9]/.test(right) && (/^[a-z]/.test(right) || /(^|\s)[A-Za-z]{1,2}$/.test(left) || /[0-9]$/.test(left));
}

function parts(description: string | undefined): string[] {
	// "--" (a list's dash after the separator) leaves an empty piece: not a level.
	return (description ?? '').replace(/^\[Feishu\/Lark\]-/, '').split('-').map((s) => s.trim()).filter(Boolean);
}

/** Joins in-word hyphens back until `parts` has no more pieces than the other language's. */
function squeeze(pieces: string[], count: number): string[] {
	const out = [...pieces];
	for (let i = 0; i < out.length - 1 && out.length > count; ) {
		if (inWord(out[i], out[i + 1])) out.splice(i, 2, `${out[i]}-${out[i + 1]}`);
		else i++;
	}
	return out;
}

const clip = (text: string, max: number): string => {
	const t = text.replace(/\s+/g, ' ').replace(/\[([^\]]*)\]/g, '$1').trim();
	return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
};

/**
 * The title in both languages (the description after it is left out: it would add a sixth to the
 * catalog's gzipped size for little a search needs). The category path has 1 to 4 levels, so the
 * title is found by position: the part before the description (the last part when there is none), the
 * number of parts taken from whichever language splits into fewer (hyphens inside words are joined
 * back first: they are English's "sub-departments" or Chinese's "e-HR").
 */
export function titlesOf(en: string | undefined, zh: string | undefined): { en: string; zh: string } {
	let e = parts(en);
	let z = parts(zh);
	if (e.length > z.length) e = squeeze(e, z.length);
	else if (z.length > e.length) z = squeeze(z, e.length);
	const k = Math.min(e.length, z.length);
	const at = k >= 4 ? k - 2 : k - 1;
	return { en: clip(e[at] ?? '', TITLE_MAX), zh: clip(z[at] ?? '', TITLE_MAX) };
}

// ---- fields ----

/** zod → the catalog's type name: string, number, integer, boolean, object, any, or <type>[] for arrays. */
function typeOf(z: ZodLike): string {
	const d = z._def;
	switch (d.typeName) {
		case 'ZodString':
			return 'string';
		case 'ZodNumber':
			return d.checks?.some((c) => c.kind === 'int') ? 'integer' : 'number';
		case 'ZodBigInt':
			return 'integer';
		case 'ZodBoolean':
			return 'boolean';
		case 'ZodEnum':
			return 'string';
		case 'ZodNativeEnum':
			return Object.values(d.values as Record<string, unknown>).some((v) => typeof v === 'number') ? 'number' : 'string';
		case 'ZodLiteral':
			return typeof d.value === 'number' ? 'number' : typeof d.value === 'boolean' ? 'boolean' : 'string';
		case 'ZodObject':
		case 'ZodRecord':
			return 'object';
		case 'ZodArray': {
			const item = d.type ? typeOf(unwrap(d.type).inner) : 'any';
			return item.endsWith('[]') ? 'any[]' : `${item}[]`;
		}
		default:
			return 'any';
	}
}

function enumOf(z: ZodLike, text: string): (string | number)[] | undefined {
	const d = z._def;
	let values: (string | number)[] | undefined;
	if (d.typeName === 'ZodEnum') values = [...(d.values as string[])];
	else if (d.typeName === 'ZodNativeEnum') values = Object.values(d.values as Record<string, string | number>);
	else if (d.typeName === 'ZodUnion' && (d.options ?? []).every((o) => unwrap(o).inner._def.typeName === 'ZodLiteral')) {
		values = (d.options ?? []).map((o) => unwrap(o).inner._def.value as string | number);
	} else if (d.typeName === 'ZodString' || (d.typeName === 'ZodArray' && d.type && unwrap(d.type).inner._def.typeName === 'ZodString')) {
		values = mdEnum(text);
	}
	return values && values.length > 0 && values.length <= ENUM_MAX ? values : undefined;
}

/** A field's first sentence, short. */
function shortDescription(text: string): string {
	const first = text.replace(/<[^>]+>/g, ' ').split(/(?<=[.。；;])\s|Options:|\n/)[0] ?? '';
	return clip(first.replace(/[.。]$/, ''), FIELD_DESCRIPTION_MAX);
}

/** The names one level down: an object's keys, or those of an array's object items. */
function childrenOf(z: ZodLike): string[] | undefined {
	const d = z._def;
	const target = d.typeName === 'ZodArray' && d.type ? unwrap(d.type).inner : z;
	const keys = Object.keys(objectShape(target));
	if (keys.length === 0) return undefined;
	return keys.length <= CHILDREN_MAX ? keys : [...keys.slice(0, CHILDREN_MAX), '…'];
}

function fieldsOf(schema: ZodLike | undefined, twin: ZodLike | undefined, opts: { description: boolean; children: boolean }): CatalogField[] {
	const zhShape = objectShape(twin);
	return Object.entries(objectShape(schema)).map(([name, value]) => {
		const u = unwrap(value);
		const zhText = zhShape[name] ? unwrap(zhShape[name]).description : '';
		const field: CatalogField = { n: name, t: typeOf(u.inner) };
		if (!u.optional) field.r = 1;
		const values = enumOf(u.inner, `${u.description} ${zhText}`);
		if (values) field.e = values;
		if (opts.description) {
			const d = shortDescription(u.description);
			if (d) field.d = d;
		}
		if (opts.children) {
			const children = childrenOf(u.inner);
			if (children) field.k = children;
		}
		return field;
	});
}

function tokensOf(tool: Tool): string {
	const tokens = tool.accessTokens ?? [];
	return `${tokens.includes('tenant') ? 't' : ''}${tokens.includes('user') ? 'u' : ''}`;
}

export function entryOf(tool: Tool, twin: Tool | undefined): CatalogEndpoint {
	const titles = titlesOf(tool.description, twin?.description);
	const query = fieldsOf(tool.schema?.params, twin?.schema?.params, { description: true, children: false });
	const body = fieldsOf(tool.schema?.data, twin?.schema?.data, { description: false, children: true });
	const entry: CatalogEndpoint = { id: tool.name, m: tool.httpMethod.toUpperCase(), p: tool.path, en: titles.en, zh: titles.zh };
	entry.t = tokensOf(tool);
	if (query.length) entry.q = query;
	if (body.length) entry.b = body;
	if (query.some((f) => f.n === 'page_token')) entry.pg = 1;
	return entry;
}

/** One endpoint per line: a re-import diffs by endpoint. */
export function serialize(file: CatalogFile): string {
	const lines = file.endpoints.map((e) => `\t\t${JSON.stringify(e)}`);
	return `{\n\t"source": ${JSON.stringify(file.source)},\n\t"endpoints": [\n${lines.join(',\n')}\n\t]\n}\n`;
}

/** The catalog of every project in the unpacked lark-mcp at `packageDir` (fetched when not given). */
export function buildCatalog(packageDir?: string): CatalogFile {
	const lark = openLarkMcp(packageDir);
	try {
		if (lark.version !== VERSION) throw new Error(`${lark.dir} is lark-mcp ${lark.version}, not the pinned ${VERSION}`);
		const endpoints: CatalogEndpoint[] = [];
		for (const project of lark.projects()) {
			const zh = new Map(lark.tools(project, 'zh').map((t) => [t.name, t]));
			for (const tool of lark.tools(project)) endpoints.push(entryOf(tool, zh.get(tool.name)));
		}
		endpoints.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
		return {
			source: { package: PACKAGE, version: VERSION, license: LICENSE, files: [GEN_TOOLS, GEN_TOOLS_ZH], generator: 'scripts/api/importCatalog.ts' },
			endpoints,
		};
	} finally {
		lark.close();
	}
}

function main(): void {
	const args = process.argv.slice(2);
	const given = packageDirArg(args);
	const outAt = args.indexOf('--out');
	const out = outAt >= 0 ? path.resolve(args[outAt + 1]) : CATALOG_FILE;
	const text = serialize(buildCatalog(given));
	fs.mkdirSync(path.dirname(out), { recursive: true });
	fs.writeFileSync(out, text);
	const raw = Buffer.byteLength(text);
	const count = (JSON.parse(text) as CatalogFile).endpoints.length;
	console.log(`${path.relative(process.cwd(), out)}: ${count} endpoints, ${raw} bytes, ${gzipSync(text, { level: 9 }).length} gzipped`);
}

if (require.main === module) main();
