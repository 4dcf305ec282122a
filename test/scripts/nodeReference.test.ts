// The README's operations table is the node's own: every described operation has a module and an
// endpoint, and README.md holds exactly what `npm run docs` generates (run it after adding one).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { operationsTable, README, withTable } from '../../scripts/docs/nodeReference';
import { resources } from '../../nodes/Feishu/actions/router';

test('README.md lists every operation of the Feishu node, as generated from the node (npm run docs)', () => {
	const table = operationsTable();
	const modules = Object.values(resources).reduce((n, r) => n + Object.keys(r.operations).length, 0);
	assert.match(table, new RegExp(`\\n${modules} operations\\.$`), 'one row per operation module');
	for (const [name, resource] of Object.entries(resources)) {
		for (const [value, operation] of Object.entries(resource.operations)) assert.ok(operation.endpoint.trim(), `${name} > ${value} names the Feishu API it calls`);
	}
	const readme = fs.readFileSync(README, 'utf8');
	assert.equal(readme, withTable(readme), 'README.md is behind the node: run npm run docs');
});
