// Fault suite, long connection: malformed gateway input pushed at our client through the connection
// hub (the trigger's path). After every bad input a good event is sent: it must arrive, the bad
// input must be counted (malformed or ignored) and never reach the subscriber, the connection must
// stay up (except where the input is too big for any client: then it reconnects and carries on), and
// nothing may surface as an unhandled rejection.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { closeAllConnections, hubStats, subscribeToApp, type HubSubscription } from '../../../lib/feishu/connectionHub';
import type { FeishuEnvelope } from '../../../lib/feishu/envelope';
import { encodeFrame, FrameMethod } from '../../../lib/feishu/frames';
import { bField, eventPayload, FaultGateway, headerField, trapUnhandled, vField, waitFor } from '../../helpers/faults';

const APP_ID = 'cli_faultfaultfault01';
let gw: FaultGateway;
let sub: HubSubscription;
const received: FeishuEnvelope[] = [];
const trap = trapUnhandled();

before(async () => {
	gw = await new FaultGateway().start();
	sub = await subscribeToApp(
		{ appId: APP_ID, appSecret: 'fault-secret', baseUrl: gw.baseUrl },
		{ onEvent: (e) => void received.push(e), onFatal: () => undefined },
		{ gateway: { overrides: { reconnectIntervalMs: 50, reconnectNonceMs: 10 } } },
	);
});

after(async () => {
	await sub?.unsubscribe();
	await closeAllConnections();
	await gw?.close();
	trap.dispose();
});

function gatewayStats() {
	const app = hubStats().apps.find((a) => a.appId === APP_ID);
	assert.ok(app, 'the hub has the app');
	return app.gateway;
}

/** A valid frame cut short, and other raw bytes. */
function validFrameBytes(): Buffer {
	return Buffer.from(encodeFrame(gw.eventFrame(eventPayload('ev-unused'))));
}

type Expect = 'malformed' | 'ignored' | 'nothing';
interface Case {
	name: string;
	send(): void;
	expect: Expect;
	/** A well-formed frame whose payload is unusable is still acked (or Feishu redelivers it forever). */
	ackedSeq?: () => string;
	reconnects?: boolean;
}

let lastSeq = '';
const frameWith = (payload: Buffer | string, headers: Record<string, string> = {}) => {
	const f = gw.eventFrame(payload, headers);
	lastSeq = String(f.SeqID);
	return f;
};
const required = { seq: vField(1, 77), log: vField(2, 1), service: vField(3, 4242), method: vField(4, FrameMethod.data) };
const typeEvent = headerField('type', 'event');

const cases: Case[] = [
	// Not a pbbp2 frame at all.
	{ name: 'empty binary message', send: () => gw.sendRaw(Buffer.alloc(0)), expect: 'malformed' },
	{ name: 'valid frame truncated to half', send: () => gw.sendRaw(validFrameBytes().subarray(0, Math.floor(validFrameBytes().length / 2))), expect: 'malformed' },
	{ name: 'valid frame truncated to 1 byte', send: () => gw.sendRaw(validFrameBytes().subarray(0, 1)), expect: 'malformed' },
	{ name: 'valid frame minus its last byte', send: () => gw.sendRaw(validFrameBytes().subarray(0, validFrameBytes().length - 1)), expect: 'malformed' },
	{ name: 'unterminated varint', send: () => gw.sendRaw(Buffer.from([0x08, 0x96, 0xff, 0xff])), expect: 'malformed' },
	{ name: '64 bytes of random garbage', send: () => gw.sendRaw(Buffer.concat([Buffer.from([0xff]), randomBytes(63)])), expect: 'malformed' },
	{ name: 'missing required SeqID', send: () => gw.sendRaw(Buffer.concat([required.log, required.service, required.method, typeEvent])), expect: 'malformed' },
	{ name: 'missing required LogID', send: () => gw.sendRaw(Buffer.concat([required.seq, required.service, required.method, typeEvent])), expect: 'malformed' },
	{ name: 'missing required service', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.method, typeEvent])), expect: 'malformed' },
	{ name: 'missing required method', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, typeEvent])), expect: 'malformed' },
	{ name: 'header without its required value', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, required.method, bField(5, bField(1, 'type'))])), expect: 'malformed' },
	{ name: 'SeqID with the wrong wire type (bytes)', send: () => gw.sendRaw(Buffer.concat([bField(1, 'seventy'), required.log, required.service, required.method, typeEvent])), expect: 'malformed' },
	{ name: 'headers with the wrong wire type (varint)', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, required.method, vField(5, 3)])), expect: 'malformed' },
	{
		name: 'payload length prefix larger than the message',
		send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, required.method, typeEvent, Buffer.from([0x42, 0x80, 0x80, 0x40]), Buffer.from('short')])),
		expect: 'malformed',
	},
	{ name: 'text WebSocket message', send: () => gw.sendRaw('hello', false), expect: 'malformed' },
	{ name: 'text WebSocket message carrying event JSON', send: () => gw.sendRaw(eventPayload('ev-text'), false), expect: 'malformed' },
	// Decodes, but is not something a client should act on.
	{ name: 'unknown frame method 7', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, vField(4, 7), typeEvent, bField(8, eventPayload('ev-m7'))])), expect: 'malformed' },
	{ name: 'negative frame method', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, vField(4, -1), typeEvent])), expect: 'malformed' },
	{ name: 'data frame without a type header', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, required.method, bField(8, eventPayload('ev-notype'))])), expect: 'ignored' },
	{ name: 'data frame of unknown type', send: () => gw.send(frameWith(eventPayload('ev-unknown-type'), { type: 'mystery' })), expect: 'ignored' },
	{ name: 'type header in invalid UTF-8', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, required.method, headerField('type', Buffer.from([0xc3, 0x28, 0xff])), bField(8, eventPayload('ev-badutf'))])), expect: 'ignored' },
	{ name: 'control frame of unknown type', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, vField(4, 0), headerField('type', 'bogus')])), expect: 'ignored' },
	{ name: 'pong whose payload is not JSON', send: () => gw.sendRaw(Buffer.concat([required.seq, required.log, required.service, vField(4, 0), headerField('type', 'pong'), bField(8, '{ping')])), expect: 'malformed' },
	// Fragment headers.
	{ name: 'huge sum', send: () => gw.send(frameWith(eventPayload('ev-hs'), { sum: '99999999999' })), expect: 'malformed' },
	{ name: 'sum above the fragment cap', send: () => gw.send(frameWith(eventPayload('ev-hs2'), { sum: '5000' })), expect: 'malformed' },
	{ name: 'non-numeric sum', send: () => gw.send(frameWith(eventPayload('ev-ns'), { sum: 'abc' })), expect: 'malformed' },
	{ name: 'negative sum', send: () => gw.send(frameWith(eventPayload('ev-neg'), { sum: '-1' })), expect: 'malformed' },
	{ name: 'sum 0', send: () => gw.send(frameWith(eventPayload('ev-s0'), { sum: '0' })), expect: 'malformed' },
	{ name: 'seq not below sum', send: () => gw.send(frameWith(eventPayload('ev-sq'), { sum: '2', seq: '5' })), expect: 'malformed' },
	{ name: 'huge seq', send: () => gw.send(frameWith(eventPayload('ev-hq'), { sum: '2', seq: '99999999999999999999' })), expect: 'malformed' },
	{ name: 'fractional seq', send: () => gw.send(frameWith(eventPayload('ev-fq'), { sum: '2', seq: '0.5' })), expect: 'malformed' },
	{ name: 'fragment without message_id', send: () => gw.send(frameWith('{"a":', { sum: '2', seq: '0', message_id: '' })), expect: 'malformed' },
	{
		name: 'sum changes within one message',
		send: () => {
			gw.send(frameWith('{"schema":', { sum: '2', seq: '0', message_id: 'frag-change' }));
			gw.send(frameWith('"2.0"}', { sum: '3', seq: '1', message_id: 'frag-change' }));
		},
		expect: 'malformed',
	},
	{ name: 'one fragment of two, never completed', send: () => gw.send(frameWith('{"schema":"2.0",', { sum: '2', seq: '0', message_id: 'frag-orphan' })), expect: 'nothing' },
	// Well-formed frames whose payload is unusable: counted, acked, never delivered.
	{ name: 'payload is not JSON', send: () => gw.send(frameWith('not json at all')), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: 'payload is invalid UTF-8', send: () => gw.send(frameWith(Buffer.from([0xff, 0xfe, 0xfd, 0x7b]))), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: 'payload is a JSON array', send: () => gw.send(frameWith('[1,2,3]')), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: 'payload is JSON null', send: () => gw.send(frameWith('null')), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: 'payload is a JSON number', send: () => gw.send(frameWith('42')), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: 'payload is a JSON string', send: () => gw.send(frameWith('"event"')), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: 'empty payload', send: () => gw.send(frameWith(Buffer.alloc(0))), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: 'truncated JSON payload', send: () => gw.send(frameWith(eventPayload('ev-trunc').slice(0, 40))), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: 'JSON nested 100,000 deep', send: () => gw.send(frameWith('['.repeat(100_000) + ']'.repeat(100_000))), expect: 'malformed', ackedSeq: () => lastSeq },
	{ name: '5 MB of non-JSON payload', send: () => gw.send(frameWith(Buffer.alloc(5 * 1024 * 1024, 0x41))), expect: 'malformed', ackedSeq: () => lastSeq },
	// Too big for any client: the socket is closed (1009) and the client reconnects.
	{ name: 'frame larger than 16 MiB', send: () => gw.send(frameWith(Buffer.alloc(17 * 1024 * 1024, 0x20))), expect: 'nothing', reconnects: true },
];

test(`${cases.length} malformed gateway inputs: each counted and ignored, good events still arrive`, async (t) => {
	assert.ok(cases.length >= 40);
	let probe = 0;
	for (const c of cases) {
		await t.test(c.name, async () => {
			const before = gatewayStats();
			const deliveredBefore = received.length;
			c.send();
			if (c.reconnects) {
				await waitFor('a reconnect', () => gatewayStats().connects > before.connects && gatewayStats().connected, 10_000);
			}
			const id = `probe-${++probe}`;
			gw.send(gw.eventFrame(eventPayload(id)));
			await waitFor(`probe ${id}`, () => received.some((e) => e.eventId === id));
			const now = gatewayStats();
			// Only the probe reached the subscriber.
			assert.deepEqual(
				received.slice(deliveredBefore).map((e) => e.eventId),
				[id],
			);
			if (c.expect === 'malformed') assert.equal(now.malformed, before.malformed + 1, 'counted as malformed');
			if (c.expect === 'ignored') assert.equal(now.ignored, before.ignored + 1, 'counted as ignored');
			if (c.expect === 'nothing') assert.equal(now.malformed + now.ignored, before.malformed + before.ignored);
			if (!c.reconnects) assert.equal(now.connects, before.connects, 'the connection stayed up');
			if (c.ackedSeq) {
				const seq = c.ackedSeq();
				const ack = await waitFor('the ack of the unusable event', () => gw.current.frames.find((f) => f.method === FrameMethod.data && String(f.SeqID) === seq));
				assert.equal(JSON.parse(Buffer.from(ack.payload ?? []).toString()).code, 200);
			}
		});
	}
	assert.deepEqual(trap.errors, [], 'no unhandled rejection or uncaught exception');
	assert.equal(gatewayStats().handlerErrors, 0);
});
