// examples/ai-assistant.json in real n8n: Feishu Trigger (long connection, Answer in a Streaming Card)
// → AI Agent (n8n's OpenAI Chat Model pointed at the sandbox's scripted model, Simple Memory keyed by
// the trigger's session_id) → Send Answer. The model server sets the pace: it holds its last token
// while the test looks at the card, so "streamed" means card updates seen before the model finished.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { selectedVersions } from '../../scripts/n8n/install';
import { toCardMarkdown } from '../../lib/feishu';
import { APP, chatMessages, control, createSandboxModelCredential, eachTestStartsHealthy, loadExample, newChatId, openConnections, type Rig, sendUserText, startRig, tenantToken, waitFor } from './harness';

interface CardOp {
	at: number;
	op: string;
	sequence: number | null;
	code: number;
}

async function entityOf(rig: Rig, messageId: string): Promise<any> {
	const { cards } = await control<{ cards: any[] }>(rig, 'GET', `cardkit/cards?app_id=${APP.appId}`);
	const card = cards.find((c) => c.message_id === messageId);
	return card && control(rig, 'GET', `cardkit/cards/${card.card_id}`);
}

/** The bot's answer card in a chat (the reply to `parentId`) and its CardKit entity. */
async function answerCard(rig: Rig, chatId: string, parentId: string): Promise<any> {
	return waitFor('the answer card', async () => {
		const reply = (await chatMessages(rig, chatId)).find((m) => m.from === 'bot' && m.msg_type === 'interactive' && m.parent_id === parentId);
		return reply && entityOf(rig, reply.message_id);
	});
}

const closed = (rig: Rig, cardId: string, timeoutMs = 30_000) =>
	waitFor('the card closed', async () => {
		const e = await control(rig, 'GET', `cardkit/cards/${cardId}`);
		return e.streaming_mode === false && e.history.some((h: CardOp) => h.op === 'update' && h.code === 0) ? e : undefined;
	}, timeoutMs).catch(async (error) => {
		const e = await control(rig, 'GET', `cardkit/cards/${cardId}`);
		console.log(JSON.stringify({ ...e, history: e.history.slice(-6) }).slice(0, 3000));
		console.log(JSON.stringify((await control<{ requests: any[] }>(rig, 'GET', 'model/requests')).requests.map((r) => ({ ...r, messages: undefined }))).slice(0, 3000));
		throw error;
	});

const elementText = (card: any, id: string): string | undefined => {
	const walk = (els: any[]): any => els?.map((e) => (e.element_id === id ? e : walk(e.elements ?? []))).find(Boolean);
	return walk(card?.body?.elements ?? [])?.content;
};

/** The emoji types on a message, read through the Open API as the app. */
async function reactionsOn(rig: Rig, messageId: string): Promise<string[]> {
	const res: any = await (await fetch(`${rig.sandbox.baseUrl}/open-apis/im/v1/messages/${messageId}/reactions`, { headers: { authorization: `Bearer ${await tenantToken(rig)}` } })).json();
	return (res.data?.items ?? []).map((r: any) => r.reaction_type?.emoji_type);
}

/** Feishu's rules for a card's operations: sequences strictly rising, never more than 10 in a second. */
function assertCardRules(history: CardOp[]): void {
	const ops = history.filter((h) => h.code === 0 && h.sequence !== null);
	for (let i = 1; i < ops.length; i++) assert.ok(ops[i].sequence! > ops[i - 1].sequence!, `sequence ${ops[i].sequence} after ${ops[i - 1].sequence}`);
	const all = history.filter((h) => h.op !== 'send');
	for (let i = 10; i < all.length; i++) assert.ok(all[i].at - all[i - 10].at >= 1000, `11 operations within ${all[i].at - all[i - 10].at} ms`);
}

for (const version of selectedVersions()) {
	describe(`n8n ${version}: an AI Agent's answer streams into a Feishu card`, { timeout: 900_000 }, () => {
		let rig: Rig;
		let wfId: string;
		let openAiApi: { id: string; name: string };
		eachTestStartsHealthy(() => rig?.n8n);

		before(async () => {
			rig = await startRig(version);
			openAiApi = await createSandboxModelCredential(rig.n8n, rig.sandbox.baseUrl);
			const wf = await rig.n8n.createWorkflow(loadExample('ai-assistant.json'), { credentials: { feishuApi: rig.credential, openAiApi } });
			wfId = wf.id;
			await rig.n8n.activate(wf.id);
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
		});
		after(async () => {
			await rig?.close();
		});

		/** One question with a held last token: ≥ 5 ordered updates before it, then the full text, within Feishu's card rules. */
		const streamedAnswer = async (question: string, workflowId: string): Promise<void> => {
			const tokens = Array.from({ length: 40 }, (_, i) => `word${i} `);
			await control(rig, 'PUT', 'model/script', { replies: [{ tokens, delayMs: 40, holdLastToken: true }] });
			const chatId = newChatId();
			const sent = await sendUserText(rig, chatId, question);
			const entity = await answerCard(rig, chatId, sent.message_id);
			await waitFor('the model holding its last token', async () => (await control<{ requests: any[] }>(rig, 'GET', 'model/requests')).requests[0]?.reply?.held === true, 30_000);
			// The trigger's coalescing may still be sending the latest text: what counts is what reached the card before the last token.
			const held = await waitFor('≥ 5 content updates before the model\'s last token', async () => {
				const e = await control(rig, 'GET', `cardkit/cards/${entity.card_id}`);
				return e.history.filter((h: CardOp) => h.op === 'content' && h.code === 0).length >= 5 ? e : undefined;
			}, 5_000);
			const [request] = (await control<{ requests: any[] }>(rig, 'GET', 'model/requests')).requests;
			assert.equal(request.reply.held, true, 'the model has not sent its last token yet');
			assert.equal(held.streaming_mode, true);
			const contents = held.history.filter((h: CardOp) => h.op === 'content');
			const texts = contents.map((h: CardOp & { appended?: boolean }) => h.appended);
			assert.ok(texts.slice(1).every(Boolean), 'each update continues the one before');
			assert.deepEqual(await reactionsOn(rig, sent.message_id), ['Typing'], 'the working reaction is on while the answer is written');
			await control(rig, 'POST', 'model/release', {});
			const done = await closed(rig, entity.card_id);
			await waitFor('the working reaction taken off', async () => (await reactionsOn(rig, sent.message_id)).length === 0);
			assert.equal(elementText(done.card, 'answer'), toCardMarkdown(tokens.join('')));
			assertCardRules(done.history);
			const { rejections } = await control<{ rejections: unknown[] }>(rig, 'GET', `cardkit/rejections?card_id=${entity.card_id}`);
			assert.deepEqual(rejections, []);
			const executions = await rig.n8n.waitForExecutions(workflowId, 1);
			assert.equal(executions[0].status, 'success');
		};

		test('the card gets ≥ 5 ordered updates before the model\'s last token, then exactly the full text; Feishu\'s card rules hold', () => streamedAnswer('Tell me a story', wfId));

		test('a 4,000-character answer streamed fast: no update faster than the card limit, sequences strictly rising, no rejection', async () => {
			await control(rig, 'POST', 'model/reset', {});
			await control(rig, 'PUT', 'model/script', { replies: [{ repeat: 4200, delayMs: 2 }] });
			const chatId = newChatId();
			const sent = await sendUserText(rig, chatId, 'A long answer please');
			const entity = await answerCard(rig, chatId, sent.message_id);
			const done = await closed(rig, entity.card_id);
			const [request] = (await control<{ requests: any[] }>(rig, 'GET', 'model/requests')).requests;
			assert.ok(request.reply.text.length >= 4000, `${request.reply.text.length} characters`);
			assertCardRules(done.history);
			assert.ok(done.history.filter((h: CardOp) => h.op === 'content').length >= 2, 'it streamed');
			const { rejections } = await control<{ rejections: unknown[] }>(rig, 'GET', `cardkit/rejections?card_id=${entity.card_id}`);
			assert.deepEqual(rejections, []);
			const parts = (await chatMessages(rig, chatId)).filter((m) => m.from === 'bot');
			const shown = [elementText(done.card, 'answer'), ...(await Promise.all(parts.filter((m) => m.message_id !== entity.message_id).map(async (m) => elementText(m.content, 'answer') ?? JSON.stringify(m.content))))].join('');
			assert.ok(shown.replace(/\s+/g, '').length >= toCardMarkdown(request.reply.text).replace(/\s+/g, '').length - 10, 'the whole answer is shown');
		});

		test('two conversations at once keep separate memory', async () => {
			await control(rig, 'POST', 'model/reset', {});
			const [a, b] = [newChatId(), newChatId()];
			const firstA = await sendUserText(rig, a, 'My name is Alice');
			const firstB = await sendUserText(rig, b, 'My name is Bob');
			await Promise.all([closed(rig, (await answerCard(rig, a, firstA.message_id)).card_id), closed(rig, (await answerCard(rig, b, firstB.message_id)).card_id)]);
			const secondA = await sendUserText(rig, a, 'Who am I?');
			const secondB = await sendUserText(rig, b, 'Who am I?');
			const [doneA, doneB] = await Promise.all([answerCard(rig, a, secondA.message_id).then((e) => closed(rig, e.card_id)), answerCard(rig, b, secondB.message_id).then((e) => closed(rig, e.card_id))]);
			const textA = elementText(doneA.card, 'answer') ?? '';
			const textB = elementText(doneB.card, 'answer') ?? '';
			assert.match(textA, /Earlier you said: My name is Alice/);
			assert.doesNotMatch(textA, /Bob/);
			assert.match(textB, /Earlier you said: My name is Bob/);
			assert.doesNotMatch(textB, /Alice/);
		});

		test('a model that fails mid-stream leaves the card with an error line, not a frozen "thinking"', async () => {
			await control(rig, 'PUT', 'model/script', { replies: [{ tokens: Array.from({ length: 12 }, (_, i) => `part${i} `), delayMs: 30, errorAfterTokens: 6, errorMessage: 'The server had an error' }] });
			const chatId = newChatId();
			const sent = await sendUserText(rig, chatId, 'This will break');
			const entity = await answerCard(rig, chatId, sent.message_id);
			const done = await closed(rig, entity.card_id, 60_000);
			assert.match(elementText(done.card, 'error') ?? '', /stopped|error|fail/i);
			assertCardRules(done.history);
		});

		test('an agent with streaming off: the thinking card is there at once and gets the whole answer from Send Answer', async () => {
			await rig.n8n.deactivate(wfId);
			const wf = loadExample('ai-assistant.json');
			for (const node of wf.nodes) node.id = randomUUID();
			wf.nodes.find((n: any) => n.name === 'Feishu Trigger').webhookId = randomUUID();
			wf.nodes.find((n: any) => n.name === 'AI Agent').parameters.options.enableStreaming = false;
			const created = await rig.n8n.createWorkflow(wf, { name: 'ai assistant (no streaming)', credentials: { feishuApi: rig.credential, openAiApi } });
			await rig.n8n.activate(created.id);
			try {
				await control(rig, 'POST', 'model/reset', {});
				await control(rig, 'PUT', 'model/script', { replies: [{ text: 'A **whole** answer at once.', firstTokenDelayMs: 500 }] });
				const chatId = newChatId();
				const sent = await sendUserText(rig, chatId, 'No streaming please');
				const entity = await answerCard(rig, chatId, sent.message_id);
				assert.equal(elementText(entity.card, 'answer'), 'Thinking…', 'the thinking card came before the answer');
				const done = await closed(rig, entity.card_id);
				assert.equal(elementText(done.card, 'answer'), toCardMarkdown('A **whole** answer at once.'));
				assert.equal(elementText(done.card, 'footer') !== undefined, true, 'Send Answer\'s footer');
				assertCardRules(done.history);
			} finally {
				await rig.n8n.deactivate(created.id);
				await rig.n8n.activate(wfId);
			}
		});

		test('the editor\'s test run (long connection): n8n waits on the answer webhook\'s test URL, the trigger hands it the next message, and the test run streams', async () => {
			await control(rig, 'POST', 'model/reset', {});
			const saved = await rig.n8n.rest<any>('GET', `/rest/workflows/${wfId}`);
			await rig.n8n.deactivate(wfId);
			await waitFor('the active workflow\'s connection closed', async () => (await openConnections(rig)).length === 0);
			try {
				const started = await rig.n8n.rest<any>('POST', `/rest/workflows/${wfId}/run`, { workflowData: saved, triggerToStartFrom: { name: 'Feishu Trigger' } });
				assert.equal(started.waitingForWebhook, true, JSON.stringify(started));
				// The test listener subscribes once n8n has registered the test webhook.
				await waitFor('the test listener\'s connection', async () => (await openConnections(rig)).length >= 1);
				const tokens = Array.from({ length: 30 }, (_, i) => `test${i} `);
				await control(rig, 'PUT', 'model/script', { replies: [{ tokens, delayMs: 40 }] });
				const chatId = newChatId();
				const sent = await sendUserText(rig, chatId, 'A test run');
				const entity = await answerCard(rig, chatId, sent.message_id);
				const done = await closed(rig, entity.card_id);
				assert.equal(elementText(done.card, 'answer'), toCardMarkdown(tokens.join('')));
				assert.ok(done.history.filter((h: CardOp) => h.op === 'content' && h.code === 0).length >= 2, 'it streamed');
				const manual = await waitFor('the test execution', async () => (await rig.n8n.executions(wfId)).find((e: any) => e.mode === 'manual' && e.status === 'success'));
				assert.ok(manual);
			} finally {
				await rig.n8n.activate(wfId);
			}
		});

		test('webhook connection mode: Feishu gets its ack within its 3 s and the answer streams the same way', async () => {
			await rig.n8n.deactivate(wfId);
			const wf = loadExample('ai-assistant.json');
			for (const node of wf.nodes) node.id = randomUUID();
			const trigger = wf.nodes.find((n: any) => n.name === 'Feishu Trigger');
			trigger.parameters.connectionMode = 'webhook';
			trigger.webhookId = randomUUID();
			const created = await rig.n8n.createWorkflow(wf, { name: 'ai assistant (webhook)', credentials: { feishuApi: rig.credential, openAiApi } });
			await rig.n8n.activate(created.id);
			const delivery = await control<{ challenge_passed: boolean }>(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url: rig.n8n.webhookUrl(`${trigger.webhookId}/webhook`) });
			assert.equal(delivery.challenge_passed, true);
			await control(rig, 'POST', 'model/reset', {});
			await streamedAnswer('A question over the webhook', created.id);
			const [execution] = await rig.n8n.waitForExecutions(created.id, 1);
			assert.equal(execution.mode, 'webhook');
			// Feishu's rule: an event is answered within 3 s, once.
			const { deliveries } = await control<{ deliveries: any[] }>(rig, 'GET', `deliveries?app_id=${APP.appId}`);
			const viaWebhook = deliveries.filter((d) => d.attempts.some((a: any) => a.http_status !== undefined));
			assert.ok(viaWebhook.length >= 1);
			for (const d of viaWebhook) {
				assert.equal(d.attempts.length, 1, 'not redelivered');
				assert.ok(d.attempts[0].ack_latency_ms < 3000, `acked in ${d.attempts[0].ack_latency_ms} ms`);
			}
		});
	});
}
