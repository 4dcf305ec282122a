// Real n8n loads our packed package: every node and credential declared in package.json is known to
// n8n after a user-style install, for each n8n version of the matrix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bootN8n, N8n, PACKAGE_NAME } from '../../scripts/n8n/boot';
import { selectedVersions } from '../../scripts/n8n/install';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
// dist/nodes/Feishu/Feishu.node.js -> the node's `name` is read from the built class below.
const declaredNodeFiles: string[] = pkg.n8n.nodes;
const declaredCredentialFiles: string[] = pkg.n8n.credentials;

function describedNames(files: string[]): string[] {
	return files.map((f) => {
		const mod = require(path.join(__dirname, '..', '..', f));
		// The class named like its file, as n8n's loader finds it (a module may export constants too).
		const cls = mod[path.basename(f).split('.')[0]] as new () => { description?: { name: string }; name?: string };
		const inst = new cls();
		return inst.description?.name ?? inst.name!;
	});
}

for (const version of selectedVersions()) {
	describe(`n8n ${version} loads ${PACKAGE_NAME}`, { timeout: 600_000 }, () => {
		let n8n: N8n;
		before(async () => {
			n8n = await bootN8n({ version });
		});
		after(async () => {
			await n8n?.dispose();
		});

		test('every declared node type is loaded under the package name', async () => {
			const types = await n8n.exportedNodeTypes();
			const expected = describedNames(declaredNodeFiles).map((n) => `${PACKAGE_NAME}.${n}`);
			assert.ok(expected.length > 0);
			for (const t of expected) assert.ok(types.includes(t), `${t} missing from n8n's node types (${types.filter((x) => x.startsWith(PACKAGE_NAME)).join(', ') || 'none of ours'})\n${n8n.logs(2000)}`);
		});

		test('every declared credential type is accepted by the public API', async () => {
			for (const type of describedNames(declaredCredentialFiles)) {
				const schema = await n8n.api<{ properties?: Record<string, unknown> }>('GET', `/credentials/schema/${type}`);
				assert.ok(schema.properties && Object.keys(schema.properties).length > 0, `no schema for ${type}`);
			}
		});
	});
}
