// Imports Feishu endpoint schemas for the sandbox from @larksuiteoapi/lark-mcp (MIT), whose gen-tools
// describe every Open API endpoint as zod schemas. The package is fetched with `npm pack` into a temp
// dir and never becomes a dependency (scripts/larkMcp.ts, shared with scripts/api/importCatalog.ts).
// Writes one compact file per project to sandbox/schemas/<project>_<version>.json; the format is
// documented in sandbox/README.md ("Schema-driven endpoints") and typed in sandbox/schemaValidator.ts.
// CLI: `npx tsx scripts/sandbox/importSchemas.ts [im_v1 task_v2 ...] [--package-dir <unpacked lark-mcp>] [--out-dir <dir>]`
import fs from 'node:fs';
import path from 'node:path';
import type { EndpointSchema, FieldSchema, FieldSpec, FieldType } from '../../sandbox/schemaValidator';
import { GEN_TOOLS, LICENSE, PACKAGE, VERSION, maxChars, mdEnum, nonEmpty, openLarkMcp, packageDirArg, unwrap, type Tool, type ZodLike } from '../larkMcp';

const DEFAULT_PROJECTS = ['im_v1', 'contact_v3', 'task_v2', 'bitable_v1'];
/** Deeper levels are kept as a bare type: deep enough for Feishu's bodies, small enough to commit. */
const MAX_DEPTH = 6;
const OUT_DIR = path.resolve(__dirname, '..', '..', 'sandbox', 'schemas');

// The output format: the types the sandbox reads it with.
type Field = FieldSchema;
type Endpoint = EndpointSchema;

function compact(spec: FieldSpec): Field {
	return Object.keys(spec).length === 1 ? spec.type : spec;
}

/** `twin` is the same field from the Chinese tools; only its description is read. */
function convert(z: ZodLike, depth: number, description = '', twin?: ZodLike): Field {
	const d = z._def;
	const tw = twin && unwrap(twin);
	const twinDef = tw?.inner._def;
	const enumText = `${description} ${tw?.description ?? ''}`;
	switch (d.typeName) {
		case 'ZodString': {
			const spec: FieldSpec = { type: 'string' };
			for (const c of d.checks ?? []) {
				if (c.kind === 'min') spec.minLength = c.value;
				if (c.kind === 'max') spec.maxLength = c.value;
				if (c.kind === 'length') spec.minLength = spec.maxLength = c.value;
			}
			const values = mdEnum(enumText);
			if (values) spec.enum = values;
			spec.maxLength ??= maxChars(description);
			if (spec.maxLength === undefined) delete spec.maxLength;
			if (spec.minLength === undefined && nonEmpty(description)) spec.minLength = 1;
			return compact(spec);
		}
		case 'ZodNumber': {
			const spec: FieldSpec = { type: 'number' };
			for (const c of d.checks ?? []) {
				if (c.kind === 'int') spec.type = 'integer';
				// Exclusive bounds do not occur for Feishu's integers; round them to inclusive ones.
				if (c.kind === 'min' && c.value !== undefined) spec.minimum = c.inclusive === false ? c.value + 1 : c.value;
				if (c.kind === 'max' && c.value !== undefined) spec.maximum = c.inclusive === false ? c.value - 1 : c.value;
			}
			return compact(spec);
		}
		case 'ZodBigInt':
			return 'integer';
		case 'ZodBoolean':
			return 'boolean';
		case 'ZodEnum':
			return { type: 'string', enum: [...(d.values as string[])] };
		case 'ZodNativeEnum': {
			const values = Object.values(d.values as Record<string, string | number>);
			const numbers = values.filter((v): v is number => typeof v === 'number');
			return numbers.length > 0 ? { type: 'number', enum: numbers } : { type: 'string', enum: values as string[] };
		}
		case 'ZodLiteral': {
			const v = d.value;
			const type: FieldType = typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
			return { type, enum: [v as string | number | boolean] };
		}
		case 'ZodUnion': {
			// Unions of literals are enums; any other union is accepted as is.
			const parts = (d.options ?? []).map((o) => unwrap(o).inner._def);
			if (parts.length > 0 && parts.every((p) => p.typeName === 'ZodLiteral' && typeof p.value === typeof parts[0].value)) {
				const type: FieldType = typeof parts[0].value === 'number' ? 'number' : typeof parts[0].value === 'boolean' ? 'boolean' : 'string';
				return { type, enum: parts.map((p) => p.value as string | number | boolean) };
			}
			return 'any';
		}
		case 'ZodArray': {
			const spec: FieldSpec = { type: 'array' };
			if (depth < MAX_DEPTH && d.type) {
				const item = unwrap(d.type);
				let items = convert(item.inner, depth + 1, item.description, twinDef?.type);
				// An md-enum on an array of strings lists the values its items may take (e.g. update_fields).
				const values = mdEnum(enumText);
				if (values && items === 'string') items = { type: 'string', enum: values };
				spec.items = items;
			}
			if (d.minLength) spec.minItems = d.minLength.value;
			if (d.maxLength) spec.maxItems = d.maxLength.value;
			if (d.exactLength) spec.minItems = spec.maxItems = d.exactLength.value;
			return compact(spec);
		}
		case 'ZodObject': {
			const spec: FieldSpec = { type: 'object' };
			if (depth >= MAX_DEPTH) return 'object';
			const shape = d.shape?.() ?? {};
			const twinShape = twinDef?.typeName === 'ZodObject' ? (twinDef.shape?.() ?? {}) : {};
			const properties: Record<string, Field> = {};
			const required: string[] = [];
			for (const [key, value] of Object.entries(shape)) {
				const u = unwrap(value);
				const field = convert(u.inner, depth + 1, u.description, twinShape[key]);
				properties[key] = u.nullable ? { ...(typeof field === 'string' ? { type: field } : field), nullable: true } : field;
				if (!u.optional) required.push(key);
			}
			if (required.length > 0) spec.required = required;
			if (Object.keys(properties).length > 0) spec.properties = properties;
			const catchall = d.catchall && d.catchall._def.typeName !== 'ZodNever' ? unwrap(d.catchall).inner : undefined;
			if (catchall) spec.additionalProperties = ['ZodAny', 'ZodUnknown'].includes(catchall._def.typeName) ? true : convert(catchall, depth + 1);
			return compact(spec);
		}
		case 'ZodRecord':
			return { type: 'object', additionalProperties: d.valueType && depth < MAX_DEPTH ? convert(unwrap(d.valueType).inner, depth + 1) : true };
		default:
			return 'any';
	}
}

function endpointOf(tool: Tool, twin?: Tool): Endpoint {
	const out: Endpoint = { method: tool.httpMethod.toUpperCase(), path: tool.path, accessTokens: tool.accessTokens ?? [] };
	const parts: [keyof Endpoint, ZodLike | undefined, ZodLike | undefined][] = [
		['path_params', tool.schema?.path, twin?.schema?.path],
		['params', tool.schema?.params, twin?.schema?.params],
		['data', tool.schema?.data, twin?.schema?.data],
	];
	for (const [key, z, zh] of parts) {
		if (!z) continue;
		// An optional params/data object is still checked when sent; whether it must be sent does not matter.
		(out as unknown as Record<string, Field>)[key] = convert(unwrap(z).inner, 0, '', zh);
	}
	return out;
}

/** One endpoint per line: small, and a re-import diffs by endpoint. */
function serialize(file: { source: unknown; project: string; endpoints: Record<string, Endpoint> }): string {
	const lines = Object.entries(file.endpoints).map(([name, e]) => `\t\t${JSON.stringify(name)}: ${JSON.stringify(e)}`);
	return `{\n\t"source": ${JSON.stringify(file.source)},\n\t"project": ${JSON.stringify(file.project)},\n\t"endpoints": {\n${lines.join(',\n')}\n\t}\n}\n`;
}

function main(): void {
	const args = process.argv.slice(2);
	const given = packageDirArg(args);
	const outAt = args.indexOf('--out-dir');
	const outDir = outAt >= 0 ? path.resolve(args.splice(outAt, 2)[1]) : OUT_DIR;
	const projects = args.length > 0 ? args : DEFAULT_PROJECTS;
	const lark = openLarkMcp(given);
	try {
		fs.mkdirSync(outDir, { recursive: true });
		for (const project of projects) {
			const rel = `${GEN_TOOLS}/${project}.js`;
			const zh = new Map(lark.tools(project, 'zh').map((t) => [t.name, t]));
			const endpoints: Record<string, Endpoint> = {};
			for (const tool of lark.tools(project).sort((a, b) => a.name.localeCompare(b.name))) endpoints[tool.name] = endpointOf(tool, zh.get(tool.name));
			const source = { package: PACKAGE, version: VERSION, license: LICENSE, file: rel, generator: 'scripts/sandbox/importSchemas.ts' };
			const out = path.join(outDir, `${project}.json`);
			fs.writeFileSync(out, serialize({ source, project, endpoints }));
			console.log(`${path.relative(process.cwd(), out)}: ${Object.keys(endpoints).length} endpoints, ${fs.statSync(out).size} bytes`);
		}
	} finally {
		lark.close();
	}
}

main();
