// The Feishu Trigger's description as the editor uses it: event names that n8n turns into readable
// "On …" titles (it applies lodash's startCase to the option name), each event's Feishu key in its
// description, the canvas subtitle naming the chosen events, and the panel's guidance while testing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANY_EVENT, COMMON_EVENT_TYPES } from '../../../lib/feishu';

// 'FeishuTrigger.node' alone resolves to the codex file FeishuTrigger.node.json: name the .ts file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FeishuTrigger } = require('../../../nodes/FeishuTrigger/FeishuTrigger.node.ts') as typeof import('../../../nodes/FeishuTrigger/FeishuTrigger.node');

const description = new FeishuTrigger().description;
const events = description.properties.find((p) => p.name === 'events')!;

test('events: plain Title Case names (no digits or brackets for startCase to mangle), keys in the descriptions', () => {
	for (const option of events.options as { name: string; value: string; description: string }[]) {
		assert.match(option.name, /^[A-Z][a-z]*( (to|From|[A-Z][a-z]*))*$/, `"${option.name}" reads well as "On ${option.name}"`);
		if (option.value !== ANY_EVENT) assert.ok(option.description.startsWith(`${option.value} · `), `${option.value} is shown with its key`);
	}
});

test('the canvas subtitle names the chosen events; custom keys stay as they are', () => {
	const expression = String(description.subtitle);
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression)![1];
	const subtitle = (events: unknown) => new Function('$parameter', `return (${body});`)({ events }) as string;
	assert.equal(subtitle(['im.message.receive_v1', 'card.action.trigger']), 'Message Received, Card Action');
	assert.equal(subtitle([ANY_EVENT]), 'Any Event');
	assert.equal(subtitle(['approval_instance']), 'approval_instance');
	assert.equal(subtitle(undefined), '');
	assert.equal(COMMON_EVENT_TYPES.length + 1, (events.options ?? []).length);
});

test('the trigger panel says what to do while testing, and links the executions and activation', () => {
	const panel = description.triggerPanel as { header: string; executionsHelp: { active: string; inactive: string }; activationHint: string };
	assert.match(panel.header, /message the bot in Feishu/);
	assert.match(panel.executionsHelp.inactive, /Test URL/, 'webhook mode: which URL Feishu must call while testing');
	assert.match(panel.activationHint, /data-key="activate"/);
});
