// The schema validator the schema-driven endpoints use: Feishu's 99992402 "field validation failed" with
// field_violations for wrong types, missing required fields, values outside enums and ranges; unknown
// fields pass. Also checks the committed schema files (sandbox/schemas/) load and name their source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../sandbox/openApi';
import { checkPath, checkQuery, checkValue, endpointSchema, loadSchemas, validateRequest, violations, type EndpointSchema, type FieldSchema, type Violation } from '../../sandbox/schemaValidator';

function check(schema: FieldSchema, value: unknown): Violation[] {
	const out: Violation[] = [];
	checkValue(schema, value, '', out);
	return out;
}

const fields = (v: Violation[]) => v.map((x) => x.field);

test('committed schema files load, name lark-mcp 0.5.1 (MIT) as their source and hold the Task v2 family', () => {
	const counts: Record<string, number> = {};
	for (const project of ['im_v1', 'contact_v3', 'task_v2', 'bitable_v1']) {
		const file = loadSchemas(project);
		assert.equal(file.project, project);
		assert.deepEqual(
			{ package: file.source.package, version: file.source.version, license: file.source.license },
			{ package: '@larksuiteoapi/lark-mcp', version: '0.5.1', license: 'MIT' },
		);
		counts[project] = Object.keys(file.endpoints).length;
		for (const [name, e] of Object.entries(file.endpoints)) {
			assert.match(e.method, /^(GET|POST|PUT|PATCH|DELETE)$/, name);
			assert.match(e.path, /^\/open-apis\//, name);
			for (const param of e.path.split('/').filter((p) => p.startsWith(':'))) {
				assert.ok(typeof e.path_params === 'object' && e.path_params.properties?.[param.slice(1)], `${name}: ${param} has a schema`);
			}
		}
	}
	assert.deepEqual(counts, { im_v1: 54, contact_v3: 70, task_v2: 51, bitable_v1: 46 });
	const task = loadSchemas('task_v2');
	assert.deepEqual(
		['create', 'get', 'patch', 'delete', 'list'].map((op) => [endpointSchema(task, `task.v2.task.${op}`).method, endpointSchema(task, `task.v2.task.${op}`).path]),
		[
			['POST', '/open-apis/task/v2/tasks'],
			['GET', '/open-apis/task/v2/tasks/:task_guid'],
			['PATCH', '/open-apis/task/v2/tasks/:task_guid'],
			['DELETE', '/open-apis/task/v2/tasks/:task_guid'],
			['GET', '/open-apis/task/v2/tasks'],
		],
	);
	const create = endpointSchema(task, 'task.v2.task.create').data as Exclude<FieldSchema, string>;
	assert.deepEqual(create.required, ['summary']);
	// Limits read from the descriptions: "Empty is not allowed; supports up to 3000 utf8 characters".
	assert.deepEqual(create.properties?.summary, { type: 'string', maxLength: 3000, minLength: 1 });
	assert.throws(() => loadSchemas('../package'), /not a <project>_<version> name/);
	assert.throws(() => endpointSchema(task, 'task.v2.task.nothing'), /task_v2 has no endpoint task\.v2\.task\.nothing/);
});

test('JSON values: types, required fields, nested names, unknown fields allowed', () => {
	const schema: FieldSchema = {
		type: 'object',
		required: ['summary', 'members'],
		properties: {
			summary: 'string',
			done: 'boolean',
			count: 'number',
			members: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: 'string', role: { type: 'string', enum: ['assignee', 'follower'] } } } },
			due: { type: 'object', properties: { timestamp: 'string' } },
		},
	};
	assert.deepEqual(check(schema, { summary: 'x', members: [], anything: { else: 1 } }), [], 'unknown fields pass');
	assert.deepEqual(check(schema, { summary: 'x', members: [{ id: 'ou_1', role: 'assignee', extra: true }], done: false, count: 0, due: {} }), []);
	assert.deepEqual(check(schema, { members: [] }), [{ field: 'summary', description: 'summary is required' }]);
	assert.deepEqual(check(schema, { summary: null, members: [] }), [{ field: 'summary', description: 'summary is required' }], 'null is not a value');
	assert.deepEqual(check(schema, { summary: 1, members: [], done: 'yes', count: '3', due: [] }), [
		{ field: 'summary', description: 'summary must be a string, got number' },
		{ field: 'done', description: 'done must be a boolean, got string' },
		{ field: 'count', description: 'count must be a number, got string' },
		{ field: 'due', description: 'due must be an object, got array' },
	]);
	assert.deepEqual(check(schema, { summary: 'x', members: [{ role: 'boss' }, { id: 7 }] }), [
		{ field: 'members[0].id', description: 'members[0].id is required' },
		{ field: 'members[0].role', description: 'members[0].role must be one of assignee, follower' },
		{ field: 'members[1].id', description: 'members[1].id must be a string, got number' },
	]);
	assert.deepEqual(fields(check(schema, { summary: 'x', members: 'ou_1' })), ['members']);
	assert.deepEqual(fields(check(schema, 'not an object')), ['']);
	assert.deepEqual(check(schema, { summary: 'x', members: [], done: null }), [], 'null for an optional field is "not set"');
});

test('ranges: string length in characters, numbers, integers, array sizes, enums of numbers, nullable, typed maps', () => {
	const s: FieldSchema = { type: 'string', minLength: 1, maxLength: 3 };
	assert.deepEqual(check(s, ''), [{ field: '', description: ' must not be empty' }]);
	assert.deepEqual(check(s, '飞书任'), [], 'three characters, nine UTF-8 bytes');
	assert.deepEqual(check(s, '😀😀😀'), [], 'three characters, six UTF-16 units');
	assert.deepEqual(check(s, 'abcd')[0].description, ' must be at most 3 characters');
	assert.deepEqual(check({ type: 'string', minLength: 2 }, 'a')[0].description, ' must be at least 2 characters');
	const n: FieldSchema = { type: 'integer', minimum: 1, maximum: 100 };
	assert.deepEqual(check(n, 100), []);
	assert.deepEqual(check(n, 0)[0].description, ' must be at least 1');
	assert.deepEqual(check(n, 101)[0].description, ' must be at most 100');
	assert.deepEqual(check(n, 1.5)[0].description, ' must be an integer');
	assert.deepEqual(check('number', Number.NaN)[0].description, ' must be a number, got number');
	const a: FieldSchema = { type: 'array', items: 'string', minItems: 1, maxItems: 2 };
	assert.deepEqual(check(a, ['x']), []);
	assert.deepEqual(check(a, [])[0].description, ' must have at least 1 items');
	assert.deepEqual(check(a, ['x', 'y', 'z'])[0].description, ' must have at most 2 items');
	assert.deepEqual(check({ type: 'number', enum: [1, 2] }, 3)[0].description, ' must be one of 1, 2');
	assert.deepEqual(check({ type: 'string', nullable: true }, null), []);
	assert.deepEqual(check({ type: 'object', properties: { x: { type: 'string', nullable: true } } }, { x: null }), []);
	const map: FieldSchema = { type: 'object', additionalProperties: 'number' };
	assert.deepEqual(check(map, { a: 1, b: 2 }), []);
	assert.deepEqual(check(map, { a: 1, b: 'two' }), [{ field: 'b', description: 'b must be a number, got string' }]);
	assert.deepEqual(check({ type: 'object', additionalProperties: true }, { any: ['thing'] }), []);
	assert.deepEqual(check('any', Symbol.for('x')), []);
});

test('query parameters are parsed as their type; path parameters must be present', () => {
	const schema: FieldSchema = {
		type: 'object',
		required: ['receive_id_type'],
		properties: { receive_id_type: { type: 'string', enum: ['open_id', 'chat_id'] }, page_size: 'number', completed: 'boolean', ids: { type: 'array', items: 'number' }, name: 'string' },
	};
	const q = (s: string) => {
		const out: Violation[] = [];
		checkQuery(schema, new URLSearchParams(s), out);
		return out;
	};
	assert.deepEqual(q('receive_id_type=chat_id&page_size=20&completed=false&ids=1&ids=2&name=&other=ignored'), []);
	assert.deepEqual(q('page_size=20'), [{ field: 'receive_id_type', description: 'receive_id_type is required' }]);
	assert.deepEqual(q('receive_id_type=email'), [{ field: 'receive_id_type', description: 'receive_id_type must be one of open_id, chat_id' }]);
	assert.deepEqual(q('receive_id_type=open_id&page_size=ten&completed=yes&ids=1&ids=x'), [
		{ field: 'page_size', description: 'page_size must be a number, got "ten"' },
		{ field: 'completed', description: 'completed must be true or false, got "yes"' },
		{ field: 'ids[1]', description: 'ids[1] must be a number, got string' },
	]);
	assert.deepEqual(q('receive_id_type=open_id&receive_id_type=chat_id'), [{ field: 'receive_id_type', description: 'receive_id_type must be given once' }]);
	assert.deepEqual(q('receive_id_type=open_id&page_size='), [], 'an empty number is absent');
	const path: FieldSchema = { type: 'object', required: ['task_guid'], properties: { task_guid: 'string', n: 'integer' } };
	const p = (params: Record<string, string>) => {
		const out: Violation[] = [];
		checkPath(path, params, out);
		return out;
	};
	assert.deepEqual(p({ task_guid: 'abc', n: '3' }), []);
	assert.deepEqual(p({ task_guid: '' }), [{ field: 'task_guid', description: 'task_guid is required' }]);
	assert.deepEqual(p({ task_guid: 'abc', n: 'three' }), [{ field: 'n', description: 'n must be an integer, got "three"' }]);
});

test('validateRequest throws Feishu’s 99992402 with every violation, against real imported schemas', () => {
	const im = endpointSchema(loadSchemas('im_v1'), 'im.v1.message.create');
	assert.doesNotThrow(() => validateRequest(im, { query: new URLSearchParams('receive_id_type=chat_id'), body: { receive_id: 'oc_1', msg_type: 'text', content: '{"text":"hi"}', unknown: 1 } }));
	let caught: unknown;
	try {
		validateRequest(im, { query: new URLSearchParams('receive_id_type=phone'), body: { receive_id: 'oc_1', msg_type: 'text' } });
	} catch (e) {
		caught = e;
	}
	assert.ok(caught instanceof ApiError);
	assert.equal(caught.httpStatus, 400);
	assert.equal(caught.code, 99992402);
	assert.equal(caught.message, 'field validation failed');
	assert.deepEqual(caught.detail.field_violations, [
		{ field: 'receive_id_type', description: 'receive_id_type must be one of open_id, union_id, user_id, email, chat_id' },
		{ field: 'content', description: 'content is required' },
	]);

	const patch = endpointSchema(loadSchemas('task_v2'), 'task.v2.task.patch');
	assert.deepEqual(violations(patch, { path: { task_guid: 'g' }, body: { task: { summary: '' }, update_fields: ['summary', 'owner'] } }), [
		{ field: 'task.summary', description: 'task.summary must not be empty' },
		{ field: 'update_fields[1]', description: 'update_fields[1] must be one of summary, description, start, due, completed_at, extra, custom_complete, repeat_rule, mode, is_milestone' },
	]);
	assert.deepEqual(violations(patch, { path: { task_guid: 'g' }, body: { task: { summary: 'x' } } }), [{ field: 'update_fields', description: 'update_fields is required' }]);
	assert.deepEqual(violations(patch, { path: { task_guid: 'g' }, body: [] }), [{ field: 'body', description: 'body must be an object, got array' }]);
	const get: EndpointSchema = endpointSchema(loadSchemas('task_v2'), 'task.v2.task.get');
	assert.deepEqual(violations(get, { path: {} }), [{ field: 'task_guid', description: 'task_guid is required' }]);
});
