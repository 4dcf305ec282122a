// The trigger's webhook description carries native resolvers for its two expressions (n8n 2.x skips
// its expression engine with them). They must give exactly what n8n's engine gives for the templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type INode, type INodeTypes, Workflow } from 'n8n-workflow';
import { triggerWebhooks } from '../../../nodes/FeishuTrigger/FeishuTriggerDescription';

const RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');
type Resolver = { template: string; resolve: (p: Record<string, unknown>) => unknown };

function engineValue(template: string, parameters: Record<string, unknown>): unknown {
	const node: INode = { id: 'n', name: 'Feishu Trigger', type: 'feishuTrigger', typeVersion: 1.1, position: [0, 0], parameters: parameters as never };
	const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(node, template, 'internal', {});
}

test('webhook description resolvers agree with the expression templates, in both modes', () => {
	const [webhook] = triggerWebhooks;
	const resolvers = (webhook as unknown as Record<symbol, Record<string, Resolver>>)[RESOLVERS];
	assert.deepEqual(Object.keys(resolvers).sort(), ['httpMethod', 'ndvHideUrl']);
	for (const [field, resolver] of Object.entries(resolvers)) {
		assert.equal(resolver.template, (webhook as unknown as Record<string, unknown>)[field], `${field}: the template is the description's own value`);
		for (const connectionMode of ['webhook', 'longConnection']) {
			const parameters = { connectionMode, events: ['im.message.receive_v1'] };
			assert.deepEqual(resolver.resolve(parameters), engineValue(resolver.template, parameters), `${field} in ${connectionMode} mode`);
		}
	}
	assert.equal(resolvers.httpMethod.resolve({ connectionMode: 'webhook' }), 'POST');
	assert.equal(resolvers.httpMethod.resolve({ connectionMode: 'longConnection' }), '');
});
