// The Feishu node (version 2) run for one resource against a sandbox, with the checks its node tests
// share: the raw result, the output items' JSON (no error), a Feishu refusal by its code.
import assert from 'node:assert/strict';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { FeishuApi } from '../../credentials/FeishuApi.credentials';
import { runNode } from './executeContext';

// The explicit .ts: without it the resolver picks Feishu.node.json (the codex file).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Feishu } = require('../../nodes/Feishu/Feishu.node.ts') as typeof import('../../nodes/Feishu/Feishu.node');

/** `credentials` is read on every run: tests set it once their sandbox is up. */
export function feishuNode(resource: string, credentials: () => IDataObject) {
	const node = new Feishu();
	const credentialType = new FeishuApi();
	const run = (parameters: IDataObject, items?: INodeExecutionData[]) =>
		runNode({ node, parameters: { resource, ...parameters }, items, credentialType, credentials: credentials() as never, typeVersion: 2 });
	const ok = async (parameters: IDataObject, items?: INodeExecutionData[]) => {
		const r = await run(parameters, items);
		assert.ifError(r.error);
		return r.output![0].map((i) => i.json);
	};
	const refused = async (parameters: IDataObject, code: number, items?: INodeExecutionData[]) => {
		const r = await run(parameters, items);
		assert.ok(r.error instanceof NodeApiError, `expected Feishu error ${code}, got ${String(r.error)}`);
		assert.match(r.error.message, new RegExp(`^Feishu error ${code}: `));
	};
	return { run, ok, refused };
}
