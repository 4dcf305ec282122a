// One reply per Feishu event in real n8n: the echo example's Reply reaches Feishu but its answer is
// lost (a proxy in front of the sandbox forwards the reply, then answers 500), so the execution fails
// with the reply already in the chat; n8n's Retry of that execution (POST /rest/executions/:id/retry,
// what the editor's "Retry" button calls) runs Reply again for the same event and must post nothing
// new: the node's default uuid is derived from the event (docs/protocol.md, "One event, one reply").
// Once with the example as is, once with an Edit Fields node in between that drops event_id (the
// event is then found through n8n's paired items). Chats from the sandbox, executions from n8n.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { selectedVersions } from '../../scripts/n8n/install';
import { nodeOutput } from '../../scripts/n8n/boot';
import {
	APP,
	chatMessages,
	createSandboxCredential,
	eachTestStartsHealthy,
	echoLongConnection,
	openConnections,
	type Rig,
	sendUserText,
	startRig,
	textOf,
	TRIGGER_TYPE,
	waitFor,
	waitForReply,
} from './harness';

interface FlakyProxy {
	url: string;
	/** While true, every reply POST is forwarded to the sandbox and then answered 500. */
	failReplies: boolean;
	/** The uuid of every reply POST forwarded, in order. */
	replyUuids: string[];
	close(): Promise<void>;
}

/** A reverse proxy in front of the sandbox's Open API that can lose the answers of applied replies. */
async function flakyProxy(target: string): Promise<FlakyProxy> {
	const server = http.createServer(async (req, res) => {
		try {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const body = Buffer.concat(chunks);
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(req.headers)) {
				if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
			}
			const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
			const answer = Buffer.from(await upstream.arrayBuffer());
			const isReply = req.method === 'POST' && /^\/open-apis\/im\/v1\/messages\/[^/]+\/reply/.test(req.url ?? '');
			if (isReply) proxy.replyUuids.push(String(JSON.parse(body.toString('utf8')).uuid));
			if (isReply && proxy.failReplies) {
				res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 1, msg: 'system busy (answer lost by the test proxy)' }));
				return;
			}
			res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(answer);
		} catch {
			res.destroy();
		}
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const proxy: FlakyProxy = {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		failReplies: false,
		replyUuids: [],
		close: () =>
			new Promise<void>((r) => {
				server.closeAllConnections();
				server.close(() => r());
			}),
	};
	return proxy;
}

/** The echo example with its Reply on the flaky credential (the trigger stays on the sandbox's). */
function echoThroughProxy(rig: Rig, flaky: { id: string; name: string }, name: string, between?: any): any {
	const wf = echoLongConnection(name);
	for (const node of wf.nodes) node.credentials = { feishuApi: node.type === TRIGGER_TYPE ? rig.credential : flaky };
	if (between) {
		wf.nodes.push(between);
		wf.connections = {
			'Feishu Trigger': { main: [[{ node: between.name, type: 'main', index: 0 }]] },
			[between.name]: { main: [[{ node: 'Reply', type: 'main', index: 0 }]] },
		};
	}
	return wf;
}

/** Edit Fields keeping only what Reply reads: event_id is gone from the item Reply gets. */
const keepTwoFields = {
	parameters: {
		assignments: {
			assignments: [
				{ id: randomUUID(), name: 'message_id', value: '={{ $json.message_id }}', type: 'string' },
				{ id: randomUUID(), name: 'text', value: '={{ $json.text }}', type: 'string' },
			],
		},
		options: {},
	},
	id: randomUUID(),
	name: 'Keep Two Fields',
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	position: [130, 0],
};

for (const version of selectedVersions()) {
	describe(`n8n ${version}: one reply per event`, { timeout: 600_000 }, () => {
		let rig: Rig;
		let proxy: FlakyProxy;
		let flaky: { id: string; name: string };
		eachTestStartsHealthy(() => rig?.n8n);

		before(async () => {
			rig = await startRig(version);
			proxy = await flakyProxy(rig.sandbox.baseUrl);
			flaky = await createSandboxCredential(rig.n8n, proxy.url, APP, 'Feishu sandbox (answers lost)');
		});
		after(async () => {
			await proxy?.close();
			await rig?.close();
		});

		const cases: { title: string; chat: string; between?: any }[] = [
			{ title: 'echo bot', chat: 'oc_e2e_retry_echo' },
			{ title: 'echo bot with an Edit Fields node that drops event_id (found through paired items)', chat: 'oc_e2e_retry_set', between: keepTwoFields },
		];
		for (const c of cases) {
			test(`${c.title}: n8n's Retry of an execution whose reply reached Feishu posts no second reply`, async (t) => {
				const wf = await rig.n8n.createWorkflow(echoThroughProxy(rig, flaky, `one reply: ${c.chat}`, c.between));
				await rig.n8n.activate(wf.id);
				// Every active echo workflow on the app answers every message: one at a time.
				t.after(() => rig.n8n.deactivate(wf.id).catch(() => undefined));
				await waitFor('one open gateway connection', async () => (await openConnections(rig)).length === 1);

				proxy.failReplies = true;
				proxy.replyUuids.length = 0;
				const sent = await sendUserText(rig, c.chat, 'only once');
				const [failed] = await rig.n8n.waitForExecutions(wf.id, 1);
				proxy.failReplies = false;
				assert.equal(failed.status, 'error', 'the lost answer failed the execution');
				const reply = await waitForReply(rig, c.chat, sent.message_id);
				assert.equal(textOf(reply), 'Echo: only once');
				const firstRunUuids = proxy.replyUuids.length;
				assert.ok(firstRunUuids >= 1);

				const retried = await rig.n8n.rest<{ id: string; status: string; retryOf?: string }>('POST', `/rest/executions/${failed.id}/retry`, { loadWorkflow: false });
				assert.equal(retried.status, 'success', `the retry: ${JSON.stringify(retried).slice(0, 500)}`);

				const [latest] = await rig.n8n.waitForExecutions(wf.id, 2, { includeData: true });
				assert.equal(String(latest.id), String(retried.id));
				const out = nodeOutput(latest, 'Reply');
				assert.equal(out.length, 1);
				assert.equal(out[0].message_id, reply.message_id, "the retry's Reply outputs the message the first run posted");
				const replies = (await chatMessages(rig, c.chat)).filter((m) => m.from === 'bot' && m.parent_id === sent.message_id);
				assert.equal(replies.length, 1, `one bot reply for the event, not ${replies.length}`);
				// Both runs, and the first run's own retries, sent the one key derived from the event.
				assert.ok(proxy.replyUuids.length > firstRunUuids, 'the retry called Feishu again');
				assert.equal(new Set(proxy.replyUuids).size, 1, `uuids: ${proxy.replyUuids.join(', ')}`);
			});
		}
	});
}
