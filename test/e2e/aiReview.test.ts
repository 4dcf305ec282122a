// An AI Agent's tool call reviewed in Feishu (n8n's human review for tools): n8n 2.x makes a
// "human in the loop" tool of every node with a Send and Wait operation, the Feishu node included
// (feishuHitlTool). Here the agent's Calculator sits behind it: the model asks for the tool, the Feishu
// node sends an approval card to the chat and the run waits; Approve runs the tool, Decline does not.
// n8n 1.x has no such tools, so this runs on 2.x only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { selectedVersions } from '../../scripts/n8n/install';
import { chatMessages, control, createSandboxModelCredential, eachTestStartsHealthy, loadExample, newChatId, openConnections, type Rig, sendUserText, startRig, waitFor } from './harness';
import { buttonsOf, cardIn, click, executionOf, markdownOf, untilWaiting, valueOf } from './waitCards';

/** How often a node ran in the execution (a tool's output is not on main, so count its runs). */
const runsOf = (execution: any, node: string): number => execution.data?.resultData?.runData?.[node]?.length ?? 0;

/** The example assistant without the streaming card, its agent given a Calculator behind the Feishu review tool. */
function reviewedAssistant(): any {
	const wf = loadExample('ai-assistant.json');
	wf.name = 'ai assistant with reviewed tools';
	wf.nodes = wf.nodes.filter((n: any) => n.type !== 'n8n-nodes-base.stickyNote');
	for (const node of wf.nodes) node.id = randomUUID();
	const trigger = wf.nodes.find((n: any) => n.name === 'Feishu Trigger');
	trigger.webhookId = randomUUID();
	trigger.parameters.options = {};
	wf.nodes.push(
		{ parameters: {}, id: randomUUID(), name: 'Calculator', type: '@n8n/n8n-nodes-langchain.toolCalculator', typeVersion: 1, position: [500, 440] },
		{
			parameters: {
				receiveIdType: 'chat_id',
				chatId: { __rl: true, mode: 'id', value: "={{ $('Feishu Trigger').item.json.chat_id }}" },
				approvalOptions: { values: { approvalType: 'double', approveLabel: 'Run it', disapproveLabel: 'Don\'t' } },
			},
			id: randomUUID(),
			name: 'Review in Feishu',
			type: 'n8n-nodes-feishu-bot.feishuHitlTool',
			typeVersion: 2,
			position: [500, 220],
			webhookId: randomUUID(),
			credentials: { feishuApi: { id: 'x', name: 'Feishu sandbox' } },
		},
	);
	wf.connections['Calculator'] = { ai_tool: [[{ node: 'Review in Feishu', type: 'ai_tool', index: 0 }]] };
	wf.connections['Review in Feishu'] = { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] };
	return wf;
}

for (const version of selectedVersions().filter((v) => Number(v.split('.')[0]) >= 2)) {
	describe(`n8n ${version}: an AI Agent's tool call approved or declined in Feishu`, { timeout: 600_000 }, () => {
		let rig: Rig;
		let wfId: string;
		eachTestStartsHealthy(() => rig?.n8n);

		before(async () => {
			rig = await startRig(version);
			const openAiApi = await createSandboxModelCredential(rig.n8n, rig.sandbox.baseUrl);
			const wf = await rig.n8n.createWorkflow(reviewedAssistant(), { credentials: { feishuApi: rig.credential, openAiApi } });
			wfId = wf.id;
			await rig.n8n.activate(wf.id);
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
		});
		after(async () => {
			await rig?.close();
		});

		const ask = async (decision: 'approve' | 'decline') => {
			await control(rig, 'POST', 'model/reset', {});
			// The review tool wraps the Calculator's input as toolParameters (n8n's gated tool schema).
			await control(rig, 'PUT', 'model/script', { replies: [{ toolCall: { name: 'Calculator', arguments: { toolParameters: { input: '6*7' }, hitlParameters: {} } } }] });
			const chatId = newChatId();
			const before = (await rig.n8n.executions(wfId)).length;
			await sendUserText(rig, chatId, 'What is 6 times 7?');
			const card = await cardIn(rig, chatId);
			assert.match(markdownOf(card.content), /Calculator/, 'the card names the tool');
			const [yes, no] = buttonsOf(card.content);
			assert.deepEqual([yes.text.content, no.text.content], ['Run it', 'Don\'t']);
			await untilWaiting(rig, executionOf(yes));
			const button = decision === 'approve' ? yes : no;
			const answered = await click(rig, card.message_id, { value: valueOf(button), name: button.name });
			assert.equal(answered.card_updated, true);
			const executions = await rig.n8n.waitForExecutions(wfId, before + 1, { includeData: true });
			const execution = executions.find((e: any) => String(e.id) === executionOf(yes))!;
			assert.equal(execution.status, 'success');
			const requests = (await control<{ requests: any[] }>(rig, 'GET', 'model/requests')).requests;
			const reply = await waitFor('the answer', async () => (await chatMessages(rig, chatId)).find((m) => m.from === 'bot' && m.message_id !== card.message_id));
			return { execution, requests, reply };
		};

		test('Approve: the Calculator runs and the model gets its result', async () => {
			const { execution, requests, reply } = await ask('approve');
			assert.ok(runsOf(execution, 'Calculator') > 0, 'the tool ran');
			const last = requests.at(-1);
			assert.ok(last.messages.some((m: any) => m.role === 'tool' && String(m.content).includes('42')), 'the tool result went to the model');
			assert.match(JSON.stringify(reply.content), /42/);
		});

		test('Decline: the Calculator does not run and the model is told', async () => {
			const { execution, requests } = await ask('decline');
			assert.equal(runsOf(execution, 'Calculator'), 0, 'the tool did not run');
			const last = requests.at(-1);
			assert.ok(!last.messages.some((m: any) => m.role === 'tool' && String(m.content).includes('42')));
		});
	});
}
