// scripts/layers.mjs, the layering `npm run lint` enforces: on this repository, and on a made-up tree
// with one import of each forbidden kind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
// @ts-expect-error: a plain .mjs script without type declarations
import { layerViolations } from '../../scripts/layers.mjs';

const ROOT = path.resolve(__dirname, '..', '..');

test('the repository keeps its layers', () => {
	assert.deepEqual(layerViolations(ROOT), []);
});

test('each forbidden import is reported, the timers.ts exception is not', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
	const write = (rel: string, text: string) => {
		fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
		fs.writeFileSync(path.join(dir, rel), text);
	};
	try {
		write('lib/feishu/timers.ts', "import * as workflow from 'n8n-workflow';\n");
		write('lib/feishu/client.ts', "import type { INode } from 'n8n-workflow';\nimport { x } from '../../nodes/Feishu/GenericFunctions';\nimport { y } from './frames';\n");
		write('nodes/Feishu/a.ts', "import { DEMO_APP } from '../../sandbox/server';\nimport { send } from '../../lib/feishu';\n");
		write('credentials/C.credentials.ts', "const t = require('../test/helpers/x');\n");
		const found: string[] = layerViolations(dir);
		assert.deepEqual(found.sort(), [
			"credentials/C.credentials.ts: imports '../test/helpers/x' (credentials/ may not depend on test/)",
			"lib/feishu/client.ts: imports '../../nodes/Feishu/GenericFunctions' (lib/ may not depend on nodes/)",
			"lib/feishu/client.ts: imports 'n8n-workflow' (lib/ may not depend on n8n)",
			"nodes/Feishu/a.ts: imports '../../sandbox/server' (nodes/ may not depend on sandbox/)",
		]);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
