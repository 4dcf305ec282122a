// The real Feishu Trigger node, webhook mode: its webhook() behind a loopback HTTP server that plays
// n8n's webhook handling, fed by the sandbox's webhook delivery (encrypted + signed like Feishu) and
// by hand-made requests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { IDataObject, IExecuteResponsePromiseData } from 'n8n-workflow';
import { computeSignature, encryptPayload } from '../../../lib/feishu';
import { APP_ID, APP_SECRET, control, sleep, startTestSandbox, waitFor } from '../../helpers/hubSandbox';
import { startWebhookServer, type WebhookServer } from '../../helpers/triggerContext';
import type { Sandbox } from '../../../sandbox/server';
import { BEHIND_BACKOFF_MS, EVENT_ACK_DEADLINE_MS, MAX_EVENTS_WAITING_FOR_N8N } from '../../../nodes/FeishuTrigger/webhookRequest';

// The explicit .ts: without it the resolver picks FeishuTrigger.node.json (the codex file).
const { FeishuTrigger } = require('../../../nodes/FeishuTrigger/FeishuTrigger.node.ts') as typeof import('../../../nodes/FeishuTrigger/FeishuTrigger.node');
const node = new FeishuTrigger();

const ENCRYPT_KEY = 'sandbox-encrypt-key';
const TOKEN = 'sandbox-verification-token';

let sandbox: Sandbox;
const servers: WebhookServer[] = [];

before(async () => {
	sandbox = await startTestSandbox({ callbackWaitMs: 3000 });
});
after(async () => {
	await Promise.all(servers.map((s) => s.close()));
	await sandbox.close();
});

function credentials() {
	return { appId: APP_ID, appSecret: APP_SECRET, domain: 'custom', baseUrl: sandbox.baseUrl, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN };
}

async function server(parameters: IDataObject = {}, cardAnswer?: WebhookServer['cardAnswer'], nodeId = 'node-1'): Promise<WebhookServer> {
	const s = await startWebhookServer({ node, parameters: { connectionMode: 'webhook', ...parameters }, credentials: credentials(), cardAnswer, nodeId });
	servers.push(s);
	return s;
}

async function useWebhook(url: string) {
	const r = await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'webhook', url });
	assert.equal(r.challenge_passed, true, `challenge failed: ${JSON.stringify(r)}`);
}

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<{ status: number; body: any }> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed: unknown = text;
				try {
					parsed = JSON.parse(text);
				} catch {}
				resolve({ status: res.statusCode ?? 0, body: parsed });
			});
		});
		req.on('error', reject);
		req.end(body);
	});
}

/** Encrypted and signed with one key, as Feishu does (`key`: the app's Encrypt Key, default the sandbox's). */
function signedEvent(payload: unknown, o: { ts?: number; key?: string } = {}) {
	const raw = JSON.stringify({ encrypt: encryptPayload(o.key ?? ENCRYPT_KEY, JSON.stringify(payload)) });
	const ts = String(o.ts ?? Math.floor(Date.now() / 1000));
	const nonce = 'nonce-1';
	return { raw, headers: { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': nonce, 'x-lark-signature': computeSignature(ts, nonce, o.key ?? ENCRYPT_KEY, raw) } };
}

function messageEvent(eventId: string, token = TOKEN) {
	return {
		schema: '2.0',
		header: { event_id: eventId, event_type: 'im.message.receive_v1', token, app_id: APP_ID, tenant_key: 't', create_time: String(Date.now()) },
		event: { sender: { sender_id: { open_id: 'ou_x' }, sender_type: 'user' }, message: { message_id: `om_${eventId}`, chat_id: 'oc_h', chat_type: 'p2p', message_type: 'text', content: '{"text":"hand made"}' } },
	};
}

test('sandbox webhook delivery: challenge passes, an encrypted + signed event runs once, its redelivery runs nothing', async () => {
	const s = await server();
	await useWebhook(s.url);
	const sent = await control(sandbox, 'POST', 'chats/oc_wh_1/messages', { text: 'over http' });
	await waitFor('execution', () => s.executions.length === 1);
	assert.equal(s.executions[0].text, 'over http');
	assert.equal(s.executions[0].event_id, sent.event_id);
	assert.equal(s.executions[0].message_id, sent.message_id);
	const [delivery] = (await control(sandbox, 'GET', `deliveries?app_id=${APP_ID}&event_id=${sent.event_id}`)).deliveries;
	assert.equal(delivery.acked, true);
	assert.equal(delivery.attempts[0].http_status, 200);

	// Feishu retries a delivery it thinks failed with the same event_id.
	await control(sandbox, 'POST', 'events', { event_type: 'im.message.receive_v1', event_id: sent.event_id, event: { message: { message_id: 'om_again', chat_type: 'p2p', message_type: 'text', content: '{"text":"again"}' } } });
	await waitFor('redelivery answered', () => s.runs.length === 3); // challenge, event, redelivery
	assert.equal(s.runs[2].status, 200, 'a redelivery is acknowledged');
	await sleep(50);
	assert.equal(s.executions.length, 1, 'and runs nothing');
	// A second workflow on the same app has its own window: it runs the event.
	const other = await server({}, undefined, 'node-2');
	const ev = signedEvent(messageEvent(sent.event_id));
	assert.equal((await post(other.url, ev.raw, ev.headers)).status, 200);
	assert.equal(other.executions.length, 1);
	await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'long_connection' });
});

test('card action over HTTP: the workflow answer is the response body; none within the budget gives {}', async () => {
	let mode: 'answer' | 'none' | 'late' = 'answer';
	const s = await server({ events: ['card.action.trigger'], options: { callbackBudgetMs: 500 } }, async (item) => {
		if (mode === 'answer') return { body: { toast: { type: 'success', content: `ok ${(item.action as any).value.n}` } }, headers: {}, statusCode: 200 } as IExecuteResponsePromiseData;
		if (mode === 'late') await sleep(900);
		return mode === 'late' ? ({ body: { toast: { type: 'error', content: 'too late' } }, headers: {}, statusCode: 200 } as IExecuteResponsePromiseData) : undefined;
	});
	await useWebhook(s.url);
	const msg = await control(sandbox, 'POST', 'chats/oc_wh_card/messages', { text: 'card host' });

	const answered = await control(sandbox, 'POST', `cards/${msg.message_id}/click`, { value: { n: 1 } });
	assert.deepEqual(answered.answer, { toast: { type: 'success', content: 'ok 1' } });

	mode = 'none'; // the run ends without "Respond to Card Action": n8n sends an empty body
	const none = await control(sandbox, 'POST', `cards/${msg.message_id}/click`, { value: { n: 2 } });
	assert.deepEqual(none.answer, {});

	mode = 'late'; // the answer comes after the budget: Feishu already got {}
	const late = await control(sandbox, 'POST', `cards/${msg.message_id}/click`, { value: { n: 3 } });
	assert.deepEqual(late.answer, {});
	assert.ok(late.latency_ms >= 450 && late.latency_ms < 2900, `answered after ${late.latency_ms} ms`);
	await sleep(600); // let the late write happen: it must be harmless
	assert.ok(s.runs.every((r) => r.error === undefined), 'no handler error');
	assert.equal(s.executions.length, 3);
	await control(sandbox, 'PUT', `apps/${APP_ID}/delivery`, { mode: 'long_connection' });
});

test('hand-made requests: every bad one rejected with the right status and no execution', async () => {
	const s = await server();
	const good = signedEvent(messageEvent('ev_hand_1'));

	const wrongSig = await post(s.url, good.raw, { ...good.headers, 'x-lark-signature': 'f'.repeat(64) });
	assert.equal(wrongSig.status, 401);
	const stale = signedEvent(messageEvent('ev_hand_2'), { ts: Math.floor(Date.now() / 1000) - 600 });
	assert.equal((await post(s.url, stale.raw, stale.headers)).status, 401);
	const badToken = signedEvent(messageEvent('ev_hand_3', 'not-the-token'));
	assert.equal((await post(s.url, badToken.raw, badToken.headers)).status, 401);
	// With an Encrypt Key, an unsigned body is refused on the missing signature, whatever it holds.
	const garbage = await post(s.url, 'this is not json', {});
	const unsigned = await post(s.url, good.raw, {});
	assert.equal(unsigned.status, 401, 'missing signature headers');
	assert.deepEqual(garbage, unsigned);
	assert.equal((await post(s.url, good.raw, good.headers, 'PUT')).status, 405);
	assert.equal((await post(s.url, good.raw, { ...good.headers, 'content-type': 'multipart/form-data; boundary=x' })).status, 415);
	assert.equal((await post(s.url, Buffer.alloc(1024 * 1024 + 10, 0x20), {})).status, 413);
	assert.equal(s.executions.length, 0);

	// Extra whitespace in the raw body: the signature covers the bytes as sent.
	const pretty = `{\n  "encrypt": ${JSON.stringify(JSON.parse(good.raw).encrypt)}\n}\n`;
	const ts = String(Math.floor(Date.now() / 1000));
	const accepted = await post(s.url, pretty, { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': computeSignature(ts, 'n', ENCRYPT_KEY, pretty) });
	assert.equal(accepted.status, 200);
	assert.deepEqual(accepted.body, { msg: 'success' });
	assert.equal(s.executions.length, 1);
	assert.equal(s.executions[0].text, 'hand made');

	// Plain challenge with the right token: answered in plaintext.
	const challenge = await post(s.url, JSON.stringify({ challenge: 'c-1', token: TOKEN, type: 'url_verification' }));
	assert.deepEqual(challenge, { status: 200, body: { challenge: 'c-1' } });
	const badChallenge = await post(s.url, JSON.stringify({ challenge: 'c-2', token: 'nope', type: 'url_verification' }));
	assert.equal(badChallenge.status, 401);
});

test('events not selected or filtered out are acknowledged without running', async () => {
	const s = await server({ events: ['im.chat.disbanded_v1'] });
	const ev = signedEvent(messageEvent('ev_unselected'));
	const r = await post(s.url, ev.raw, ev.headers);
	assert.deepEqual(r, { status: 200, body: { msg: 'success' } });
	assert.equal(s.executions.length, 0);
});

test('a long-connection trigger does not serve webhooks', async () => {
	const s = await startWebhookServer({ node, parameters: { connectionMode: 'longConnection' }, credentials: credentials() });
	servers.push(s);
	const ev = signedEvent(messageEvent('ev_lc'));
	assert.equal((await post(s.url, ev.raw, ev.headers)).status, 404);
	assert.equal(s.executions.length, 0);
});

test('a message event is acked by n8n once it holds the run (onReceived); a trigger that also takes card actions acks it itself', async () => {
	const s = await server({}, undefined, 'node-ack-n8n');
	const ev = signedEvent(messageEvent('ev_ack_by_n8n'));
	assert.deepEqual(await post(s.url, ev.raw, ev.headers), { status: 200, body: { msg: 'success' } });
	const result = s.runs[0].result!;
	assert.deepEqual(result.webhookResponse, { msg: 'success' }, 'the ack is for n8n to send');
	assert.equal(result.noWebhookResponse, undefined, 'webhook() wrote no response itself');
	assert.equal(s.executions.length, 1);

	// responseNode (card actions selected too): n8n would send only the workflow's answer, so webhook() acks a message at once.
	const mixed = await server({ events: ['im.message.receive_v1', 'card.action.trigger'] }, undefined, 'node-ack-self');
	const ev2 = signedEvent(messageEvent('ev_ack_self'));
	assert.deepEqual(await post(mixed.url, ev2.raw, ev2.headers), { status: 200, body: { msg: 'success' } });
	assert.equal(mixed.runs[0].result!.noWebhookResponse, true);
	assert.equal(mixed.executions.length, 1);
});

test('n8n refusing the run (HTTP 500) does not count the event as seen: Feishu\'s retry runs', async () => {
	const s = await server({}, undefined, 'node-refused');
	s.refuseRuns = 1;
	const ev = signedEvent(messageEvent('ev_refused'));
	assert.equal((await post(s.url, ev.raw, ev.headers)).status, 500);
	assert.equal(s.executions.length, 0);
	const retry = signedEvent(messageEvent('ev_refused'));
	assert.deepEqual(await post(s.url, retry.raw, retry.headers), { status: 200, body: { msg: 'success' } });
	assert.equal(s.executions.length, 1, 'the retry ran');
	const again = signedEvent(messageEvent('ev_refused'));
	assert.equal((await post(s.url, again.raw, again.headers)).status, 200);
	assert.equal(s.executions.length, 1, 'a redelivery after a taken run runs nothing');
});

test('the credential is read once for a burst, and a rotated Encrypt Key or Verification Token works at once', async () => {
	let current = credentials();
	const s = await startWebhookServer({ node, parameters: { connectionMode: 'webhook' }, credentials: () => current, nodeId: 'node-rotation' });
	servers.push(s);
	const burst = await Promise.all(
		Array.from({ length: 20 }, (_, i) => {
			const ev = signedEvent(messageEvent(`ev_rot_${i}`));
			return post(s.url, ev.raw, ev.headers);
		}),
	);
	assert.ok(burst.every((r) => r.status === 200));
	assert.equal(s.executions.length, 20);
	assert.equal(s.credentialReads, 1, 'one read served the whole burst');

	// The console's Encrypt Key and Verification Token are reset and copied into the credential.
	current = { ...credentials(), encryptKey: 'rotated-encrypt-key', verificationToken: 'rotated-token' };
	const rotated = signedEvent(messageEvent('ev_rot_new', 'rotated-token'), { key: 'rotated-encrypt-key' });
	assert.deepEqual(await post(s.url, rotated.raw, rotated.headers), { status: 200, body: { msg: 'success' } });
	assert.equal(s.credentialReads, 2, 'refused with the kept copy, accepted after reading the credential again');
	const next = signedEvent(messageEvent('ev_rot_next', 'rotated-token'), { key: 'rotated-encrypt-key' });
	assert.equal((await post(s.url, next.raw, next.headers)).status, 200);
	assert.equal(s.credentialReads, 2, 'the new credential is kept in turn');
	// The old key no longer passes once the new credential is kept.
	const old = signedEvent(messageEvent('ev_rot_old'));
	assert.equal((await post(s.url, old.raw, old.headers)).status, 401);
	assert.equal(s.executions.length, 22);
});

test('n8n slow to store the run: the trigger acks at its deadline, n8n\'s late answer is harmless, and the next events are acked on receipt for a while', async () => {
	const s = await server({}, undefined, 'node-slow-store');
	s.storeRunMs = EVENT_ACK_DEADLINE_MS + 1000;
	const ev = signedEvent(messageEvent('ev_slow_store'));
	const t0 = Date.now();
	assert.deepEqual(await post(s.url, ev.raw, ev.headers), { status: 200, body: { msg: 'success' } });
	const took = Date.now() - t0;
	assert.ok(took >= EVENT_ACK_DEADLINE_MS - 100 && took < EVENT_ACK_DEADLINE_MS + 800, `acked after ${took} ms`);
	await waitFor('n8n stored the run', () => s.executions.length === 1, 5000);
	await sleep(50);
	assert.ok(s.runs.every((r) => r.error === undefined && r.status === 200), 'the late write did not fail');

	// n8n is behind: for a while the next events are acked on receipt, then they wait for n8n again.
	s.storeRunMs = 0;
	const next = signedEvent(messageEvent('ev_slow_store_next'));
	assert.equal((await post(s.url, next.raw, next.headers)).status, 200);
	assert.equal(s.runs.at(-1)!.result!.noWebhookResponse, true, 'acked on receipt');
	await sleep(BEHIND_BACKOFF_MS);
	const later = signedEvent(messageEvent('ev_slow_store_later'));
	assert.equal((await post(s.url, later.raw, later.headers)).status, 200);
	assert.deepEqual(s.runs.at(-1)!.result!.webhookResponse, { msg: 'success' }, 'waits for n8n again');
	assert.equal(s.executions.length, 3);
});

test(`in a burst at most ${MAX_EVENTS_WAITING_FOR_N8N} events wait for n8n to store their runs; the rest are acked on receipt`, async () => {
	const s = await server({}, undefined, 'node-burst-wait');
	s.storeRunMs = 600;
	const count = MAX_EVENTS_WAITING_FOR_N8N + 5;
	const answers = await Promise.all(
		Array.from({ length: count }, (_, i) => {
			const ev = signedEvent(messageEvent(`ev_burst_wait_${i}`));
			return post(s.url, ev.raw, ev.headers);
		}),
	);
	assert.ok(answers.every((a) => a.status === 200 && a.body.msg === 'success'));
	const byN8n = s.runs.filter((r) => r.result?.webhookResponse !== undefined).length;
	const onReceipt = s.runs.filter((r) => r.result?.noWebhookResponse === true).length;
	assert.deepEqual({ byN8n, onReceipt }, { byN8n: MAX_EVENTS_WAITING_FOR_N8N, onReceipt: 5 });
	await waitFor('every run stored', () => s.executions.length === count, 5000);
	// Once they are answered, the next event waits for n8n again.
	const next = signedEvent(messageEvent('ev_burst_wait_next'));
	assert.equal((await post(s.url, next.raw, next.headers)).status, 200);
	assert.deepEqual(s.runs.at(-1)!.result!.webhookResponse, { msg: 'success' });
});
