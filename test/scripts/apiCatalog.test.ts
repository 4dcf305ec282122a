// The API resource's endpoint catalog (nodes/Feishu/api/catalog.json) is what scripts/api/importCatalog.ts
// makes of the pinned @larksuiteoapi/lark-mcp: rebuilt from it here byte for byte (the package unpacked
// in ~/.cache/n8n-nodes-feishu-bot, fetched with npm pack the first time, or FEISHU_LARK_MCP_DIR), every
// entry well-formed, and consistent with the sandbox's endpoint schemas imported from the same version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { templateParams } from '../../lib/feishu';
import { pathParams, type CatalogEndpoint, type CatalogField, type CatalogFile } from '../../nodes/Feishu/api/endpoints';
import { loadSchemas, type FieldSpec } from '../../sandbox/schemaValidator';
import { buildCatalog, CATALOG_FILE, serialize, titlesOf } from '../../scripts/api/importCatalog';
import { cachedPackageDir, VERSION } from '../../scripts/larkMcp';

const text = fs.readFileSync(CATALOG_FILE, 'utf8');
const file = JSON.parse(text) as CatalogFile;

test('the committed catalog is what the import script builds from the pinned lark-mcp', () => {
	const rebuilt = serialize(buildCatalog(cachedPackageDir()));
	assert.equal(rebuilt === text, true, 'nodes/Feishu/api/catalog.json differs from a fresh import: run `npm run catalog`');
	assert.deepEqual(file.source, {
		package: '@larksuiteoapi/lark-mcp',
		version: VERSION,
		license: 'MIT',
		files: ['dist/mcp-tool/tools/en/gen-tools/zod', 'dist/mcp-tool/tools/zh/gen-tools/zod'],
		generator: 'scripts/api/importCatalog.ts',
	});
});

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'any']);
const wellTyped = (t: string) => TYPES.has(t.replace(/\[\]$/, ''));

function checkField(where: string, f: CatalogField, place: 'q' | 'b'): void {
	assert.match(f.n, /^[A-Za-z_][A-Za-z0-9_.-]*$/, `${where}: field name ${f.n}`);
	assert.ok(wellTyped(f.t), `${where}.${f.n}: type ${f.t}`);
	assert.ok(f.r === undefined || f.r === 1, `${where}.${f.n}: r`);
	if (f.e) assert.ok(f.e.length > 0 && f.e.length <= 40 && f.e.every((v) => ['string', 'number'].includes(typeof v)), `${where}.${f.n}: enum`);
	if (place === 'q') assert.equal(f.k, undefined, `${where}.${f.n}: a query parameter has no children`);
	if (place === 'b') assert.equal(f.d, undefined, `${where}.${f.n}: body fields carry no description`);
	if (f.d !== undefined) assert.ok(f.d.length > 0 && f.d.length <= 60, `${where}.${f.n}: description length`);
	if (f.k) assert.ok(f.k.length > 0 && f.k.length <= 13, `${where}.${f.n}: children`);
}

test('every entry is well-formed: over 1,000 endpoints, unique, sorted, paths under /open-apis/', () => {
	const endpoints = file.endpoints;
	assert.ok(endpoints.length > 1000, `${endpoints.length} endpoints`);
	const ids = endpoints.map((e) => e.id);
	assert.deepEqual(ids, [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'sorted by id');
	assert.equal(new Set(ids).size, ids.length, 'ids unique');
	assert.equal(new Set(endpoints.map((e) => `${e.m} ${e.p}`)).size, endpoints.length, 'method + path unique');
	for (const e of endpoints) {
		assert.match(e.id, /^[a-z_]+\.v\d+\.[A-Za-z0-9.]+$/, e.id);
		assert.ok(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(e.m), `${e.id}: ${e.m}`);
		assert.match(e.p, /^\/open-apis\/(?:[A-Za-z0-9_.-]+|:[A-Za-z_][A-Za-z0-9_]*)(?:\/(?:[A-Za-z0-9_.-]+|:[A-Za-z_][A-Za-z0-9_]*))*\/?$/, `${e.id}: ${e.p}`);
		assert.ok(!e.p.split('/').includes('..'), e.id);
		assert.deepEqual(templateParams(e.p), pathParams(e.p), `${e.id}: the node can call it`);
		assert.ok(e.en.length > 0 && e.en.length <= 100 && e.zh.length > 0 && e.zh.length <= 100, `${e.id}: titles "${e.en}" / "${e.zh}"`);
		assert.match(e.t ?? '', /^t?u?$/, `${e.id}: tokens`);
		for (const f of e.q ?? []) checkField(e.id, f, 'q');
		for (const f of e.b ?? []) checkField(e.id, f, 'b');
		assert.equal(e.pg === 1, (e.q ?? []).some((f) => f.n === 'page_token'), `${e.id}: paged exactly when page_token is a query parameter`);
		assert.deepEqual(Object.keys(e).filter((k) => !['id', 'm', 'p', 'en', 'zh', 't', 'q', 'b', 'pg'].includes(k)), [], `${e.id}: no other keys`);
	}
	const tenant = endpoints.filter((e) => e.t?.includes('t')).length;
	assert.ok(tenant > 1000, `${tenant} take a tenant token`);
	assert.ok(endpoints.filter((e) => e.pg).length > 200, 'paged lists');
});

test('it agrees with the sandbox schemas imported from the same lark-mcp: method, path, tokens, query and body names, required', () => {
	const byId = new Map<string, CatalogEndpoint>(file.endpoints.map((e) => [e.id, e]));
	let compared = 0;
	for (const project of ['im_v1', 'contact_v3', 'task_v2', 'bitable_v1']) {
		const schemas = loadSchemas(project);
		assert.equal(schemas.source.version, VERSION);
		for (const [name, s] of Object.entries(schemas.endpoints)) {
			const e = byId.get(name);
			assert.ok(e, `${name} is in the catalog`);
			assert.deepEqual([e.m, e.p], [s.method, s.path], name);
			assert.equal(e.t, `${s.accessTokens.includes('tenant') ? 't' : ''}${s.accessTokens.includes('user') ? 'u' : ''}`, name);
			for (const [field, place] of [['params', 'q'], ['data', 'b']] as const) {
				const spec = (typeof s[field] === 'object' ? s[field] : { type: s[field] ?? 'object' }) as FieldSpec;
				assert.deepEqual((e[place] ?? []).map((f) => f.n), Object.keys(spec.properties ?? {}), `${name} ${field}`);
				assert.deepEqual((e[place] ?? []).filter((f) => f.r).map((f) => f.n), spec.required ?? [], `${name} ${field} required`);
			}
			compared++;
		}
	}
	assert.ok(compared > 200, `${compared} endpoints compared`);
});

test('titles: the part before the description, in-word hyphens kept, both languages at the same level', () => {
	assert.deepEqual(titlesOf('[Feishu/Lark]-Messaging-Group-Get group info-Gets basic info', '[Feishu/Lark]-消息-群组-获取群信息-获取群的基本信息'), { en: 'Get group info', zh: '获取群信息' });
	assert.deepEqual(titlesOf('[Feishu/Lark]-Contacts-Department-Obtain the list of sub-departments-Via the ID', '[Feishu/Lark]-通讯录-部门-获取子部门列表-通过部门ID'), { en: 'Obtain the list of sub-departments', zh: '获取子部门列表' });
	assert.deepEqual(titlesOf('[Feishu/Lark]-Admin-Badge-Badge management-Create a badge-Use this API', '[Feishu/Lark]-管理后台-企业勋章-勋章管理-创建勋章-使用该接口'), { en: 'Create a badge', zh: '创建勋章' });
	assert.deepEqual(titlesOf('[Feishu/Lark]-Smart Access Control-Device-Get device list', '[Feishu/Lark]-智能门禁-门禁设备-获取门禁设备列表'), { en: 'Get device list', zh: '获取门禁设备列表' });
	const entry = file.endpoints.find((e) => e.id === 'contact.v3.department.children')!;
	assert.match(entry.en, /sub-department/);
});
