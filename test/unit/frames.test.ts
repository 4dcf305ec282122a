import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ackFrame, decodeFrame, encodeFrame, FrameDecodeError, getHeader, pingFrame } from '../../lib/feishu';

test('ping frame matches the bytes the official SDK sends (protocol §3 vector)', () => {
	const hex = Buffer.from(encodeFrame(pingFrame(7))).toString('hex');
	assert.equal(hex, '0800100018072000' + '2a0c0a0474797065120470696e67');
});

test('ack frame matches the protocol §3 vector', () => {
	const received = {
		SeqID: 0,
		LogID: 0,
		service: 7,
		method: 1,
		headers: [
			{ key: 'type', value: 'event' },
			{ key: 'message_id', value: 'm1' },
			{ key: 'sum', value: '1' },
			{ key: 'seq', value: '0' },
			{ key: 'trace_id', value: 't1' },
		],
		payload: Buffer.from('{"event":1}'),
	};
	const hex = Buffer.from(encodeFrame(ackFrame(received, { bizRtMs: 3 }))).toString('hex');
	assert.equal(
		hex,
		'08001000180720012a0d0a047479706512056576656e742a100a0a6d6573736167655f696412026d312a080a0373756d' +
			'1201312a080a037365711201302a0e0a0874726163655f6964120274312a0b0a0662697a5f7274120133420c7b22636f' +
			'6465223a3230307d',
	);
});

test('uint64 ids survive a round trip exactly', () => {
	const frame = decodeFrame(
		encodeFrame({ SeqID: '18446744073709551615', LogID: '9007199254740993', service: 1, method: 1, headers: [] }),
	);
	assert.equal(frame.SeqID, '18446744073709551615');
	assert.equal(frame.LogID, '9007199254740993');
});

test('ack carries callback data as base64 JSON', () => {
	const ack = ackFrame({ SeqID: 1, LogID: 2, service: 3, method: 1, headers: [{ key: 'type', value: 'event' }] }, {
		data: { toast: { type: 'info', content: 'ok' } },
	});
	const body = JSON.parse(Buffer.from(ack.payload!).toString());
	assert.equal(body.code, 200);
	assert.deepEqual(JSON.parse(Buffer.from(body.data, 'base64').toString()), { toast: { type: 'info', content: 'ok' } });
	assert.equal(getHeader(ack, 'biz_rt'), '0');
});

test('truncated and field-missing frames are rejected with FrameDecodeError', () => {
	const good = encodeFrame(pingFrame(7));
	assert.throws(() => decodeFrame(good.subarray(0, good.length - 3)), FrameDecodeError);
	assert.throws(() => decodeFrame(Buffer.from([0x08, 0x00])), FrameDecodeError); // only SeqID
	assert.throws(() => decodeFrame(Buffer.from('not protobuf at all')), FrameDecodeError);
});
