// Fault suite: 200 subscribe/unsubscribe cycles on the connection hub (what 200 workflow
// activate/deactivate cycles do) leave no socket, timer or connection behind, on either side.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hubStats, subscribeToApp } from '../../../lib/feishu/connectionHub';
import { startSandbox, DEMO_APP, type Sandbox } from '../../../sandbox/server';
import { trapUnhandled, waitFor } from '../../helpers/faults';

let sandbox: Sandbox;
const trap = trapUnhandled();

before(async () => {
	sandbox = await startSandbox({ port: 0, quiet: true, clientConfig: { PingInterval: 1, ReconnectInterval: 1, ReconnectNonce: 1 } });
});
after(async () => {
	await sandbox?.close();
	trap.dispose();
});

function resources(): Record<string, number> {
	const out: Record<string, number> = {};
	for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
	return out;
}

async function connections(): Promise<{ open: boolean }[]> {
	const res = await fetch(`${sandbox.baseUrl}/_sandbox/connections?app_id=${DEMO_APP.appId}`, { headers: { connection: 'close' } });
	return ((await res.json()) as { connections: { open: boolean }[] }).connections;
}

test('200 subscribe/unsubscribe cycles: resources back to baseline, no connection left open', async () => {
	const creds = { appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret, baseUrl: sandbox.baseUrl };
	const noop = { onEvent: () => undefined, onFatal: () => undefined };
	// Warm once (lazy module state such as DNS/agents), then take the baseline.
	await (await subscribeToApp(creds, noop)).unsubscribe();
	await new Promise((r) => setTimeout(r, 100));
	const baseline = resources();
	for (let i = 0; i < 200; i++) {
		if (i % 20 === 0) {
			// Every 20th cycle three subscribers share the connection and leave in another order.
			const subs = await Promise.all([subscribeToApp(creds, noop), subscribeToApp(creds, noop), subscribeToApp(creds, noop)]);
			assert.equal(hubStats().apps.find((a) => a.appId === DEMO_APP.appId)?.subscribers, 3);
			await subs[1].unsubscribe();
			await subs[0].unsubscribe();
			await subs[2].unsubscribe();
		} else {
			const sub = await subscribeToApp(creds, noop);
			await sub.unsubscribe();
		}
	}
	assert.equal(hubStats().apps.length, 0, 'the hub holds no connection');
	const settled = await waitFor(
		'resources back to baseline',
		() => {
			const now = resources();
			const same = Object.keys({ ...now, ...baseline }).every((k) => (now[k] ?? 0) <= (baseline[k] ?? 0));
			return same ? now : undefined;
		},
		5000,
	).catch(() => resources());
	assert.deepEqual(settled, baseline);
	// The sandbox saw one connection per cycle (plus the warm-up), and every one of them closed.
	const conns = await waitFor('the sandbox to see every close', async () => {
		const all = await connections();
		return all.every((c) => !c.open) ? all : undefined;
	}).catch(() => connections());
	assert.equal(conns.length, 201);
	assert.equal(conns.filter((c) => c.open).length, 0, 'no connection left open at the sandbox');
	assert.deepEqual(trap.errors, []);
});
