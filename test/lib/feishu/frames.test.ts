import { test } from 'node:test';
import assert from 'node:assert/strict';
// The reference: protobufjs (a devDependency, used only here) with the official SDK's pbbp2 schema.
import * as protobuf from 'protobufjs/light';
import { ackFrame, decodeFrame, encodeFrame, type Frame, FrameDecodeError, getHeader, pingFrame, pongFrame } from '../../../lib/feishu';

const root = protobuf.Root.fromJSON({
	nested: {
		pbbp2: {
			nested: {
				Header: {
					fields: {
						key: { rule: 'required', type: 'string', id: 1 },
						value: { rule: 'required', type: 'string', id: 2 },
					},
				},
				Frame: {
					fields: {
						SeqID: { rule: 'required', type: 'uint64', id: 1 },
						LogID: { rule: 'required', type: 'uint64', id: 2 },
						service: { rule: 'required', type: 'int32', id: 3 },
						method: { rule: 'required', type: 'int32', id: 4 },
						headers: { rule: 'repeated', type: 'Header', id: 5 },
						payloadEncoding: { type: 'string', id: 6 },
						payloadType: { type: 'string', id: 7 },
						payload: { type: 'bytes', id: 8 },
						LogIDNew: { type: 'string', id: 9 },
					},
				},
			},
		},
	},
});
const PbFrame = root.lookupType('pbbp2.Frame');

/** What frames.ts did with protobufjs: encode the plain object, uint64 ids as decimal strings. */
function refEncode(frame: Frame): Buffer {
	return Buffer.from(PbFrame.encode({ ...frame, SeqID: String(frame.SeqID), LogID: String(frame.LogID), headers: frame.headers ?? [] }).finish());
}

/** What frames.ts did with protobufjs to decode (a Buffer in, as the WebSocket gives it). */
function refDecode(bytes: Buffer): Frame {
	const obj = PbFrame.toObject(PbFrame.decode(bytes), { longs: String, bytes: Buffer, defaults: false, arrays: true }) as Frame;
	if (!Array.isArray(obj.headers)) obj.headers = [];
	return obj;
}

/** Same values and the same keys in the same order (absent optionals absent, not undefined). */
function assertSameFrame(actual: Frame, expected: Frame, context = ''): void {
	assert.deepEqual(actual, expected, context);
	assert.deepEqual(Object.keys(actual), Object.keys(expected), context);
	if (expected.payload !== undefined) assert.ok(Buffer.isBuffer(actual.payload), `${context}: payload is a Buffer`);
}

/** Our encoding equals protobufjs'; our decoding of those bytes equals protobufjs' decoding. */
function checkBothWays(frame: Frame, context = ''): Buffer {
	const theirs = refEncode(frame);
	const ours = encodeFrame(frame);
	assert.ok(ours instanceof Uint8Array, context);
	if (!theirs.equals(ours)) {
		assert.equal(Buffer.from(ours).toString('hex'), theirs.toString('hex'), `${context}: encoded bytes differ from protobufjs`);
	}
	const expected = refDecode(theirs);
	assertSameFrame(decodeFrame(theirs), expected, context);
	// A plain Uint8Array view at an offset decodes the same (payload still a Buffer).
	const padded = new Uint8Array(theirs.length + 5);
	padded.set(theirs, 3);
	assertSameFrame(decodeFrame(padded.subarray(3, 3 + theirs.length)), expected, `${context} (Uint8Array view)`);
	// And what we decoded encodes back to what protobufjs makes of its own decoding.
	assert.ok(Buffer.from(encodeFrame(decodeFrame(theirs))).equals(refEncode(expected)), `${context}: re-encoding differs`);
	return theirs;
}

/** Deterministic PRNG (mulberry32): the same frames on every run. */
function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

class Gen {
	readonly next: () => number;
	constructor(seed: number) {
		this.next = mulberry32(seed);
	}
	int(maxExclusive: number): number {
		return Math.floor(this.next() * maxExclusive);
	}
	chance(p: number): boolean {
		return this.next() < p;
	}
	pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)];
	}
	u32(): number {
		return this.int(4294967296);
	}
	bytes(n: number): Buffer {
		const out = Buffer.allocUnsafe(n);
		for (let i = 0; i < n; i++) out[i] = this.int(256);
		return out;
	}
	uint64(): bigint {
		switch (this.int(5)) {
			case 0:
				return this.pick(U64_EDGES);
			case 1:
				return BigInt(this.int(1000));
			case 2:
				return BigInt(this.u32());
			case 3:
				return BigInt(this.int(2 ** 21)) * 2n ** 32n + BigInt(this.u32()); // below 2^53
			default:
				return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
		}
	}
	/** A uint64 in one of the accepted forms. */
	id(): number | bigint | string {
		const v = this.uint64();
		const form = this.int(4);
		if (form === 0 && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
		if (form === 1) return v;
		if (form === 2 && this.chance(0.2)) return `00${v}`; // leading zeros are still decimal
		return v.toString();
	}
	int32(): number {
		switch (this.int(4)) {
			case 0:
				return this.pick(I32_EDGES);
			case 1:
				return this.int(300);
			case 2:
				return -1 - this.int(300);
			default:
				return this.u32() | 0;
		}
	}
	/** Unicode text: ASCII, 2-, 3- and 4-byte UTF-8, now and then a lone surrogate; short or past 40 units. */
	text(): string {
		const n = this.chance(0.1) ? 0 : this.chance(0.8) ? this.int(24) : this.int(300);
		let s = '';
		for (let i = 0; i < n; i++) {
			const kind = this.int(20);
			if (kind < 12) s += String.fromCharCode(0x20 + this.int(0x5f));
			else if (kind < 14) s += String.fromCharCode(this.int(0x80)); // control characters too
			else if (kind < 16) s += String.fromCharCode(0x80 + this.int(0x780));
			else if (kind < 18) {
				const c = 0x800 + this.int(0xf000);
				s += String.fromCharCode(c >= 0xd800 ? c + 0x800 : c); // BMP, no surrogates
			} else if (kind < 19) s += String.fromCodePoint(0x10000 + this.int(0x100000));
			else s += this.chance(0.1) ? String.fromCharCode(0xd800 + this.int(0x800)) : '中';
		}
		return s;
	}
	payload(): Uint8Array {
		const n = this.chance(0.04) ? this.int(70 * 1024) : this.chance(0.1) ? 0 : this.int(400);
		const bytes = this.bytes(n);
		return this.chance(0.3) ? new Uint8Array(bytes) : bytes;
	}
	frame(): Frame {
		const frame: Frame = { SeqID: this.id(), LogID: this.id(), service: this.int32(), method: this.int32(), headers: [] };
		const count = this.int(21);
		for (let i = 0; i < count; i++) {
			frame.headers.push({ key: this.chance(0.5) ? this.pick(HEADER_KEYS) : this.text(), value: this.chance(0.2) ? this.pick(COMMON_VALUES) : this.chance(0.3) ? String(this.u32()) : this.text() });
		}
		if (this.chance(0.5)) frame.payloadEncoding = this.chance(0.5) ? this.pick(['', 'gzip', 'json']) : this.text();
		if (this.chance(0.5)) frame.payloadType = this.chance(0.5) ? this.pick(['', 'json', 'pb']) : this.text();
		if (this.chance(0.6)) frame.payload = this.payload();
		if (this.chance(0.5)) frame.LogIDNew = this.chance(0.5) ? `${this.u32()}_${this.u32()}` : this.text();
		return frame;
	}
}

const U64_MAX = 18446744073709551615n;
const U64_EDGES = [0n, 1n, 127n, 128n, 16383n, 16384n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 35n - 1n, 2n ** 35n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, U64_MAX - 1n, U64_MAX];
const I32_EDGES = [0, 1, -1, 127, 128, -128, 2 ** 31 - 1, -(2 ** 31), 0x3fff, 0x4000];
const HEADER_KEYS = ['type', 'message_id', 'sum', 'seq', 'trace_id', 'biz_rt', 'handshake-status'];
const COMMON_VALUES = ['event', 'card', 'ping', 'pong', '0', '1', '9'];

function dataFrame(): Frame {
	return {
		SeqID: '7355208316098805779',
		LogID: '18446744073709551615',
		service: 33554678,
		method: 1,
		headers: [
			{ key: 'type', value: 'event' },
			{ key: 'message_id', value: 'c7c9e8b1-8f1d-4a35-b0fc-2d1c5e0a3b4f' },
			{ key: 'sum', value: '1' },
			{ key: 'seq', value: '0' },
			{ key: 'trace_id', value: '5a1b2c3d4e5f6071' },
			{ key: 'biz_rt', value: '0' },
		],
		payload: Buffer.from(JSON.stringify({ schema: '2.0', header: { event_id: 'ev-1', event_type: 'im.message.receive_v1' }, event: { text: '你好 👋' } })),
	};
}

// ---- fixed vectors ----

test('ping frame matches the bytes the official SDK sends', () => {
	const hex = Buffer.from(encodeFrame(pingFrame(7))).toString('hex');
	assert.equal(hex, '0800100018072000' + '2a0c0a0474797065120470696e67');
});

test('ack frame matches its fixed vector', () => {
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

test('the reference is exact: protobufjs has long.js here (without it uint64 strings lose precision)', () => {
	assert.ok(protobuf.util.Long, 'protobufjs found long.js');
});

test('fixed vectors: same bytes as protobufjs, same decoding both ways', () => {
	const data = dataFrame();
	const long = 'x'.repeat(300);
	const vectors: [string, Frame][] = [
		['ping', pingFrame(7)],
		['pong without config', pongFrame(7)],
		['pong with config', pongFrame(33554678, { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 })],
		['data', data],
		['ack of data', ackFrame(data, { bizRtMs: 12 })],
		['ack of data with callback answer', ackFrame(data, { bizRtMs: 3, data: { toast: { type: 'success', content: '完成' } } })],
		['ids 0', { ...data, SeqID: 0, LogID: '0' }],
		['ids uint64 max, as string and bigint', { ...data, SeqID: '18446744073709551615', LogID: U64_MAX }],
		['ids 2^53+1', { ...data, SeqID: '9007199254740993', LogID: 9007199254740993n }],
		['ids 2^53-1 as a number, 2^60 as a string', { ...data, SeqID: Number.MAX_SAFE_INTEGER, LogID: '1152921504606846976' }],
		['ids 2^32-1, 2^32', { ...data, SeqID: 4294967295, LogID: '4294967296' }],
		['ids with leading zeros', { ...data, SeqID: '000', LogID: '0018446744073709551615' }],
		['negative service', { ...data, service: -1 }],
		['int32 extremes', { ...data, service: -2147483648, method: 2147483647 }],
		['negative method', { ...data, method: -7 }],
		['unicode header values', { ...data, headers: [{ key: 'type', value: '事件' }, { key: 'émoji', value: '😀👍🏽 ok' }, { key: 'mixed', value: `a${'中'.repeat(50)}😀` }] }],
		['lone surrogates, short and past 40 units', { ...data, headers: [{ key: 'hi', value: '\ud800' }, { key: 'lo', value: `a\udc00b` }, { key: 'long', value: `${'y'.repeat(45)}\ud83d` }] }],
		['empty strings', { ...data, headers: [{ key: '', value: '' }], payloadEncoding: '', payloadType: '', LogIDNew: '' }],
		['empty payload', { ...data, payload: Buffer.alloc(0) }],
		['payload as a plain Uint8Array', { ...data, payload: new Uint8Array([1, 2, 3, 0, 255]) }],
		['every optional field', { ...data, payloadEncoding: 'gzip', payloadType: 'json', LogIDNew: '20240101_abcdef' }],
		['no payload, no headers', { SeqID: 1, LogID: 2, service: 3, method: 0, headers: [] }],
		['headers left out', { SeqID: 1, LogID: 2, service: 3, method: 0 } as Frame],
		['optionals present but undefined or null', { ...data, payload: undefined, payloadType: undefined, LogIDNew: null as unknown as string }],
		['300-byte header value (2-byte lengths)', { ...data, headers: [{ key: 'k', value: long }] }],
		['70 KB payload (3-byte length)', { ...data, payload: Buffer.alloc(70 * 1024, 0x7b) }],
		// protobufjs takes a string for bytes as base64; so do we.
		['payload given as a base64 string', { ...data, payload: 'eyJjb2RlIjoyMDB9' as unknown as Uint8Array }],
	];
	for (const [name, frame] of vectors) checkBothWays(frame, name);
});

test('decoding gives exactly what protobufjs toObject gives: absent optionals absent, ids as strings', () => {
	const bytes = refEncode({ SeqID: 5, LogID: 6, service: 7, method: 1, headers: [] });
	const frame = decodeFrame(bytes);
	assert.deepEqual(Object.keys(frame), ['headers', 'SeqID', 'LogID', 'service', 'method']);
	assert.deepEqual(frame, { headers: [], SeqID: '5', LogID: '6', service: 7, method: 1 });
	const withEmpty = decodeFrame(refEncode({ ...frame, payload: Buffer.alloc(0), LogIDNew: '' }));
	assert.ok(Buffer.isBuffer(withEmpty.payload) && withEmpty.payload.length === 0);
	assert.equal(withEmpty.LogIDNew, '');
});

test('header strings, common ones and near misses, decode exactly as protobufjs decodes them', () => {
	const texts: (string | number[])[] = ['type', 'typo', 'TYPE', 'event', 'evenT', 'card', 'message_id', 'message_ie', 'trace_id', 'biz_rt', 'sum', 'seq', 'ping', 'pong', 'pon', '0', '1', '\x7f', '\x00', 'é', [0x80], [0xff], [0xc3], [0x74, 0x79, 0x70, 0xe5], [0xed, 0xa0, 0x80]];
	const bytes = raw((w) => {
		w.uint32(8).uint64('1').uint32(16).uint64('2').uint32(24).int32(3).uint32(32).int32(1);
		for (const key of texts) {
			for (const value of texts) {
				w.uint32(42).fork();
				if (typeof key === 'string') w.uint32(10).string(key);
				else w.uint32(10).bytes(Uint8Array.from(key));
				if (typeof value === 'string') w.uint32(18).string(value);
				else w.uint32(18).bytes(Uint8Array.from(value));
				w.ldelim();
			}
		}
	});
	const frame = decodeFrame(bytes);
	assert.equal(frame.headers.length, texts.length ** 2);
	assertSameFrame(frame, refDecode(bytes));
});

test('the decoded payload is a copy: reusing the message buffer does not change it', () => {
	const bytes = Buffer.from(encodeFrame(dataFrame()));
	const frame = decodeFrame(bytes);
	const before = Buffer.from(frame.payload!);
	bytes.fill(0);
	assert.ok(Buffer.from(frame.payload!).equals(before));
});

// ---- random frames ----

test('2,500 seeded random frames: byte-for-byte protobufjs both ways', () => {
	const gen = new Gen(0x5eed);
	let bigPayloads = 0;
	let headerTotal = 0;
	for (let i = 0; i < 2500; i++) {
		const frame = gen.frame();
		if ((frame.payload?.length ?? 0) > 16 * 1024) bigPayloads++;
		headerTotal += frame.headers.length;
		checkBothWays(frame, `random frame #${i}`);
	}
	assert.ok(bigPayloads >= 20, `${bigPayloads} payloads over 16 KB`);
	assert.ok(headerTotal > 2500 * 8, `${headerTotal} headers`);
});

test('20,000 random uint64 ids and int32s round trip exactly', () => {
	const gen = new Gen(64);
	for (let i = 0; i < 20_000; i++) {
		const seq = gen.uint64();
		const log = gen.uint64();
		const service = gen.int32();
		const frame = decodeFrame(encodeFrame({ SeqID: seq, LogID: String(log), service, method: 1, headers: [] }));
		assert.equal(frame.SeqID, seq.toString());
		assert.equal(frame.LogID, log.toString());
		assert.equal(frame.service, service);
	}
});

test('concatenated frames merge as protobufjs merges them: scalars last one wins, headers append', () => {
	const gen = new Gen(77);
	for (let i = 0; i < 300; i++) {
		const bytes = Buffer.concat([refEncode(gen.frame()), refEncode(gen.frame())]);
		assertSameFrame(decodeFrame(bytes), refDecode(bytes), `merged pair #${i}`);
	}
});

// ---- unknown fields ----

/** Writes `frame` with protobufjs' Writer, with unknown fields (wire types 0, 1, 2, 5) sprinkled everywhere. */
function writeWithUnknownFields(frame: Frame, gen: Gen): Buffer {
	const w = protobuf.Writer.create();
	const unknown = () => {
		if (!gen.chance(0.5)) return;
		const field = gen.pick([10, 11, 15, 16, 100, 2047, 2048, 262143, 536870911]);
		const tag = (wire: number) => ((field << 3) | wire) >>> 0;
		switch (gen.int(5)) {
			case 0:
				w.uint32(tag(0)).uint64(gen.uint64().toString());
				break;
			case 1:
				w.uint32(tag(0)).int32(-1 - gen.int(5)); // a 10-byte varint
				break;
			case 2:
				w.uint32(tag(1)).fixed64(gen.uint64().toString());
				break;
			case 3:
				w.uint32(tag(2)).bytes(gen.bytes(gen.chance(0.1) ? 300 : gen.int(20)));
				break;
			default:
				w.uint32(tag(5)).fixed32(gen.u32());
		}
	};
	unknown();
	w.uint32(8).uint64(String(frame.SeqID));
	unknown();
	w.uint32(16).uint64(String(frame.LogID));
	unknown();
	w.uint32(24).int32(frame.service);
	unknown();
	w.uint32(32).int32(frame.method);
	for (const h of frame.headers) {
		unknown();
		w.uint32(42).fork();
		unknown();
		w.uint32(10).string(h.key);
		unknown();
		w.uint32(18).string(h.value);
		unknown();
		w.ldelim();
	}
	unknown();
	if (frame.payloadEncoding != null) w.uint32(50).string(frame.payloadEncoding);
	unknown();
	if (frame.payloadType != null) w.uint32(58).string(frame.payloadType);
	unknown();
	if (frame.payload != null) w.uint32(66).bytes(frame.payload);
	unknown();
	if (frame.LogIDNew != null) w.uint32(74).string(frame.LogIDNew);
	unknown();
	return Buffer.from(w.finish());
}

test('unknown fields (wire types 0, 1, 2, 5, in frames and headers) are skipped as protobufjs skips them', () => {
	const gen = new Gen(1234);
	for (let i = 0; i < 500; i++) {
		const frame = i === 0 ? dataFrame() : gen.frame();
		const withUnknown = writeWithUnknownFields(frame, gen);
		const plain = refEncode(frame);
		const ours = decodeFrame(withUnknown);
		assertSameFrame(ours, refDecode(withUnknown), `frame #${i} vs protobufjs`);
		assertSameFrame(ours, decodeFrame(plain), `frame #${i} vs without unknown fields`);
	}
});

// ---- malformed input ----

/** Offsets where the top-level fields of a well-formed encoding end (a simple walker, not our decoder). */
function fieldEnds(bytes: Uint8Array): number[] {
	const ends: number[] = [];
	let p = 0;
	const varint = () => {
		let v = 0;
		let scale = 1;
		let b: number;
		do {
			b = bytes[p++];
			v += (b & 0x7f) * scale;
			scale *= 128;
		} while (b >= 0x80);
		return v;
	};
	while (p < bytes.length) {
		const wire = varint() % 8;
		if (wire === 0) varint();
		else if (wire === 1) p += 8;
		else if (wire === 2) {
			const len = varint();
			p += len;
		}
		else if (wire === 5) p += 4;
		ends.push(p);
	}
	return ends;
}

function assertDecodeError(bytes: Uint8Array, context: string): void {
	assert.throws(
		() => decodeFrame(bytes),
		(error: unknown) => {
			assert.ok(error instanceof FrameDecodeError, `${context}: threw ${String(error)}, not a FrameDecodeError`);
			assert.match(error.message, /^Invalid pbbp2 frame: /);
			return true;
		},
		context,
	);
}

test('every truncation of valid frames: a FrameDecodeError unless it ends on a field after the required ones', () => {
	const gen = new Gen(99);
	const frames: Frame[] = [
		pingFrame(7),
		ackFrame(dataFrame(), { bizRtMs: 5 }),
		{ ...dataFrame(), SeqID: U64_MAX, service: -2, payloadEncoding: 'gzip', payloadType: 'json', LogIDNew: '深圳_1' },
		{ ...dataFrame(), headers: [{ key: 'k', value: '值'.repeat(200) }], payload: gen.bytes(20_000) },
	];
	let valid = 0;
	let rejected = 0;
	for (const [n, frame] of frames.entries()) {
		const bytes = Buffer.from(encodeFrame(frame));
		const ends = fieldEnds(bytes);
		const validLengths = new Set(ends.slice(3)); // SeqID, LogID, service, method come first
		// Every offset, except inside the long payload: there every 61st and the last 10.
		const payloadStart = bytes.length - (frame.payload?.length ?? 0);
		for (let len = 0; len < bytes.length; len += len > payloadStart + 10 && len < bytes.length - 10 ? 61 : 1) {
			const prefix = bytes.subarray(0, len);
			if (validLengths.has(len)) {
				assertSameFrame(decodeFrame(prefix), refDecode(prefix), `frame ${n} cut to ${len} bytes (a field boundary)`);
				valid++;
			} else {
				assertDecodeError(prefix, `frame ${n} cut to ${len} bytes`);
				rejected++;
			}
		}
	}
	assert.ok(valid >= 10 && rejected > 1000, `${valid} valid prefixes, ${rejected} rejected`);
});

test('random garbage and mutated frames: FrameDecodeError or a frame protobufjs reads the same way', () => {
	const gen = new Gen(4242);
	const seeds = [encodeFrame(pingFrame(7)), encodeFrame(ackFrame(dataFrame())), encodeFrame({ ...dataFrame(), service: -1, LogIDNew: 'x' })];
	let accepted = 0;
	for (let i = 0; i < 20_000; i++) {
		let bytes: Buffer;
		if (i % 2 === 0) {
			bytes = gen.bytes(gen.chance(0.05) ? gen.int(2000) : gen.int(64));
		} else {
			bytes = Buffer.from(gen.pick(seeds));
			const flips = 1 + gen.int(3);
			for (let f = 0; f < flips; f++) bytes[gen.int(bytes.length)] = gen.chance(0.5) ? gen.int(256) : bytes[gen.int(bytes.length)] ^ (1 << gen.int(8));
		}
		let frame: Frame;
		try {
			frame = decodeFrame(bytes);
		} catch (error) {
			if (!(error instanceof FrameDecodeError)) assert.fail(`input #${i} ${bytes.toString('hex')}: threw ${String(error)}`);
			continue;
		}
		accepted++;
		// Whatever we accept, protobufjs reads identically (we are at most stricter), and it re-encodes stably.
		assertSameFrame(frame, refDecode(bytes), `input #${i} ${bytes.toString('hex')}`);
		assertSameFrame(decodeFrame(encodeFrame(frame)), frame, `input #${i} re-encoded`);
	}
	assert.ok(accepted > 100, `${accepted} mutated inputs were still frames`);
});

/** Raw fields via protobufjs' Writer. */
function raw(write: (w: protobuf.Writer) => void): Buffer {
	const w = protobuf.Writer.create();
	write(w);
	return Buffer.from(w.finish());
}

test('missing required fields throw FrameDecodeError with protobufjs message', () => {
	const fields = {
		SeqID: (w: protobuf.Writer) => w.uint32(8).uint64('1'),
		LogID: (w: protobuf.Writer) => w.uint32(16).uint64('2'),
		service: (w: protobuf.Writer) => w.uint32(24).int32(3),
		method: (w: protobuf.Writer) => w.uint32(32).int32(1),
	};
	const header = (w: protobuf.Writer, key?: string, value?: string) => {
		w.uint32(42).fork();
		if (key !== undefined) w.uint32(10).string(key);
		if (value !== undefined) w.uint32(18).string(value);
		w.ldelim();
	};
	const cases: [string, Buffer][] = [['empty input', Buffer.alloc(0)]];
	for (const left of Object.keys(fields)) {
		cases.push([
			`without ${left}`,
			raw((w) => {
				for (const [name, write] of Object.entries(fields)) if (name !== left) write(w);
				header(w, 'type', 'event');
			}),
		]);
	}
	const all = (w: protobuf.Writer) => Object.values(fields).forEach((write) => write(w));
	cases.push(['header without value', raw((w) => (all(w), header(w, 'type')))]);
	cases.push(['header without key', raw((w) => (all(w), header(w, undefined, 'event')))]);
	cases.push(['empty header', raw((w) => (all(w), header(w)))]);
	cases.push(['header without key, and no SeqID', raw((w) => (header(w, undefined, 'x'), fields.LogID(w)))]);
	for (const [name, bytes] of cases) {
		let expected = '';
		try {
			refDecode(bytes);
		} catch (error) {
			expected = (error as Error).message;
		}
		assert.match(expected, /^missing required '/, `${name}: protobufjs rejects it`);
		assert.throws(() => decodeFrame(bytes), (error: unknown) => {
			assert.ok(error instanceof FrameDecodeError, name);
			assert.equal(error.message, `Invalid pbbp2 frame: ${expected}`, name);
			return true;
		});
	}
});

test('malformed encodings protobufjs tolerates or misreads are FrameDecodeErrors here', () => {
	const required = Buffer.from('0801100218032001', 'hex');
	const cases: [string, Buffer][] = [
		['varint of 11 bytes', Buffer.from('08' + '80'.repeat(10) + '00' + '1002180320 01'.replace(/ /g, ''), 'hex')],
		['truncated varint at the end', Buffer.concat([required, Buffer.from('1880', 'hex')])],
		['truncated uint64 near the end (protobufjs reads past it)', Buffer.from('0801100218032001' + '08808080', 'hex')],
		['string length past the end (protobufjs truncates the string)', Buffer.concat([required, Buffer.from('4a05616263', 'hex')])],
		['payload length past the end', Buffer.concat([required, Buffer.from('42808040', 'hex'), Buffer.from('short')])],
		['header length past the end', Buffer.concat([required, Buffer.from('2a0a0a0474797065', 'hex')])],
		['header field past its header', Buffer.concat([required, Buffer.from('2a040a047479706512026576', 'hex')])],
		['length over 2^32', Buffer.concat([required, Buffer.from('42' + '8080808010' + '00', 'hex')])],
		['group (wire type 3), which protobufjs skips', Buffer.concat([required, Buffer.from('5b08015c', 'hex')])],
		['end group (wire type 4)', Buffer.concat([required, Buffer.from('5c', 'hex')])],
		['wire type 6', Buffer.concat([required, Buffer.from('5e00', 'hex')])],
		['wire type 7', Buffer.concat([required, Buffer.from('5f00', 'hex')])],
		['field number 0', Buffer.concat([required, Buffer.from('0001', 'hex')])],
		['tag over 32 bits', Buffer.concat([required, Buffer.from('80808080800100', 'hex')])],
		['SeqID with wire type 2 (protobufjs reads it as a varint)', Buffer.concat([Buffer.from('0a0131', 'hex'), required])],
		['headers with wire type 0', Buffer.concat([required, Buffer.from('2803', 'hex')])],
		['header key with wire type 0', Buffer.concat([required, Buffer.from('2a0408011200', 'hex')])],
		['payload with wire type 5', Buffer.concat([required, Buffer.from('4501020304', 'hex')])],
		['truncated fixed64 unknown field', Buffer.concat([required, Buffer.from('51010203', 'hex')])],
		['truncated fixed32 unknown field', Buffer.concat([required, Buffer.from('550102', 'hex')])],
		['a lone 0xff', Buffer.from([0xff])],
	];
	for (const [name, bytes] of cases) assertDecodeError(bytes, name);
	// Not bytes at all.
	assert.throws(() => decodeFrame('0801' as unknown as Uint8Array), FrameDecodeError);
	assert.throws(() => decodeFrame(new ArrayBuffer(4) as unknown as Uint8Array), FrameDecodeError);
});

test('encoding rejects ids that are not uint64 and numbers that are not int32, with clear errors', () => {
	const base: Frame = { SeqID: 1, LogID: 2, service: 3, method: 1, headers: [] };
	// Numbers past 2^53 - 1 are refused: 2 ** 60 is exact, but String(2 ** 60) is not its value (1152921504606847000).
	const badIds: unknown[] = [-1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 60, 2 ** 64, '-1', '', ' 1', '1 ', '+1', '1e3', '0x10', '1.0', 'abc', '18446744073709551616', '99999999999999999999', -1n, 2n ** 64n, null, undefined, {}, true];
	for (const bad of badIds) {
		for (const field of ['SeqID', 'LogID'] as const) {
			assert.throws(() => encodeFrame({ ...base, [field]: bad as string }), (error: unknown) => {
				assert.ok(error instanceof RangeError, `${field} ${String(bad)}`);
				assert.match(error.message, new RegExp(`^pbbp2 frame: ${field} must be a uint64`));
				return true;
			});
		}
	}
	for (const bad of [2 ** 31, -(2 ** 31) - 1, 1.5, NaN, '7', undefined]) {
		assert.throws(() => encodeFrame({ ...base, service: bad as number }), /pbbp2 frame: service must be an int32/);
		assert.throws(() => encodeFrame({ ...base, method: bad as number }), /pbbp2 frame: method must be an int32/);
	}
	assert.throws(() => encodeFrame({ ...base, headers: [{ key: 'sum', value: 1 as unknown as string }] }), /headers\[0\]\.value must be a string/);
	assert.throws(() => encodeFrame({ ...base, headers: [null as unknown as { key: string; value: string }] }), TypeError);
	assert.throws(() => encodeFrame({ ...base, LogIDNew: 5 as unknown as string }), /LogIDNew must be a string/);
	assert.throws(() => encodeFrame({ ...base, payload: {} as Uint8Array }), /payload must be a Uint8Array/);
});
