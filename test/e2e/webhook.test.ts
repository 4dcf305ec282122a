// The webhook echo example in real n8n: the sandbox's url_verification challenge passes against n8n's
// production URL, encrypted and signed events run the workflow and get the reply, a redelivery runs
// nothing more, and a forged signature is refused with 401 and runs nothing; unsigned requests learn
// nothing from the answer, only JSON is processed, a card action gets the workflow's answer, and no
// Verification Token means no activation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { selectedVersions } from '../../scripts/n8n/install';
import { computeSignature, encryptPayload } from '../../lib/feishu/crypto';
import { APP, chatMessages, cloneWorkflow, control, importWorkflow, loadExample, type Rig, sendUserText, sleep, startRig, textOf, waitFor, waitForReply, eachTestStartsHealthy } from './harness';

/** A message event with the right token, as someone without the Encrypt Key could make one. */
function forgedEvent() {
	return {
		schema: '2.0',
		header: { event_id: randomUUID(), event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: APP.verificationToken, app_id: APP.appId, tenant_key: 'forged' },
		event: {
			sender: { sender_id: { open_id: 'ou_forger' }, sender_type: 'user' },
			message: { message_id: 'om_forged', chat_id: 'oc_e2e_webhook', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text: 'forged' }) },
		},
	};
}

for (const version of selectedVersions()) {
	describe(`n8n ${version}: webhook`, { timeout: 600_000 }, () => {
		let rig: Rig;
		eachTestStartsHealthy(() => rig?.n8n);
		let workflowId = '';
		let url = '';

		before(async () => {
			rig = await startRig(version);
		});
		after(async () => {
			await rig?.close();
		});

		const executionCount = async () => (await rig.n8n.executions(workflowId)).length;

		test("the sandbox's challenge passes against n8n's production URL", async () => {
			const example = loadExample('echo-bot-webhook.json');
			const trigger = example.nodes.find((n: any) => n.type === 'n8n-nodes-feishu-bot.feishuTrigger');
			assert.ok(trigger?.webhookId, 'the example trigger has a webhookId');
			const wf = await importWorkflow(rig, example);
			workflowId = wf.id;
			await rig.n8n.activate(wf.id);
			url = rig.n8n.webhookUrl(`${trigger.webhookId}/webhook`);
			const result = await control<{ ok: boolean; challenge_passed: boolean; status: number; body: unknown }>(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url });
			assert.equal(result.challenge_passed, true, `challenge failed: ${JSON.stringify(result)}`);
			assert.equal(result.status, 200);
			// Answering the challenge is not an event: nothing ran.
			assert.equal(await executionCount(), 0);
		});

		test('an encrypted, signed event runs the workflow and the reply lands', async () => {
			const sent = await sendUserText(rig, 'oc_e2e_webhook', 'over http');
			const reply = await waitForReply(rig, 'oc_e2e_webhook', sent.message_id);
			assert.equal(textOf(reply), 'Echo: over http');
			const [execution] = await rig.n8n.waitForExecutions(workflowId, 1);
			assert.equal(execution.status, 'success');
			const { deliveries } = await control<{ deliveries: any[] }>(rig, 'GET', `deliveries?event_id=${sent.event_id}`);
			assert.equal(deliveries[0].transport, 'webhook');
			assert.equal(deliveries[0].attempts[0].http_status, 200);
			if (rig.n8n.major >= 2) {
				// n8n 2.x sends the trigger's ack once it has stored the run: the execution was running before the answer left.
				const ackedAt = deliveries[0].attempts[0].at + deliveries[0].attempts[0].ack_latency_ms;
				assert.ok(Date.parse(execution.startedAt) <= ackedAt, `run started ${execution.startedAt}, acked ${new Date(ackedAt).toISOString()}`);
			}
		});

		test('a redelivered event (same event_id) runs nothing more', async () => {
			const countBeforeSend = await executionCount();
			const sent = await sendUserText(rig, 'oc_e2e_webhook_redeliver', 'once over http');
			await waitForReply(rig, 'oc_e2e_webhook_redeliver', sent.message_id);
			// The reply is posted before n8n saves the run: wait until the first delivery's run is counted.
			const before = await waitFor('the first run recorded', async () => {
				const n = await executionCount();
				return n > countBeforeSend ? n : undefined;
			});
			const info = await control<{ tenant_key: string; default_user: Record<string, string> }>(rig, 'GET', 'info');
			const event = {
				sender: { sender_id: info.default_user, sender_type: 'user', tenant_key: info.tenant_key },
				message: { message_id: sent.message_id, create_time: String(Date.now()), chat_id: sent.chat_id, chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text: 'once over http' }) },
			};
			await control(rig, 'POST', 'events', { event_type: 'im.message.receive_v1', event_id: sent.event_id, event });
			await waitFor('the redelivery answered', async () => {
				const { deliveries } = await control<{ deliveries: any[] }>(rig, 'GET', `deliveries?event_id=${sent.event_id}`);
				return deliveries.length === 2 && deliveries.every((d) => d.acked);
			});
			await sleep(2000);
			assert.equal(await executionCount(), before);
			assert.equal((await chatMessages(rig, 'oc_e2e_webhook_redeliver')).filter((m) => m.parent_id === sent.message_id).length, 1);
		});

		test('a forged signature gets 401 and runs nothing', async () => {
			const before = await executionCount();
			const payload = forgedEvent();
			const raw = JSON.stringify({ encrypt: encryptPayload(APP.encryptKey!, JSON.stringify(payload)) });
			const timestamp = String(Math.floor(Date.now() / 1000));
			const nonce = 'forged-nonce';
			const headers = { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce };

			const forged = await fetch(url, { method: 'POST', headers: { ...headers, 'x-lark-signature': computeSignature(timestamp, nonce, 'not-the-encrypt-key', raw) }, body: raw });
			assert.equal(forged.status, 401);
			const unsigned = await fetch(url, { method: 'POST', headers, body: raw });
			assert.equal(unsigned.status, 401);
			await sleep(2000);
			assert.equal(await executionCount(), before);
			// The same bytes correctly signed are accepted: the 401s were the signature's doing.
			const genuine = await fetch(url, { method: 'POST', headers: { ...headers, 'x-lark-signature': computeSignature(timestamp, nonce, APP.encryptKey!, raw) }, body: raw });
			assert.equal(genuine.status, 200);
			await rig.n8n.waitForExecutions(workflowId, before + 1);
		});

		test('unsigned requests get one identical answer whatever their body decrypts to (no padding oracle)', async () => {
			const before = await executionCount();
			const ciphertext = Buffer.from(encryptPayload(APP.encryptKey!, JSON.stringify(forgedEvent())), 'base64');
			const flipped = (i: number) => {
				const copy = Buffer.from(ciphertext);
				copy[i] ^= 1;
				return copy.toString('base64');
			};
			const bodies = [
				JSON.stringify({ encrypt: flipped(ciphertext.length - 17) }), // bad padding
				JSON.stringify({ encrypt: flipped(20) }), // garbled plaintext, good padding
				JSON.stringify({ encrypt: encryptPayload(APP.encryptKey!, 'not json') }),
				JSON.stringify({ encrypt: encryptPayload(APP.encryptKey!, '[1]') }),
				JSON.stringify({ encrypt: ciphertext.toString('base64') }), // a valid event, unsigned
				JSON.stringify({ encrypt: 'AAAA' }),
				JSON.stringify(forgedEvent()),
				// (A body that is not JSON at all never reaches the node: n8n answers 422 itself. That
				// says nothing about any ciphertext.)
			];
			const answers = new Set<string>();
			for (const body of bodies) {
				const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
				answers.add(`${res.status} ${await res.text()}`);
			}
			assert.equal(answers.size, 1, `different answers: ${[...answers].join(' | ')}`);
			assert.match([...answers][0], /^401 /);
			await sleep(1000);
			assert.equal(await executionCount(), before);
		});

		test('only application/json is processed: a correctly signed event sent as text/plain or untyped runs nothing', async () => {
			const before = await executionCount();
			const raw = JSON.stringify({ encrypt: encryptPayload(APP.encryptKey!, JSON.stringify(forgedEvent())) });
			const timestamp = String(Math.floor(Date.now() / 1000));
			const signature = { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': 'n-ct', 'x-lark-signature': computeSignature(timestamp, 'n-ct', APP.encryptKey!, raw) };
			const asText = await fetch(url, { method: 'POST', headers: { ...signature, 'content-type': 'text/plain' }, body: raw });
			assert.equal(asText.status, 415);
			const untyped = await fetch(url, { method: 'POST', headers: signature, body: Buffer.from(raw) });
			assert.equal(untyped.status, 415);
			await sleep(1000);
			assert.equal(await executionCount(), before);
		});

		test('a card action over the webhook is answered by the workflow\'s "Respond to Card Action" (n8n responseNode); a message to the same trigger is acked at once', async () => {
			const example = cloneWorkflow(loadExample('card-callback.json'), 'wh');
			const trigger = example.nodes.find((n: any) => n.type === 'n8n-nodes-feishu-bot.feishuTrigger');
			trigger.parameters = { ...trigger.parameters, connectionMode: 'webhook', events: ['card.action.trigger', 'im.message.receive_v1'] };
			trigger.webhookId = randomUUID();
			const wf = await importWorkflow(rig, example);
			await rig.n8n.activate(wf.id);
			try {
				const put = await control(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url: rig.n8n.webhookUrl(`${trigger.webhookId}/webhook`) });
				assert.equal(put.challenge_passed, true, JSON.stringify(put));
				const host = await sendUserText(rig, 'oc_e2e_webhook_card', 'card host');
				const click = await control<{ answer: any; acked: boolean; latency_ms: number }>(rig, 'POST', `cards/${host.message_id}/click`, { value: { n: 7 } });
				assert.equal(click.acked, true);
				assert.deepEqual(click.answer?.toast, { type: 'success', content: 'Got it: {"n":7}' });
				// The message ran the workflow too (it listens to both), and was acked with Feishu's success body.
				const [delivery] = (await control<{ deliveries: any[] }>(rig, 'GET', `deliveries?event_id=${host.event_id}`)).deliveries;
				assert.equal(delivery.attempts[0].http_status, 200);
				assert.ok(delivery.attempts[0].ack_latency_ms < 3000, `message acked in ${delivery.attempts[0].ack_latency_ms} ms`);
			} finally {
				await control(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url, force: true });
				await rig.n8n.deactivate(wf.id);
			}
		});

		test('webhook mode without a Verification Token refuses to activate and says where to find it', async () => {
			const credential = await rig.n8n.createCredential({
				name: 'Feishu sandbox, no token',
				type: 'feishuApi',
				data: { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: rig.sandbox.baseUrl, encryptKey: APP.encryptKey },
			});
			const wf = await rig.n8n.createWorkflow(cloneWorkflow(loadExample('echo-bot-webhook.json'), 'nt'), {
				credentials: { feishuApi: { id: credential.id, name: credential.name } },
			});
			await assert.rejects(rig.n8n.activate(wf.id), /Verification Token/);
			await rig.n8n.deactivate(wf.id).catch(() => undefined);
		});
	});
}
