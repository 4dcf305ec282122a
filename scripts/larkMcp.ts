// @larksuiteoapi/lark-mcp (MIT) describes every Feishu Open API endpoint as a generated "tool": method,
// path, which tokens it takes, an English or Chinese description and zod schemas of its path, query
// and body. Two scripts read it: scripts/sandbox/importSchemas.ts (the sandbox's endpoint schemas)
// and scripts/api/importCatalog.ts (the Feishu node's endpoint catalog). This module is what they
// share: fetching the pinned package with `npm pack` (it never becomes a dependency: it pulls a native
// keytar build), loading its gen-tools, and reading the parts of zod 3's `_def` the gen-tools use.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const PACKAGE = '@larksuiteoapi/lark-mcp';
export const VERSION = '0.5.1';
export const LICENSE = 'MIT';
export const GEN_TOOLS = 'dist/mcp-tool/tools/en/gen-tools/zod';
/** The same tools with Chinese descriptions: their md-enum lists are sometimes longer (newer) than the English ones. */
export const GEN_TOOLS_ZH = 'dist/mcp-tool/tools/zh/gen-tools/zod';

// ---- zod 3 introspection: only the parts of `_def` the gen-tools use ----
export interface ZodDef {
	typeName: string;
	description?: string;
	innerType?: ZodLike;
	schema?: ZodLike;
	type?: ZodLike;
	shape?: () => Record<string, ZodLike>;
	catchall?: ZodLike;
	values?: unknown;
	value?: unknown;
	options?: ZodLike[];
	valueType?: ZodLike;
	checks?: { kind: string; value?: number; inclusive?: boolean }[];
	minLength?: { value: number } | null;
	maxLength?: { value: number } | null;
	exactLength?: { value: number } | null;
}
export interface ZodLike {
	_def: ZodDef;
}

export interface Unwrapped {
	inner: ZodLike;
	optional: boolean;
	nullable: boolean;
	description: string;
}

/** The schema under its optional / default / nullable / effects wrappers, and what they said. */
export function unwrap(z: ZodLike): Unwrapped {
	let optional = false;
	let nullable = false;
	let description = z._def.description ?? '';
	for (;;) {
		const d = z._def;
		if (d.description && !description) description = d.description;
		if (d.typeName === 'ZodOptional' || d.typeName === 'ZodDefault') optional = true;
		else if (d.typeName === 'ZodNullable') nullable = true;
		else if (d.typeName !== 'ZodEffects' && d.typeName !== 'ZodBranded' && d.typeName !== 'ZodReadonly') break;
		z = (d.innerType ?? d.schema ?? d.type) as ZodLike;
	}
	if (z._def.description && !description) description = z._def.description;
	return { inner: z, optional, nullable, description };
}

/** An object schema's fields (unwrapped), in declaration order; none for anything else. */
export function objectShape(z: ZodLike | undefined): Record<string, ZodLike> {
	if (!z) return {};
	const inner = unwrap(z).inner;
	return inner._def.typeName === 'ZodObject' ? (inner._def.shape?.() ?? {}) : {};
}

// Feishu's generated descriptions carry limits zod does not (lark-mcp 0.5.1 has no .min/.max checks):
// `<md-enum-item key="x">` lists the accepted values, "up to N characters" a length limit and
// "empty is not allowed" a minimum length. Only these unambiguous phrasings are read.
export function mdEnum(description: string): string[] | undefined {
	const keys = [...description.matchAll(/<\s*md-enum-item\s+key\s*=\s*"([^"]+)"/gi)].map((m) => m[1].trim());
	return keys.length > 0 ? [...new Set(keys)] : undefined;
}

export function maxChars(description: string): number | undefined {
	const m = /(?:up to|at most|maximum(?: of)?)\s+(\d+)\s+(?:utf-?8\s+)?characters/i.exec(description);
	return m ? Number(m[1]) : undefined;
}

export function nonEmpty(description: string): boolean {
	return /\b(?:empty is not allowed|cannot be empty|can ?not be empty|must not be empty)\b/i.test(description);
}

// ---- the gen-tools ----
export interface Tool {
	/** e.g. `im.v1.chat.list` */
	name: string;
	/** e.g. `im` */
	project?: string;
	/** Router pattern, e.g. `/open-apis/im/v1/chats/:chat_id`. */
	path: string;
	httpMethod: string;
	/** `[Feishu/Lark]-<project>-<group>-<title>-<what it does>` */
	description?: string;
	accessTokens?: string[];
	schema?: { path?: ZodLike; params?: ZodLike; data?: ZodLike };
}

export function isTool(v: unknown): v is Tool {
	return !!v && typeof v === 'object' && typeof (v as Tool).name === 'string' && typeof (v as Tool).path === 'string' && typeof (v as Tool).httpMethod === 'string';
}

export function run(cmd: string, args: string[], cwd: string): string {
	const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
	return r.stdout;
}

/** Unpacks the pinned lark-mcp into `work`/package and installs zod 3 (pinned: the catalog must not change with it) beside it (its gen-tools `require("zod")`). */
export function fetchPackage(work: string): string {
	const tarball = run('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent', '--pack-destination', work], work).trim().split('\n').pop();
	if (!tarball) throw new Error('npm pack printed no file name');
	const dir = path.join(work, 'package');
	fs.mkdirSync(dir);
	run('tar', ['-xzf', path.join(work, tarball), '-C', dir, '--strip-components=1'], work);
	fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'lark-mcp-schema-import', private: true }));
	run('npm', ['install', 'zod@3.25.76', '--ignore-scripts', '--no-audit', '--no-fund', '--silent'], work);
	return dir;
}

/** An unpacked lark-mcp to read: the one given, or the pinned version fetched into a temp dir (removed by `close`). */
export interface LarkMcp {
	dir: string;
	/** The package's own version (package.json). */
	version: string;
	/** The gen-tools module of one project in English or Chinese ({} when that language lacks it). */
	tools(project: string, lang?: 'en' | 'zh'): Tool[];
	/** Every project that has gen-tools, e.g. `im_v1`, sorted. */
	projects(): string[];
	close(): void;
}

/** Opens lark-mcp from `--package-dir <dir>` when given (an unpacked copy, zod installed beside it), else fetches it. */
export function openLarkMcp(packageDir?: string): LarkMcp {
	const work = packageDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'lark-mcp-'));
	try {
		const dir = packageDir ? path.resolve(packageDir) : fetchPackage(work!);
		const requireFrom = createRequire(path.join(dir, 'package.json'));
		const version = String((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version);
		return {
			dir,
			version,
			tools(project, lang = 'en') {
				if (!/^[a-z_]+_v\d+$/.test(project)) throw new Error(`not a <project>_<version> name: ${project}`);
				const file = path.join(dir, lang === 'en' ? GEN_TOOLS : GEN_TOOLS_ZH, `${project}.js`);
				if (lang === 'zh' && !fs.existsSync(file)) return [];
				return Object.values(requireFrom(file) as Record<string, unknown>).filter(isTool);
			},
			projects() {
				return fs
					.readdirSync(path.join(dir, GEN_TOOLS))
					.filter((f) => /^[a-z_]+_v\d+\.js$/.test(f))
					.map((f) => f.replace(/\.js$/, ''))
					.sort();
			},
			close() {
				if (work) fs.rmSync(work, { recursive: true, force: true });
			},
		};
	} catch (error) {
		if (work) fs.rmSync(work, { recursive: true, force: true });
		throw error;
	}
}

/**
 * An unpacked copy of the pinned version that stays: `FEISHU_LARK_MCP_DIR` when set, else
 * ~/.cache/n8n-nodes-feishu-bot/lark-mcp-<version>/package, fetched there (npm pack) the first time.
 * The catalog test rebuilds the catalog from it.
 */
export function cachedPackageDir(): string {
	if (process.env.FEISHU_LARK_MCP_DIR) return path.resolve(process.env.FEISHU_LARK_MCP_DIR);
	const work = path.join(os.homedir(), '.cache', 'n8n-nodes-feishu-bot', `lark-mcp-${VERSION}`);
	const dir = path.join(work, 'package');
	if (fs.existsSync(path.join(work, 'node_modules', 'zod', 'package.json')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
	fs.rmSync(work, { recursive: true, force: true });
	fs.mkdirSync(work, { recursive: true });
	try {
		return fetchPackage(work);
	} catch (error) {
		fs.rmSync(work, { recursive: true, force: true });
		throw new Error(`could not fetch ${PACKAGE}@${VERSION} with npm (${(error as Error).message}); set FEISHU_LARK_MCP_DIR to an unpacked copy with zod 3 installed beside it`);
	}
}

/** Takes `--package-dir <dir>` out of a command line; the rest stays in `args`. */
export function packageDirArg(args: string[]): string | undefined {
	const at = args.indexOf('--package-dir');
	return at >= 0 ? args.splice(at, 2)[1] : undefined;
}
