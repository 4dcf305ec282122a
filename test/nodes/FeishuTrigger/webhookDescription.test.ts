// The trigger's webhook description carries native resolvers for its expressions (n8n 2.x skips its
// expression engine with them). They must give exactly what n8n's engine gives for the templates.
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
	assert.deepEqual(Object.keys(resolvers).sort(), ['httpMethod', 'ndvHideUrl', 'responseMode']);
	const eventChoices: Record<string, unknown>[] = [
		{ events: ['im.message.receive_v1'] },
		{ events: ['im.message.receive_v1', 'card.action.trigger'] },
		{ events: ['*'] },
		{ events: [], customEventTypes: 'approval_instance, url.preview.get' },
		{ events: ['im.message.receive_v1'], customEventTypes: 'approval_instance' },
		{ events: 'not a list', customEventTypes: 42 },
	];
	for (const [field, resolver] of Object.entries(resolvers)) {
		assert.equal(resolver.template, (webhook as unknown as Record<string, unknown>)[field], `${field}: the template is the description's own value`);
		for (const connectionMode of ['webhook', 'longConnection']) {
			for (const choice of eventChoices) {
				const parameters = { connectionMode, ...choice };
				assert.deepEqual(resolver.resolve(parameters), engineValue(resolver.template, parameters), `${field} in ${connectionMode} mode, ${JSON.stringify(choice)}`);
			}
		}
	}
	assert.equal(resolvers.httpMethod.resolve({ connectionMode: 'webhook' }), 'POST');
	assert.equal(resolvers.httpMethod.resolve({ connectionMode: 'longConnection' }), '');
});

test('n8n sends the ack (onReceived) unless the trigger listens to callbacks, whose answer is the workflow\'s (responseNode)', () => {
	const [webhook] = triggerWebhooks;
	const mode = (webhook as unknown as Record<symbol, Record<string, Resolver>>)[RESOLVERS].responseMode.resolve;
	assert.equal(mode({ events: ['im.message.receive_v1', 'im.chat.member.bot.added_v1'] }), 'onReceived');
	assert.equal(mode({ events: ['im.message.receive_v1'], customEventTypes: 'approval_instance' }), 'onReceived');
	for (const events of [['card.action.trigger'], ['card.action.trigger_v1'], ['url.preview.get'], ['*'], ['im.message.receive_v1', 'card.action.trigger']]) {
		assert.equal(mode({ events }), 'responseNode', JSON.stringify(events));
	}
	assert.equal(mode({ events: [], customEventTypes: 'card.action.trigger' }), 'responseNode');
	// Empty, not absent: n8n's default responseData would replace webhook()'s {"msg":"success"}.
	assert.equal((webhook as unknown as Record<string, unknown>).responseData, '');
});
