// The pure pieces of the long connection: envelope parsing, the dedupe window, fragment reassembly,
// ClientConfig validation, handshake refusal classification and URL redaction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDeduper } from '../../../lib/feishu/dedupe';
import { FeishuEnvelopeError, isCallbackEventType, parseEnvelope } from '../../../lib/feishu/envelope';
import { FragmentAssembler, FragmentError } from '../../../lib/feishu/fragments';
import type { Frame } from '../../../lib/feishu/frames';
import { parseClientConfig, parseGatewayUrl } from '../../../lib/feishu/gatewayEndpoint';
import { classifyHandshakeRefusal } from '../../../lib/feishu/gatewayErrors';
import { redactGatewayUrl, redactSecrets } from '../../../lib/feishu/gatewayLog';
import { LatencySample } from '../../../lib/feishu/gatewayStats';

test('parseEnvelope reads schema 2.0 and 1.0 ids and types', () => {
	const v2 = parseEnvelope({ schema: '2.0', header: { event_id: 'e1', event_type: 'im.message.receive_v1' }, event: {} });
	assert.deepEqual([v2.schema, v2.eventId, v2.eventType], ['2.0', 'e1', 'im.message.receive_v1']);
	const v1 = parseEnvelope({ uuid: 'u1', token: 't', ts: '1', type: 'event_callback', event: { type: 'message' } });
	assert.deepEqual([v1.schema, v1.eventId, v1.eventType], ['1.0', 'u1', 'message']);
	const bare = parseEnvelope({ foo: 1 });
	assert.equal(bare.eventId, undefined);
	assert.throws(() => parseEnvelope(null), FeishuEnvelopeError);
	assert.throws(() => parseEnvelope([1]), FeishuEnvelopeError);
	assert.throws(() => parseEnvelope('x'), FeishuEnvelopeError);
	assert.equal(isCallbackEventType('card.action.trigger'), true);
	assert.equal(isCallbackEventType('url.preview.get'), true);
	assert.equal(isCallbackEventType('im.message.receive_v1'), false);
	assert.equal(isCallbackEventType(undefined), false);
});

test('EventDeduper remembers ids within the window and within the count bound', () => {
	let now = 0;
	const d = new EventDeduper({ windowMs: 1000, maxEntries: 3, now: () => now });
	assert.equal(d.seen('a'), false);
	assert.equal(d.seen('a'), true);
	now = 999;
	assert.equal(d.seen('a'), true);
	now = 2000;
	assert.equal(d.seen('a'), false, 'expired ids are new again');
	for (const k of ['b', 'c', 'd']) d.seen(k);
	assert.equal(d.size, 3);
	assert.equal(d.seen('a'), false, 'the oldest id was evicted by the count bound');
	assert.equal(d.seen('d'), true);
});

function frag(messageId: string, sum: number | string, seq: number | string, text: string, seqId = 1): Frame {
	return {
		SeqID: seqId,
		LogID: 0,
		service: 1,
		method: 1,
		headers: [
			{ key: 'type', value: 'event' },
			{ key: 'message_id', value: messageId },
			{ key: 'sum', value: String(sum) },
			{ key: 'seq', value: String(seq) },
		],
		payload: Buffer.from(text),
	};
}

test('FragmentAssembler reassembles out of order and returns the completing frame', () => {
	const a = new FragmentAssembler();
	assert.deepEqual(a.add(frag('m', 3, 2, 'c}', 12)), { complete: false });
	assert.deepEqual(a.add(frag('m', 3, 0, '{"a":', 10)), { complete: false });
	const r = a.add(frag('m', 3, 1, '"b', 11));
	assert.equal(r.complete, true);
	if (!r.complete) return;
	assert.equal(r.payload.toString(), '{"a":"bc}');
	assert.equal(r.frame.SeqID, 11);
	assert.equal(a.pendingMessages, 0);
	const single = a.add(frag('s', 1, 0, 'x'));
	assert.equal(single.complete && single.payload.toString(), 'x');
	a.clear();
});

test('FragmentAssembler rejects bad sum/seq and bounds what it holds', () => {
	const a = new FragmentAssembler({ maxPendingMessages: 2, maxPendingBytes: 10, maxFragments: 8 });
	assert.throws(() => a.add(frag('m', 'x', 0, '')), FragmentError);
	assert.throws(() => a.add(frag('m', 2, 2, '')), FragmentError);
	assert.throws(() => a.add(frag('m', 2, '1.5', '')), FragmentError);
	assert.throws(() => a.add(frag('m', 0, 0, '')), FragmentError);
	assert.throws(() => a.add(frag('m', 9, 0, '')), FragmentError);
	assert.throws(() => a.add(frag('m', -1, 0, '')), FragmentError);
	a.add(frag('m', 2, 0, 'ab'));
	assert.throws(() => a.add(frag('m', 3, 1, 'cd')), /sum changed/);
	assert.equal(a.pendingMessages, 0, 'an inconsistent message is dropped');
	assert.throws(() => a.add(frag('big', 2, 0, '0123456789x')), /size bound/);
	a.add(frag('p1', 2, 0, 'a'));
	a.add(frag('p2', 2, 0, 'a'));
	a.add(frag('p3', 2, 0, 'a'));
	assert.equal(a.pendingMessages, 2, 'oldest partial message evicted');
	assert.equal(a.add(frag('p1', 2, 1, 'b')).complete, false, 'p1 was evicted, so this starts over');
	a.clear();
});

test('FragmentAssembler expires partial messages after the TTL from the first fragment', () => {
	let now = 0;
	const a = new FragmentAssembler({ ttlMs: 10_000, now: () => now });
	a.add(frag('m', 2, 0, 'a'));
	now = 10_001;
	assert.equal(a.add(frag('m', 2, 1, 'b')).complete, false, 'the first half expired, so not complete');
	assert.equal(a.expired, 1);
	a.clear();
});

test('parseClientConfig keeps only valid numbers in range', () => {
	assert.deepEqual(parseClientConfig({ PingInterval: 90, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 }), {
		pingIntervalMs: 90_000,
		reconnectCount: -1,
		reconnectIntervalMs: 120_000,
		reconnectNonceMs: 30_000,
	});
	assert.deepEqual(parseClientConfig({ PingInterval: 0, ReconnectCount: 1.5, ReconnectInterval: '5', ReconnectNonce: -3 }), {});
	assert.deepEqual(parseClientConfig({ PingInterval: null }), {});
	assert.deepEqual(parseClientConfig('x'), {});
	assert.deepEqual(parseClientConfig({ PingInterval: Infinity, ReconnectNonce: NaN }), {});
});

test('parseGatewayUrl reads device_id and service_id with a URL parser', () => {
	assert.deepEqual(parseGatewayUrl('wss://h/ws/v2?device_id=77&fpid=1&service_id=33554678&ticket=t'), {
		deviceId: '77',
		serviceId: 33554678,
	});
	assert.deepEqual(parseGatewayUrl('wss://h/ws/v2?service_id=abc'), { deviceId: undefined, serviceId: 0 });
	assert.throws(() => parseGatewayUrl('https://h/ws'), /scheme/);
});

test('handshake refusals: 403 and 514+1000040350 are fatal, others retry', () => {
	const limit = classifyHandshakeRefusal(514, { 'handshake-status': '514', 'handshake-autherrcode': '1000040350' });
	assert.equal(limit.retryable, false);
	assert.equal(limit.code, 1000040350);
	assert.match(limit.message, /1000040350/);
	assert.equal(classifyHandshakeRefusal(403, { 'handshake-status': '403' }).retryable, false);
	assert.equal(classifyHandshakeRefusal(514, { 'handshake-status': '514', 'handshake-autherrcode': '1000040343' }).retryable, true);
	assert.equal(classifyHandshakeRefusal(502, {}).retryable, true);
});

test('secrets never appear in redacted URLs and messages', () => {
	const url = 'wss://msg-frontier.feishu.cn/ws/v2?fpid=493&device_id=76&access_key=abcdef0123&service_id=3&ticket=tick-et';
	const r = redactGatewayUrl(url);
	assert.doesNotMatch(r, /abcdef0123|tick-et/);
	assert.match(r, /device_id=76/);
	const m = redactSecrets(`connect ${url} failed with secret sandbox-app-secret`, ['sandbox-app-secret']);
	assert.doesNotMatch(m, /abcdef0123|tick-et|sandbox-app-secret/);
});

test('LatencySample percentiles', () => {
	const s = new LatencySample(100);
	for (let i = 1; i <= 100; i++) s.add(i);
	assert.deepEqual(s.summary(), { count: 100, p50: 50, p99: 99, max: 100 });
});

test('EventDeduper keeps its bounds over many more ids than it holds, and forgets in arrival order', () => {
	let now = 0;
	const d = new EventDeduper({ windowMs: 10_000, maxEntries: 1000, now: () => now });
	for (let i = 0; i < 50_000; i++) {
		now = i; // 1 ms apart: the count bound (1,000) bites before the window (10 s)
		assert.equal(d.seen(`e${i}`), false);
		assert.ok(d.size <= 1000);
	}
	assert.equal(d.seen('e49999'), true, 'the newest is remembered');
	assert.equal(d.seen('e49000'), true, 'the 1,000th newest is remembered');
	assert.equal(d.seen('e48999'), false, 'older ones were evicted (and this one is now recorded again)');
	now = 49_999 + 10_000;
	assert.equal(d.seen('e49999'), false, 'expired by the window');
	assert.equal(d.size, 1, 'everything else expired too');
	d.clear();
	assert.equal(d.size, 0);
	assert.equal(d.seen('e49999'), false);
});
