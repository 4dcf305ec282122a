// Send and Wait for Response in real n8n, answered inside Feishu (the sandbox): a message to the bot
// starts a workflow whose Feishu node sends a card and waits; a click in the card (the sandbox's card
// click, as a person) comes to the app's Feishu Trigger over the long connection, which relays it to
// n8n's resume URL; the execution resumes with who answered what, and the card is redrawn with the
// outcome. Also: a non-approver's click, a second click, forged buttons and a direct call to the
// resume URL change nothing; free text and a custom form's values arrive typed; a wait survives an n8n
// restart; with no Feishu Trigger for the sending app, the card's links to n8n's page answer it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { selectedVersions } from '../../scripts/n8n/install';
import { nodeOutput } from '../../scripts/n8n/boot';
import { createSandboxCredential } from '../../scripts/n8n/rig';
import { APP, chatMessages, control, eachTestStartsHealthy, importWorkflow, loadExample, openConnections, type Rig, sendUserText, startRig, textOf, waitFor, waitForReply } from './harness';
import { botSends, buttonsOf, cardIn, click, elementsOf, executionOf, markdownOf, untilWaiting, valueOf, waitWorkflow } from './waitCards';

for (const version of selectedVersions()) {
	describe(`n8n ${version}: Send and Wait answered in Feishu`, { timeout: 900_000 }, () => {
		let rig: Rig;
		eachTestStartsHealthy(() => rig?.n8n);
		let approver: { open_id: string };
		let bystander: { open_id: string };

		before(async () => {
			rig = await startRig(version);
			approver = await control(rig, 'POST', 'users', { name: 'Alice Approver' });
			bystander = await control(rig, 'POST', 'users', { name: 'Bob Bystander' });
		});
		after(async () => {
			await rig?.close();
		});

		test('approval: the card waits; a bystander and forged buttons change nothing; the approver\'s click resumes within 3 s; a second click changes nothing', async (t) => {
			const wf = await importWorkflow(rig, waitWorkflow('send and wait: approval', {
				subject: 'Expense approval',
				message: '=Approve **{{ $json.text }}**?',
				responseType: 'approval',
				approvalOptions: { values: { approvalType: 'double', approveLabel: 'Approve', disapproveLabel: 'Reject' } },
				options: { approvers: approver.open_id },
			}));
			await rig.n8n.activate(wf.id);
			t.after(() => rig.n8n.deactivate(wf.id).catch(() => undefined));
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
			const chatId = `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
			await sendUserText(rig, chatId, 'Taxi 42 EUR', { chat_type: 'group', chat_name: 'Expenses', sender: { open_id: bystander.open_id } });
			const message = await cardIn(rig, chatId);
			const card = message.content;
			assert.equal(card.schema, '2.0');
			assert.equal(card.header.title.content, 'Expense approval');
			assert.match(markdownOf(card), /Approve \*\*Taxi 42 EUR\*\*\?/);
			const [approve, reject] = buttonsOf(card);
			assert.deepEqual([approve.text.content, reject.text.content], ['Approve', 'Reject']);
			await untilWaiting(rig, executionOf(approve));

			const bystanderClick = await click(rig, message.message_id, { value: valueOf(approve), name: approve.name, operator: { open_id: bystander.open_id } });
			assert.equal(bystanderClick.answer?.toast?.content, 'You are not one of the approvers of this request');
			assert.equal(bystanderClick.card_updated, false);

			// Cards someone made by hand (another workflow's Send with a card JSON): a button aimed at another
			// execution with this one's seal, and one whose seal was not made with the app's secret.
			const forgedUrl = { ...valueOf(approve), u: String(valueOf(approve).u).replace(/webhook-waiting\/\d+/, 'webhook-waiting/999999') };
			const forgedSeal = { ...valueOf(approve), h: '0'.repeat(64) };
			for (const value of [forgedUrl, forgedSeal]) {
				const forgedCard = { schema: '2.0', config: { update_multi: true }, body: { elements: [{ tag: 'button', name: 'forged', text: { tag: 'plain_text', content: 'Approve' }, behaviors: [{ type: 'callback', value }] }] } };
				const sent = await botSends(rig, chatId, forgedCard);
				const forged = await click(rig, sent.message_id, { value, name: 'forged', operator: { open_id: approver.open_id } });
				assert.equal(forged.answer?.toast?.content, 'This button is not valid for this app');
			}
			// The resume URL called directly, as a stranger who learnt it would.
			const direct = await fetch(String(valueOf(approve).u), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: '{}', ts: Date.now(), proof: 'x' }) });
			assert.equal(((await direct.json()) as { toast?: { content?: string } }).toast?.content, 'This answer could not be verified');
			await untilWaiting(rig, executionOf(approve));

			const answered = await click(rig, message.message_id, { value: valueOf(reject), name: reject.name, operator: { open_id: approver.open_id } });
			assert.equal(answered.answer?.toast?.content, 'Declined');
			assert.equal(answered.card_updated, true);
			assert.ok(answered.latency_ms < 3000, `answered in ${answered.latency_ms} ms`);
			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true });
			assert.equal(execution.status, 'success');
			const [out] = nodeOutput(execution, 'After');
			assert.equal(out.data.approved, false);
			assert.equal(out.data.responder.id, approver.open_id);
			assert.equal(out.data.chatId, chatId);
			assert.equal(out.data.messageId, message.message_id);
			assert.ok(out.data.waitedMs > 0 && Date.parse(out.data.respondedAt) > 0);

			const decided = (await chatMessages(rig, chatId)).find((m) => m.message_id === message.message_id)!.content;
			assert.equal(buttonsOf(decided).length, 0, 'the decided card has no buttons');
			assert.match(markdownOf(decided), new RegExp(`❌ \\*\\*Declined\\*\\* by <at id=${approver.open_id}></at>`));
			assert.equal(decided.header.template, 'red');

			// The old button, clicked again (a client that still shows it).
			const again = await click(rig, message.message_id, { value: valueOf(approve), name: approve.name, operator: { open_id: approver.open_id } }).catch((error: Error) => ({ refusedBySandbox: error.message }));
			if (!('refusedBySandbox' in again)) assert.equal(again.answer?.toast?.content, 'This request is no longer waiting for an answer');
			const all = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true });
			assert.equal(all.length, 1);
			assert.equal(nodeOutput(all[0], 'After')[0].data.approved, false, 'the second click resumed nothing');
		});

		test('custom form: a wrong number is refused and the execution keeps waiting; the values arrive typed; the wait survives an n8n restart', async (t) => {
			const wf = await importWorkflow(rig, waitWorkflow('send and wait: form', {
				message: 'Your expense, please',
				responseType: 'cardForm',
				formFields: {
					values: [
						{ fieldLabel: 'Amount', fieldType: 'number', requiredField: true },
						{ fieldLabel: 'Category', fieldType: 'dropdown', fieldOptions: 'Travel, Meals, Other' },
						{ fieldLabel: 'Tags', fieldType: 'multiSelect', fieldOptions: 'client, internal' },
						{ fieldLabel: 'Receipt Attached', fieldType: 'checkbox' },
						{ fieldLabel: 'Note', fieldType: 'textarea' },
					],
				},
			}));
			await rig.n8n.activate(wf.id);
			t.after(() => rig.n8n.deactivate(wf.id).catch(() => undefined));
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
			const chatId = `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
			await sendUserText(rig, chatId, 'expense', { sender: { open_id: approver.open_id } });
			const message = await cardIn(rig, chatId);
			const form = elementsOf(message.content).find((e) => e.tag === 'form');
			assert.ok(form, `the card has a form: ${JSON.stringify(message.content)}`);
			const submit = buttonsOf(message.content).find((b) => b.form_action_type === 'submit');
			assert.ok(submit);
			await untilWaiting(rig, executionOf(submit));

			await rig.n8n.restart();
			await waitFor('the long connection back', async () => (await openConnections(rig)).length >= 1, 120_000);

			const base = { value: valueOf(submit), name: submit.name, tag: 'button', operator: { open_id: approver.open_id } };
			const wrong = await click(rig, message.message_id, { ...base, form_value: { field_0: 'forty', field_1: 'Travel' } });
			assert.equal(wrong.answer?.toast?.content, 'Amount must be a number');
			await untilWaiting(rig, executionOf(submit));

			const ok = await click(rig, message.message_id, { ...base, form_value: { field_0: '42.5', field_1: 'Travel', field_2: ['client'], field_3: true, field_4: 'Airport run' } });
			assert.equal(ok.answer?.toast?.content, 'Answer recorded');
			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true });
			assert.equal(execution.status, 'success');
			const { data } = nodeOutput(execution, 'After')[0];
			assert.deepEqual(
				{ Amount: data.Amount, Category: data.Category, Tags: data.Tags, 'Receipt Attached': data['Receipt Attached'], Note: data.Note },
				{ Amount: 42.5, Category: 'Travel', Tags: ['client'], 'Receipt Attached': true, Note: 'Airport run' },
			);
			const decided = (await chatMessages(rig, chatId)).find((m) => m.message_id === message.message_id)!.content;
			assert.equal(elementsOf(decided).filter((e) => e.tag === 'form').length, 0);
			assert.match(markdownOf(decided), /\*\*Amount:\*\* 42\.5/);
		});

		test('free text: the text arrives with who wrote it; the decided card shows it, its markdown escaped', async (t) => {
			const wf = await importWorkflow(rig, waitWorkflow('send and wait: free text', { message: 'Why is the release late?', responseType: 'freeText' }));
			await rig.n8n.activate(wf.id);
			t.after(() => rig.n8n.deactivate(wf.id).catch(() => undefined));
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
			const chatId = `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
			await sendUserText(rig, chatId, 'release', { sender: { open_id: approver.open_id } });
			const message = await cardIn(rig, chatId);
			const submit = buttonsOf(message.content).find((b) => b.form_action_type === 'submit');
			assert.ok(submit, `the card has a submit button: ${JSON.stringify(message.content)}`);
			await untilWaiting(rig, executionOf(submit));
			const base = { value: valueOf(submit), name: submit.name, tag: 'button', operator: { open_id: approver.open_id } };
			const ok = await click(rig, message.message_id, { ...base, form_value: { field_0: 'The build broke *twice*' } });
			assert.equal(ok.answer?.toast?.content, 'Answer recorded');
			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true });
			const { data } = nodeOutput(execution, 'After')[0];
			assert.equal(data.text, 'The build broke *twice*');
			assert.equal(data.responder.id, approver.open_id);
			assert.equal(data.messageId, message.message_id);
			const decided = (await chatMessages(rig, chatId)).find((m) => m.message_id === message.message_id)!.content;
			assert.match(markdownOf(decided), /\*\*Response:\*\* The build broke \\\*twice\\\*/, 'the answer is shown, its markdown escaped');
		});

		test('no Feishu Trigger for the app: the card\'s buttons open n8n\'s page; an approval link and a form posted there resume the execution', async (t) => {
			// A second app, whose bot sends the card, with no trigger of its own; the first app's trigger starts the workflow.
			const other = { appId: 'cli_e2e_no_trigger', appSecret: 'e2e-no-trigger-secret' };
			await control(rig, 'POST', 'apps', { app_id: other.appId, app_secret: other.appSecret });
			const credential = await createSandboxCredential(rig.n8n, rig.sandbox.baseUrl, other, 'Feishu app without a trigger');
			const workflow = (name: string, parameters: Record<string, unknown>) => {
				const wfJson = waitWorkflow(name, parameters);
				wfJson.nodes[0].credentials = { feishuApi: rig.credential };
				wfJson.nodes[1].credentials = { feishuApi: credential };
				return rig.n8n.createWorkflow(wfJson);
			};
			const ask = async (wfId: string, text: string) => {
				await rig.n8n.activate(wfId);
				t.after(() => rig.n8n.deactivate(wfId).catch(() => undefined));
				await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
				const chatId = `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
				// The person writes to the other bot first, which brings it into the chat.
				await sendUserText(rig, chatId, 'hello', { app_id: other.appId, chat_type: 'group', chat_name: 'No trigger', sender: { open_id: approver.open_id } });
				await sendUserText(rig, chatId, text, { chat_type: 'group', chat_name: 'No trigger', sender: { open_id: approver.open_id } });
				const message = await cardIn(rig, chatId);
				const links = buttonsOf(message.content).map((b) => b.behaviors.find((x: any) => x.type === 'open_url')?.default_url as string);
				assert.ok(links.length > 0 && links.every(Boolean), `link buttons: ${JSON.stringify(message.content)}`);
				return { message, links };
			};

			const executionIn = (url: string) => /webhook-waiting\/(\d+)\//.exec(url)![1];
			const approval = await workflow('send and wait: page approval', { message: 'Ship it?', responseType: 'approval', approvalOptions: { values: { approvalType: 'double' } } });
			const asked = await ask(approval.id, 'ship');
			assert.deepEqual(buttonsOf(asked.message.content).map((b) => b.text.content), ['Approve', 'Decline']);
			const [, decline] = asked.links;
			const preview = await fetch(decline, { headers: { 'user-agent': 'Mozilla/5.0 (compatible; LinkPreviewBot/1.0)' } });
			assert.equal(preview.status, 200);
			await untilWaiting(rig, executionIn(decline));
			const opened = await fetch(decline, { headers: { 'user-agent': 'Mozilla/5.0' } });
			assert.match(await opened.text(), /Declined/);
			const [declined] = await rig.n8n.waitForExecutions(approval.id, 1, { includeData: true });
			const out = nodeOutput(declined, 'After')[0].data;
			assert.equal(out.approved, false);
			assert.equal(out.responder.source, 'n8nPage');
			await rig.n8n.deactivate(approval.id);

			const form = await workflow('send and wait: page form', {
				message: 'Your expense, please',
				responseType: 'cardForm',
				formFields: { values: [{ fieldLabel: 'Amount', fieldType: 'number', requiredField: true }, { fieldLabel: 'Tags', fieldType: 'multiSelect', fieldOptions: 'client, internal' }, { fieldLabel: 'Receipt Attached', fieldType: 'checkbox' }] },
			});
			const { links: [open] } = await ask(form.id, 'expense');
			await untilWaiting(rig, executionIn(open));
			const page = await (await fetch(open)).text();
			assert.match(page, /<form method="post">/);
			assert.match(page, /Your expense, please/);
			const post = (body: string) => fetch(open, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
			const wrong = await (await post('field_0=forty')).text();
			assert.match(wrong, /Amount must be a number/);
			assert.match(wrong, /value="forty"/, 'what was typed stays');
			await untilWaiting(rig, executionIn(open));
			assert.match(await (await post('field_0=42.5&field_1=client&field_1=internal&field_2=true')).text(), /Answer recorded/);
			const [answered] = await rig.n8n.waitForExecutions(form.id, 1, { includeData: true });
			const data = nodeOutput(answered, 'After')[0].data;
			assert.deepEqual({ Amount: data.Amount, Tags: data.Tags, 'Receipt Attached': data['Receipt Attached'] }, { Amount: 42.5, Tags: ['client', 'internal'], 'Receipt Attached': true });
		});

		test('webhook mode: the click comes to the trigger\'s URL and is relayed; the time limit passes: the card says it expired (its buttons gone), the items go on unchanged', async (t) => {
			const wfJson = waitWorkflow('send and wait: webhook', {
				message: '=Go ahead with **{{ $json.text }}**?',
				responseType: 'approval',
				options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 8, resumeUnit: 'seconds' } } },
			});
			const trigger = wfJson.nodes[0];
			trigger.webhookId = randomUUID();
			trigger.parameters = { ...trigger.parameters, connectionMode: 'webhook' };
			const wf = await importWorkflow(rig, wfJson);
			await rig.n8n.activate(wf.id);
			const put = await control(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url: rig.n8n.webhookUrl(`${trigger.webhookId}/webhook`) });
			t.after(async () => {
				await control(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'long_connection' }).catch(() => undefined);
				await rig.n8n.deactivate(wf.id).catch(() => undefined);
			});
			assert.equal(put.challenge_passed, true, JSON.stringify(put));

			// Answered over the webhook.
			const first = `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
			await sendUserText(rig, first, 'deploy', { sender: { open_id: approver.open_id } });
			const asked = await cardIn(rig, first);
			const [approve] = buttonsOf(asked.content);
			assert.match(markdownOf(asked.content), /Answer by .+ \(UTC\)/, 'the card says until when');
			await untilWaiting(rig, executionOf(approve));
			const answered = await click(rig, asked.message_id, { value: valueOf(approve), name: approve.name, operator: { open_id: approver.open_id } });
			assert.equal(answered.answer?.toast?.content, 'Approved');
			assert.equal(answered.card_updated, true);
			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true });
			assert.equal(nodeOutput(execution, 'After')[0].data.approved, true);

			// Left unanswered: at the limit the card says it expired; n8n resumes it (its wait tracker looks every 60 s).
			const second = `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
			await sendUserText(rig, second, 'rollback', { sender: { open_id: approver.open_id } });
			const unanswered = await cardIn(rig, second);
			const [late] = buttonsOf(unanswered.content);
			const sentAt = Date.now();
			const expired = await waitFor('the card to say it expired', async () => {
				const shown = (await chatMessages(rig, second)).find((m) => m.message_id === unanswered.message_id)!.content;
				return buttonsOf(shown).length === 0 ? shown : undefined;
			}, 30_000);
			assert.ok(Date.now() - sentAt >= 6_000, 'not before the limit');
			assert.match(markdownOf(expired), /⌛ \*\*Expired\*\* · /);
			assert.match(markdownOf(expired), /Go ahead with \*\*rollback\*\*\?/);
			// The answered card's limit has passed too: its expiry found the execution no longer waiting.
			const stillAnswered = (await chatMessages(rig, first)).find((m) => m.message_id === asked.message_id)!.content;
			assert.match(markdownOf(stillAnswered), /Approved/);
			assert.doesNotMatch(markdownOf(stillAnswered), /Expired/);
			const runs = await rig.n8n.waitForExecutions(wf.id, 2, { includeData: true, timeoutMs: 100_000 });
			const timedOut = runs.find((e) => e.id !== execution.id)!;
			assert.equal(timedOut.status, 'success');
			const [passed] = nodeOutput(timedOut, 'After');
			assert.equal(passed.data, undefined, 'no answer: no data');
			assert.equal(passed.text, 'rollback', 'the trigger\'s item went on unchanged');
			// The expired card has no button left to click (the sandbox refuses, as Feishu's client shows none).
			await assert.rejects(click(rig, unanswered.message_id, { value: valueOf(late), name: late.name, operator: { open_id: approver.open_id } }), /no interactive components any more/);
			assert.equal((await rig.n8n.waitForExecutions(wf.id, 2)).length, 2, 'nothing else resumed');
		});

		test('examples/approval.json: a message becomes an approval card; Approve resumes it and the requester is told', async (t) => {
			const wf = await importWorkflow(rig, loadExample('approval.json'));
			await rig.n8n.activate(wf.id);
			t.after(() => rig.n8n.deactivate(wf.id).catch(() => undefined));
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
			const chatId = `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
			const request = await sendUserText(rig, chatId, 'Taxi to the airport, 42 EUR', { sender: { open_id: bystander.open_id } });
			const card = await cardIn(rig, chatId);
			assert.equal(card.content.header.title.content, 'Expense request');
			assert.match(markdownOf(card.content), new RegExp(`<at id=${bystander.open_id}></at> asks to expense:\\n\\*\\*Taxi to the airport, 42 EUR\\*\\*`));
			const [approve] = buttonsOf(card.content);
			await untilWaiting(rig, executionOf(approve));
			const answered = await click(rig, card.message_id, { value: valueOf(approve), name: approve.name, operator: { open_id: approver.open_id } });
			assert.equal(answered.answer?.toast?.content, 'Approved');
			const reply = await waitForReply(rig, chatId, request.message_id);
			assert.equal(textOf(reply), 'Approved: go ahead.');
		});
	});
}
