// Fault suite: secrets never reach the logs. A logger that records everything, debug included, is
// given to the connection hub and the API client through a full cycle: connect, events, a dropped
// connection and reconnect, a refused reconnect, API calls with a token refresh, retries and
// failures, and subscriptions with a wrong secret. Every log line (message + metadata) and every
// error message is then searched for the app secret, the Encrypt Key, the verification token, each
// tenant token used, and any gateway ticket or access key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeishuApiClient } from '../../../lib/feishu/apiClient';
import { closeAllConnections, hubStats, subscribeToApp } from '../../../lib/feishu/connectionHub';
import { getTenantAccessToken } from '../../../lib/feishu/tokenCache';
import { DEMO_APP } from '../../../sandbox/server';
import { fileSandbox, waitFor } from '../../helpers/faults';

const lines: string[] = [];
const logger = {
	debug: (m: string, meta?: object) => void lines.push(`debug ${m} ${JSON.stringify(meta ?? {})}`),
	info: (m: string, meta?: object) => void lines.push(`info ${m} ${JSON.stringify(meta ?? {})}`),
	warn: (m: string, meta?: object) => void lines.push(`warn ${m} ${JSON.stringify(meta ?? {})}`),
	error: (m: string, meta?: object) => void lines.push(`error ${m} ${JSON.stringify(meta ?? {})}`),
};

const file = fileSandbox({ clientConfig: { PingInterval: 1, ReconnectInterval: 0.1, ReconnectNonce: 0.05 } });
const { trap, control } = file;

test('no secret in any log line or error message through connect, reconnect and API calls', async () => {
	const creds = { appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret, baseUrl: file.sandbox.baseUrl };
	const secrets = new Set<string>([DEMO_APP.appSecret, DEMO_APP.encryptKey!, DEMO_APP.verificationToken!]);
	const errors: string[] = [];
	const received: string[] = [];
	const appStats = () => hubStats().apps.find((a) => a.appId === DEMO_APP.appId)!.gateway;

	// Long connection: connect, an event, a dropped connection, a refused reconnect, recovery.
	const sub = await subscribeToApp(creds, { onEvent: (e) => void received.push(e.eventId ?? ''), onFatal: (e) => void errors.push(e.message) }, { logger });
	const first = await control('POST', 'chats/oc_secrets/messages', { text: 'one' });
	await waitFor('the first event', () => received.includes(first.event_id));
	await control('POST', 'faults', { drop_connections: true });
	await waitFor('a reconnect', () => appStats().reconnects >= 1 && appStats().connected, 8000);
	await control('POST', 'faults', { refuse_next_upgrade: { status: 514, autherrcode: '1000040343', msg: 'ticket is invalid' } });
	await control('POST', 'faults', { drop_connections: true });
	await waitFor('a reconnect after a refused upgrade', () => appStats().reconnects >= 2 && appStats().connected, 8000);
	const second = await control('POST', 'chats/oc_secrets/messages', { text: 'two' });
	await waitFor('an event after the reconnects', () => received.includes(second.event_id));
	await control('POST', 'faults', { malformed_frames: 2 });

	// Open API: a call, an expired token (refresh + retry), a 5xx retry, a failing call.
	const api = new FeishuApiClient(creds, { logger, retryBaseDelayMs: 10 });
	// With a uuid, as every send of ours has: only then may a 5xx be retried.
	let sends = 0;
	const send = () => api.request({ method: 'POST', path: '/open-apis/im/v1/messages', query: { receive_id_type: 'chat_id' }, body: { receive_id: 'oc_secrets', msg_type: 'text', content: JSON.stringify({ text: 'hi' }), uuid: `secrets-${++sends}` } });
	await send();
	secrets.add(await getTenantAccessToken(creds));
	await control('POST', 'faults', { expire_tokens: true });
	await send();
	secrets.add(await getTenantAccessToken(creds));
	await control('POST', 'faults', { fail_next_api: { count: 1, code: 500, http_status: 500 } });
	await send();
	await control('POST', 'faults', { fail_next_api: { count: 1, code: 230002, http_status: 400, msg: 'Bot/User can NOT be out of the chat.' } });
	await send().catch((e: Error) => errors.push(e.message));

	// Wrong secrets: the error says so without echoing what was tried.
	const wrong = 'wrong-secret-value-1234567';
	secrets.add(wrong);
	await closeAllConnections();
	await subscribeToApp({ ...creds, appSecret: wrong }, { onEvent: () => undefined, onFatal: () => undefined }, { logger }).catch((e: Error) => errors.push(e.message));
	await new FeishuApiClient({ ...creds, appSecret: wrong }, { logger })
		.request({ method: 'GET', path: '/open-apis/bot/v3/info' })
		.catch((e: Error) => errors.push(e.message));
	await sub.unsubscribe();

	// The cycle really produced logs on every path, including debug ones.
	assert.ok(lines.some((l) => l.startsWith('debug ')), 'debug lines were logged');
	assert.ok(lines.some((l) => /re-established/.test(l)), 'the reconnect was logged');
	assert.ok(lines.some((l) => /token rejected/.test(l)), 'the token refresh was logged');
	assert.ok(lines.some((l) => /HTTP 500/.test(l)), 'the retry was logged');
	assert.ok(errors.length >= 3, `errors were captured: ${errors.join(' | ')}`);

	const haystack = [...lines, ...errors];
	if (process.env.FEISHU_FAULTS_DUMP === '1') console.log(haystack.join('\n'));
	for (const secret of secrets) {
		const hits = haystack.filter((l) => l.includes(secret));
		assert.deepEqual(hits, [], `a secret (${secret.slice(0, 3)}…) appears in the logs`);
	}
	// Gateway URLs carry a single-use ticket and an access key: never logged in the clear.
	assert.deepEqual(haystack.filter((l) => /(ticket|access_key)=(?!<redacted>|…)/.test(l)), []);
	assert.deepEqual(haystack.filter((l) => /Bearer\s+\S/.test(l)), []);
	assert.deepEqual(trap.errors, []);
});
