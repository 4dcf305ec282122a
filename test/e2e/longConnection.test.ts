// The long-connection examples in real n8n, against the sandbox: echo replies, card answers within
// Feishu's 3 s, several workflows on one app sharing one connection, redelivered events run once,
// dropped connections and an n8n restart lose nothing, deactivation closes the connection.
// Every count comes from n8n's own executions (public API); chats and connections from the sandbox.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectedVersions } from '../../scripts/n8n/install';
import { nodeOutput } from '../../scripts/n8n/boot';
import {
	APP,
	chatMessages,
	cloneWorkflow,
	eachTestStartsHealthy,
	control,
	importWorkflow,
	loadExample,
	openConnections,
	type Rig,
	sendUserText,
	sleep,
	startRig,
	textOf,
	waitFor,
	waitForReply,
} from './harness';

/** Sends a card with one button as the bot (through the sandbox's Open API, like any app would). */
async function sendCardAsBot(rig: Rig, chatId: string): Promise<string> {
	const tokenRes = await fetch(`${rig.sandbox.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }),
	});
	const { tenant_access_token: token } = (await tokenRes.json()) as { tenant_access_token: string };
	const card = {
		config: { wide_screen_mode: true },
		header: { title: { tag: 'plain_text', content: 'Approve?' } },
		elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Yes' }, type: 'primary', value: { choice: 'yes' } }] }],
	};
	const res = await fetch(`${rig.sandbox.baseUrl}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
		body: JSON.stringify({ receive_id: chatId, msg_type: 'interactive', content: JSON.stringify(card) }),
	});
	const body = (await res.json()) as { code: number; msg: string; data: { message_id: string } };
	assert.equal(body.code, 0, `sending the card: ${body.msg}`);
	return body.data.message_id;
}

for (const version of selectedVersions()) {
	describe(`n8n ${version}: long connection`, { timeout: 900_000 }, () => {
		let rig: Rig;
		eachTestStartsHealthy(() => rig?.n8n);
		const echoIds: string[] = [];
		let cardWorkflowId = '';

		before(async () => {
			rig = await startRig(version);
		});
		after(async () => {
			await rig?.close();
		});

		const executionCount = async (id: string) => (await rig.n8n.executions(id)).length;

		test('echo bot: a user message runs the workflow and the reply lands in the chat', async () => {
			const wf = await importWorkflow(rig, loadExample('echo-bot-long-connection.json'));
			echoIds.push(wf.id);
			await rig.n8n.activate(wf.id);
			await waitFor('one open gateway connection', async () => (await openConnections(rig)).length === 1);

			const sent = await sendUserText(rig, 'oc_e2e_echo', 'hello n8n');
			const reply = await waitForReply(rig, 'oc_e2e_echo', sent.message_id);
			assert.equal(textOf(reply), 'Echo: hello n8n');

			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true });
			assert.equal(execution.status, 'success');
			const triggerOut = nodeOutput(execution, 'Feishu Trigger');
			assert.equal(triggerOut.length, 1);
			assert.equal(triggerOut[0].message_id, sent.message_id);
			assert.equal(triggerOut[0].text, 'hello n8n');
		});

		test('card click: "Respond to Card Action" answers the sandbox within 3 s', async () => {
			const wf = await importWorkflow(rig, loadExample('card-callback.json'));
			cardWorkflowId = wf.id;
			await rig.n8n.activate(wf.id);
			await sendUserText(rig, 'oc_e2e_card', 'show me a card');
			const cardId = await sendCardAsBot(rig, 'oc_e2e_card');

			const click = await control<{ answer: any; latency_ms: number; acked: boolean }>(rig, 'POST', `cards/${cardId}/click`, { value: { choice: 'yes' } });
			assert.ok(click.acked, `click not acked: ${JSON.stringify(click)}`);
			assert.ok(click.latency_ms < 3000, `answer after ${click.latency_ms} ms`);
			assert.ok(click.answer?.toast, `no toast in the answer: ${JSON.stringify(click.answer)}`);
			assert.equal(click.answer.toast.type, 'success');
			assert.match(JSON.stringify(click.answer.toast), /Got it: .*choice.*yes/);

			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1);
			assert.equal(execution.status, 'success');
			// Both workflows of the app still share one connection.
			assert.equal((await openConnections(rig)).length, 1);
		});

		test('three active workflows on one app all run for every message over one connection', async () => {
			for (const suffix of ['b', 'c']) {
				const wf = await importWorkflow(rig, cloneWorkflow(loadExample('echo-bot-long-connection.json'), suffix));
				echoIds.push(wf.id);
				await rig.n8n.activate(wf.id);
			}
			const before = await Promise.all(echoIds.map(executionCount));
			const sent = await sendUserText(rig, 'oc_e2e_fanout', 'fan out');
			await waitFor('three replies', async () => (await chatMessages(rig, 'oc_e2e_fanout')).filter((m) => m.parent_id === sent.message_id).length >= 3);
			for (let i = 0; i < echoIds.length; i++) {
				const list = await rig.n8n.waitForExecutions(echoIds[i], before[i] + 1);
				assert.equal(list.length, before[i] + 1, `workflow ${i} ran ${list.length - before[i]} times`);
				assert.equal(list[0].status, 'success');
			}
			const replies = (await chatMessages(rig, 'oc_e2e_fanout')).filter((m) => m.parent_id === sent.message_id);
			assert.equal(replies.length, 3);
			for (const r of replies) assert.equal(textOf(r), 'Echo: fan out');
			assert.equal((await openConnections(rig)).length, 1, 'one gateway connection for the app');
			// The card workflow listens to card actions only: a message does not run it.
			assert.equal(await executionCount(cardWorkflowId), 1);
		});

		test('a redelivered event (same event_id) runs each workflow once', async () => {
			const before = await Promise.all(echoIds.map(executionCount));
			const sent = await sendUserText(rig, 'oc_e2e_redeliver', 'only once');
			await waitFor('three replies', async () => (await chatMessages(rig, 'oc_e2e_redeliver')).filter((m) => m.parent_id === sent.message_id).length >= 3);
			// Feishu redelivers with the same event_id when it missed the ack: replay the same event.
			const original = (await chatMessages(rig, 'oc_e2e_redeliver')).find((m) => m.message_id === sent.message_id)!;
			const info = await control<{ tenant_key: string; default_user: { open_id: string; union_id: string; user_id: string } }>(rig, 'GET', 'info');
			const event = {
				sender: { sender_id: info.default_user, sender_type: 'user', tenant_key: info.tenant_key },
				message: {
					message_id: sent.message_id,
					create_time: (original as any).create_time,
					update_time: (original as any).create_time,
					chat_id: sent.chat_id,
					chat_type: 'p2p',
					message_type: 'text',
					content: JSON.stringify({ text: 'only once' }),
				},
			};
			for (let i = 0; i < 2; i++) await control(rig, 'POST', 'events', { event_type: 'im.message.receive_v1', event_id: sent.event_id, event });
			await waitFor('the replays acked', async () => {
				const { deliveries } = await control<{ deliveries: { acked: boolean }[] }>(rig, 'GET', `deliveries?event_id=${sent.event_id}`);
				return deliveries.length === 3 && deliveries.every((d) => d.acked);
			});
			await sleep(2000); // time for any duplicate run to show up
			const afterCounts = await Promise.all(echoIds.map(executionCount));
			assert.deepEqual(
				afterCounts.map((n, i) => n - before[i]),
				echoIds.map(() => 1),
			);
			assert.equal((await chatMessages(rig, 'oc_e2e_redeliver')).filter((m) => m.parent_id === sent.message_id).length, 3);
		});

		test('the sandbox dropping the connection does not lose the next message', async () => {
			const before = await Promise.all(echoIds.map(executionCount));
			const [oldConn] = await openConnections(rig);
			await control(rig, 'POST', 'faults', { app_id: APP.appId, drop_connections: true });
			// Sent at once: it waits in the sandbox until the client is back (Feishu holds undelivered events too).
			const sent = await sendUserText(rig, 'oc_e2e_drop', 'after the drop');
			await waitFor('three replies', async () => (await chatMessages(rig, 'oc_e2e_drop')).filter((m) => m.parent_id === sent.message_id).length >= 3, 30_000);
			for (let i = 0; i < echoIds.length; i++) await rig.n8n.waitForExecutions(echoIds[i], before[i] + 1);
			const open = await openConnections(rig);
			assert.equal(open.length, 1);
			assert.notEqual(open[0].id, oldConn.id, 'a new connection replaced the dropped one');
		});

		test('a credential with the right App ID and a wrong App Secret fails its own activation and never touches the live connection', async () => {
			const wrong = await rig.n8n.createCredential({
				name: 'Feishu sandbox, wrong secret',
				type: 'feishuApi',
				data: { appId: APP.appId, appSecret: 'a-guessed-secret', domain: 'custom', baseUrl: rig.sandbox.baseUrl },
			});
			const intruder = await rig.n8n.createWorkflow(cloneWorkflow(loadExample('echo-bot-long-connection.json'), 'x'), {
				credentials: { feishuApi: { id: wrong.id, name: wrong.name } },
			});
			const [liveConn] = await openConnections(rig);
			await assert.rejects(rig.n8n.activate(intruder.id), /app secret invalid/, "the activation fails with Feishu's message");
			await rig.n8n.deactivate(intruder.id).catch(() => undefined);

			const before = await Promise.all(echoIds.map(executionCount));
			const sent = await sendUserText(rig, 'oc_e2e_intruder', 'not for the intruder');
			await waitFor('three replies', async () => (await chatMessages(rig, 'oc_e2e_intruder')).filter((m) => m.parent_id === sent.message_id).length >= 3);
			// The live connection's reconnects still use its own secret.
			await control(rig, 'POST', 'faults', { app_id: APP.appId, drop_connections: true });
			const later = await sendUserText(rig, 'oc_e2e_intruder', 'after a reconnect');
			await waitFor('three replies after the reconnect', async () => (await chatMessages(rig, 'oc_e2e_intruder')).filter((m) => m.parent_id === later.message_id).length >= 3, 30_000);
			for (let i = 0; i < echoIds.length; i++) await rig.n8n.waitForExecutions(echoIds[i], before[i] + 2);
			assert.equal(await executionCount(intruder.id), 0, 'the intruder workflow never ran');
			const open = await openConnections(rig);
			assert.equal(open.length, 1);
			assert.notEqual(open[0].id, liveConn.id, 'the live connection reconnected');
		});

		test('restarting n8n resumes receiving on one connection', async (t) => {
			const before = await Promise.all(echoIds.map(executionCount));
			await rig.n8n.restart();
			// n8n answers HTTP before it has re-activated every workflow (1.x logs each activation; 2.x
			// re-publishes them in the background), so a message sent too early reaches only some
			// workflows. Like a user, say something until all three bots answer one message.
			if (rig.n8n.major < 2) await rig.n8n.waitActivatedAtStart([...echoIds, cardWorkflowId]);
			let probes = 0;
			const answered = await waitFor(
				'one message answered by all three workflows after the restart',
				async () => {
					const sent = await sendUserText(rig, 'oc_e2e_restart', `after the restart ${++probes}`);
					const deadline = Date.now() + 5000;
					while (Date.now() < deadline) {
						const replies = (await chatMessages(rig, 'oc_e2e_restart')).filter((m) => m.parent_id === sent.message_id);
						if (replies.length >= 3) return replies;
						await sleep(250);
					}
					return undefined;
				},
				60_000,
				0,
			);
			assert.equal(answered.length, 3);
			t.diagnostic(`messages sent after the restart until all three workflows answered one: ${probes}`);
			for (let i = 0; i < echoIds.length; i++) {
				const list = await rig.n8n.waitForExecutions(echoIds[i], before[i] + 1);
				assert.ok(list.every((e) => e.status === 'success'), `workflow ${i}: ${list.map((e) => e.status).join(', ')}`);
			}
			// Every probe was answered at most once per workflow: nothing ran twice.
			const all = await chatMessages(rig, 'oc_e2e_restart');
			for (const probe of all.filter((m) => m.from === 'user')) assert.ok(all.filter((m) => m.parent_id === probe.message_id).length <= 3);
			assert.equal((await openConnections(rig)).length, 1);
		});

		test('deactivating every workflow closes the connection', async () => {
			for (const id of [...echoIds, cardWorkflowId]) {
				await rig.n8n.deactivate(id);
				// The connection stays while any workflow of the app is active.
				if (id !== cardWorkflowId) assert.equal((await openConnections(rig)).length, 1);
			}
			await waitFor('no open connection', async () => (await openConnections(rig)).length === 0, 15_000);
		});
	});
}
