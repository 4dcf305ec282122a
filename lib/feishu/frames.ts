// The long connection's wire format: every WebSocket message is one binary protobuf `pbbp2.Frame`
// (proto2), laid out in docs/ARCHITECTURE.md ("Frame wire format"). Encoded and decoded by hand
// because the shipped bundle may not contain protobufjs (n8n's community-package scanner rejects
// it); test/lib/feishu/frames.test.ts holds this codec to protobufjs byte for byte. Used by the gateway
// client and by the sandbox.

export const FrameMethod = { control: 0, data: 1 } as const;

export type FrameType = 'ping' | 'pong' | 'event' | 'card' | string;

export interface FrameHeader {
	key: string;
	value: string;
}

export interface Frame {
	SeqID: number | bigint | string;
	LogID: number | bigint | string;
	service: number;
	method: number;
	headers: FrameHeader[];
	payloadEncoding?: string;
	payloadType?: string;
	payload?: Uint8Array;
	LogIDNew?: string;
}

export class FrameDecodeError extends Error {
	constructor(message: string) {
		super(`Invalid pbbp2 frame: ${message}`);
		this.name = 'FrameDecodeError';
	}
}

const TWO_32 = 4294967296;
const U64_MAX = 0xffffffffffffffffn;

// Tags (field number << 3 | wire type) of the fields, as single bytes.
const TAG_SEQ_ID = 0x08;
const TAG_LOG_ID = 0x10;
const TAG_SERVICE = 0x18;
const TAG_METHOD = 0x20;
const TAG_HEADER = 0x2a;
const TAG_PAYLOAD_ENCODING = 0x32;
const TAG_PAYLOAD_TYPE = 0x3a;
const TAG_PAYLOAD = 0x42;
const TAG_LOG_ID_NEW = 0x4a;
const TAG_KEY = 0x0a;
const TAG_VALUE = 0x12;
// Field names and wire types by field number, for errors about a known field sent with the wrong wire type.
const FRAME_FIELDS = ['', 'SeqID', 'LogID', 'service', 'method', 'headers', 'payloadEncoding', 'payloadType', 'payload', 'LogIDNew'];
const FRAME_WIRE_TYPES = [0, 0, 0, 0, 0, 2, 2, 2, 2, 2];
const HEADER_FIELDS = ['', 'key', 'value'];
const HEADER_WIRE_TYPES = [0, 2, 2];

// Strings shorter than this are measured and written in plain JS (what protobufjs does, and faster
// than a call into Buffer for short strings); longer ones go through Buffer.
const SHORT_STRING = 40;

// ---- encoding ----

// Scratch for the one encodeFrame call in progress (it is synchronous and calls out to nothing).
let idLo = 0;
let idHi = 0;
const stringBytes: number[] = [];

function invalidId(field: string, value: unknown): Error {
	const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
	return new RangeError(
		`pbbp2 frame: ${field} must be a uint64: an integer from 0 to 18446744073709551615 as a decimal string or bigint (or a number up to 2^53 - 1), got ${shown}`,
	);
}

/** Splits a uint64 id into idLo / idHi, or throws a RangeError. */
function splitId(value: unknown, field: string): void {
	if (typeof value === 'number') {
		// Above 2^53 a number is not an exact id any more (and String() of it is not its value either).
		if (!Number.isSafeInteger(value) || value < 0) throw invalidId(field, value);
		idLo = value >>> 0;
		idHi = (value - idLo) / TWO_32;
		return;
	}
	if (typeof value === 'string') {
		const n = value.length;
		if (n === 0) throw invalidId(field, value);
		let lo = 0;
		let hi = 0;
		for (let i = 0; i < n; i++) {
			const digit = value.charCodeAt(i) - 48;
			if (digit < 0 || digit > 9) throw invalidId(field, value);
			lo = lo * 10 + digit;
			hi *= 10;
			if (lo >= TWO_32) {
				const carry = Math.floor(lo / TWO_32);
				lo -= carry * TWO_32;
				hi += carry;
			}
			if (hi >= TWO_32) throw invalidId(field, value);
		}
		idLo = lo;
		idHi = hi;
		return;
	}
	if (typeof value === 'bigint') {
		if (value < 0n || value > U64_MAX) throw invalidId(field, value);
		idLo = Number(value & 0xffffffffn);
		idHi = Number(value >> 32n);
		return;
	}
	throw invalidId(field, value);
}

function int32(value: unknown, field: string): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
		throw new RangeError(`pbbp2 frame: ${field} must be an int32, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
	}
	return value;
}

function varint32Size(value: number): number {
	return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function varint64Size(lo: number, hi: number): number {
	if (hi === 0) return varint32Size(lo);
	return hi < 0x8 ? 5 : hi < 0x400 ? 6 : hi < 0x20000 ? 7 : hi < 0x1000000 ? 8 : hi < 0x80000000 ? 9 : 10;
}

/** A negative int32 is written as protobuf does: sign-extended to 64 bits, 10 bytes. */
function int32Size(value: number): number {
	return value < 0 ? 10 : varint32Size(value);
}

/** UTF-8 length as Buffer.byteLength counts it (a lone surrogate counts 3, as it is written). */
function utf8Length(value: string): number {
	const n = value.length;
	if (n >= SHORT_STRING) return Buffer.byteLength(value, 'utf8');
	let len = n;
	for (let i = 0; i < n; i++) {
		const c = value.charCodeAt(i);
		if (c < 0x80) continue;
		if (c < 0x800) len += 1;
		else if ((c & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
			i++;
			len += 2; // two UTF-16 units, four bytes
		} else len += 2;
	}
	return len;
}

function stringOf(value: unknown, field: string): string {
	if (typeof value !== 'string') throw new TypeError(`pbbp2 frame: ${field} must be a string, got ${typeof value}`);
	return value;
}

function writeVarint32(buf: Uint8Array, pos: number, value: number): number {
	while (value > 0x7f) {
		buf[pos++] = (value & 0x7f) | 0x80;
		value >>>= 7;
	}
	buf[pos++] = value;
	return pos;
}

function writeVarint64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
	while (hi !== 0) {
		buf[pos++] = (lo & 0x7f) | 0x80;
		lo = ((lo >>> 7) | (hi << 25)) >>> 0;
		hi >>>= 7;
	}
	return writeVarint32(buf, pos, lo);
}

function writeInt32(buf: Uint8Array, pos: number, value: number): number {
	return value < 0 ? writeVarint64(buf, pos, value >>> 0, 0xffffffff) : writeVarint32(buf, pos, value);
}

/** Writes `len` (precomputed) UTF-8 bytes of `value`; short strings exactly as protobufjs' utf8.write. */
function writeString(buf: Buffer, pos: number, value: string, len: number): number {
	pos = writeVarint32(buf, pos, len);
	const n = value.length;
	if (n >= SHORT_STRING) {
		buf.write(value, pos, len, 'utf8');
		return pos + len;
	}
	for (let i = 0; i < n; i++) {
		let c = value.charCodeAt(i);
		if (c < 0x80) buf[pos++] = c;
		else if (c < 0x800) {
			buf[pos++] = (c >> 6) | 0xc0;
			buf[pos++] = (c & 0x3f) | 0x80;
		} else if ((c & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
			c = 0x10000 + ((c & 0x3ff) << 10) + (value.charCodeAt(++i) & 0x3ff);
			buf[pos++] = (c >> 18) | 0xf0;
			buf[pos++] = ((c >> 12) & 0x3f) | 0x80;
			buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
			buf[pos++] = (c & 0x3f) | 0x80;
		} else {
			buf[pos++] = (c >> 12) | 0xe0;
			buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
			buf[pos++] = (c & 0x3f) | 0x80;
		}
	}
	return pos;
}

/**
 * Serialises a frame: the bytes protobufjs' `encode().finish()` gives, in one allocation. uint64 ids
 * are kept exact (number, bigint or decimal string); an id or int32 out of range throws a RangeError.
 */
export function encodeFrame(frame: Frame): Uint8Array {
	splitId(frame.SeqID, 'SeqID');
	const seqLo = idLo;
	const seqHi = idHi;
	splitId(frame.LogID, 'LogID');
	const logLo = idLo;
	const logHi = idHi;
	const service = int32(frame.service, 'service');
	const method = int32(frame.method, 'method');
	const headers = frame.headers ?? [];
	const payloadEncoding = frame.payloadEncoding == null ? undefined : stringOf(frame.payloadEncoding, 'payloadEncoding');
	const payloadType = frame.payloadType == null ? undefined : stringOf(frame.payloadType, 'payloadType');
	const LogIDNew = frame.LogIDNew == null ? undefined : stringOf(frame.LogIDNew, 'LogIDNew');
	let payload = frame.payload as Uint8Array | string | number[] | undefined | null;
	if (typeof payload === 'string') payload = Buffer.from(payload, 'base64'); // as protobufjs takes a string
	else if (payload != null && !(payload instanceof Uint8Array) && !Array.isArray(payload)) {
		throw new TypeError(`pbbp2 frame: payload must be a Uint8Array, got ${typeof payload}`);
	}

	let size = 4 + varint64Size(seqLo, seqHi) + varint64Size(logLo, logHi) + int32Size(service) + int32Size(method);
	const headerCount = headers.length;
	for (let i = 0; i < headerCount; i++) {
		const header = headers[i];
		if (header == null) throw new TypeError(`pbbp2 frame: headers[${i}] must be an object, got ${String(header)}`);
		const keyLen = utf8Length(stringOf(header.key, `headers[${i}].key`));
		const valueLen = utf8Length(stringOf(header.value, `headers[${i}].value`));
		const headerLen = 2 + varint32Size(keyLen) + keyLen + varint32Size(valueLen) + valueLen;
		stringBytes[2 * i] = keyLen;
		stringBytes[2 * i + 1] = valueLen;
		size += 1 + varint32Size(headerLen) + headerLen;
	}
	let encodingLen = 0;
	let typeLen = 0;
	let logIdNewLen = 0;
	if (payloadEncoding !== undefined) {
		encodingLen = utf8Length(payloadEncoding);
		size += 1 + varint32Size(encodingLen) + encodingLen;
	}
	if (payloadType !== undefined) {
		typeLen = utf8Length(payloadType);
		size += 1 + varint32Size(typeLen) + typeLen;
	}
	const payloadLen = payload == null ? 0 : payload.length;
	if (payload != null) size += 1 + varint32Size(payloadLen) + payloadLen;
	if (LogIDNew !== undefined) {
		logIdNewLen = utf8Length(LogIDNew);
		size += 1 + varint32Size(logIdNewLen) + logIdNewLen;
	}

	const buf = Buffer.allocUnsafe(size);
	buf[0] = TAG_SEQ_ID;
	let pos = writeVarint64(buf, 1, seqLo, seqHi);
	buf[pos++] = TAG_LOG_ID;
	pos = writeVarint64(buf, pos, logLo, logHi);
	buf[pos++] = TAG_SERVICE;
	pos = writeInt32(buf, pos, service);
	buf[pos++] = TAG_METHOD;
	pos = writeInt32(buf, pos, method);
	for (let i = 0; i < headerCount; i++) {
		const header = headers[i];
		const keyLen = stringBytes[2 * i];
		const valueLen = stringBytes[2 * i + 1];
		buf[pos++] = TAG_HEADER;
		pos = writeVarint32(buf, pos, 2 + varint32Size(keyLen) + keyLen + varint32Size(valueLen) + valueLen);
		buf[pos++] = TAG_KEY;
		pos = writeString(buf, pos, header.key, keyLen);
		buf[pos++] = TAG_VALUE;
		pos = writeString(buf, pos, header.value, valueLen);
	}
	if (payloadEncoding !== undefined) {
		buf[pos++] = TAG_PAYLOAD_ENCODING;
		pos = writeString(buf, pos, payloadEncoding, encodingLen);
	}
	if (payloadType !== undefined) {
		buf[pos++] = TAG_PAYLOAD_TYPE;
		pos = writeString(buf, pos, payloadType, typeLen);
	}
	if (payload != null) {
		buf[pos++] = TAG_PAYLOAD;
		pos = writeVarint32(buf, pos, payloadLen);
		if (payloadLen !== 0) buf.set(payload, pos);
		pos += payloadLen;
	}
	if (LogIDNew !== undefined) {
		buf[pos++] = TAG_LOG_ID_NEW;
		pos = writeString(buf, pos, LogIDNew, logIdNewLen);
	}
	// Never hand out uninitialised bytes (a getter answering differently the second time, say).
	if (pos !== size) throw new Error(`pbbp2 frame: wrote ${pos} bytes, expected ${size} (the frame changed while encoding)`);
	return buf;
}

// ---- decoding ----

// Cursor and high word of the last varint of the one decodeFrame call in progress (synchronous).
let pos = 0;
let varintHi = 0;

/** Reads a varint ending before `end`: returns its low 32 bits (unsigned), leaves the high 32 in varintHi. */
function readVarint(buf: Uint8Array, end: number): number {
	let p = pos;
	if (p >= end) throw new FrameDecodeError(`truncated varint at offset ${p}`);
	let b = buf[p++];
	if (b < 0x80) {
		pos = p;
		varintHi = 0;
		return b;
	}
	const start = p - 1;
	let lo = b & 0x7f;
	for (let shift = 7; shift < 28; shift += 7) {
		if (p >= end) throw new FrameDecodeError(`truncated varint at offset ${start}`);
		b = buf[p++];
		lo |= (b & 0x7f) << shift;
		if (b < 0x80) {
			pos = p;
			varintHi = 0;
			return lo;
		}
	}
	if (p >= end) throw new FrameDecodeError(`truncated varint at offset ${start}`);
	b = buf[p++];
	lo = (lo | ((b & 0x0f) << 28)) >>> 0;
	let hi = (b & 0x7f) >>> 4;
	if (b < 0x80) {
		pos = p;
		varintHi = hi;
		return lo;
	}
	// Bytes 6 to 10; of the 10th only the lowest bit fits in 64 (the rest is dropped, as protobufjs does).
	for (let shift = 3; shift < 32; shift += 7) {
		if (p >= end) throw new FrameDecodeError(`truncated varint at offset ${start}`);
		b = buf[p++];
		hi |= (b & 0x7f) << shift;
		if (b < 0x80) {
			pos = p;
			varintHi = hi >>> 0;
			return lo;
		}
	}
	throw new FrameDecodeError(`varint longer than 10 bytes at offset ${start}`);
}

/** Reads a length prefix and checks that many bytes remain before `end`. */
function readLength(buf: Uint8Array, end: number): number {
	const at = pos;
	const len = readVarint(buf, end);
	if (varintHi !== 0 || len > end - pos) {
		throw new FrameDecodeError(`length ${varintHi === 0 ? len : 'over 2^32'} at offset ${at} runs past the end (${end - pos} bytes left)`);
	}
	return len;
}

function readTag(buf: Uint8Array, end: number): number {
	const b = buf[pos];
	if (b >= 8 && b < 0x80) {
		pos++;
		return b;
	}
	const at = pos;
	const tag = readVarint(buf, end);
	if (varintHi !== 0 || tag < 8) throw new FrameDecodeError(`invalid field number ${varintHi === 0 ? tag >>> 3 : 'over 2^29'} at offset ${at}`);
	return tag;
}

// Buffer's own UTF-8 slice (what protobufjs reads strings with), without toString's argument checks.
type Utf8Sliceable = Buffer & { utf8Slice?(start: number, end: number): string };
const utf8Slice: (buf: Buffer, start: number, end: number) => string =
	typeof (Buffer.prototype as Utf8Sliceable).utf8Slice === 'function'
		? (buf, start, end) => (buf as Utf8Sliceable).utf8Slice!(start, end)
		: (buf, start, end) => buf.toString('utf8', start, end);

// Header keys and values nearly every frame carries, and one-byte ASCII strings ('0', '1'), are
// matched against their bytes and returned as constants instead of decoding a new string each time.
const COMMON_STRINGS = ['type', 'message_id', 'sum', 'seq', 'trace_id', 'biz_rt', 'event', 'card', 'ping', 'pong'];
const COMMON_BY_LENGTH: { bytes: Uint8Array[]; texts: string[] }[] = [];
for (let len = 0; len <= 10; len++) COMMON_BY_LENGTH.push({ bytes: [], texts: [] });
for (const text of COMMON_STRINGS) {
	COMMON_BY_LENGTH[text.length].bytes.push(Buffer.from(text, 'latin1'));
	COMMON_BY_LENGTH[text.length].texts.push(text);
}
const ASCII_CHARS: string[] = [];
for (let c = 0; c < 0x80; c++) ASCII_CHARS.push(String.fromCharCode(c));

function readString(buf: Buffer, end: number): string {
	const len = readLength(buf, end);
	const start = pos;
	pos = start + len;
	if (len === 0) return '';
	if (len === 1 && buf[start] < 0x80) return ASCII_CHARS[buf[start]];
	if (len < COMMON_BY_LENGTH.length) {
		const { bytes, texts } = COMMON_BY_LENGTH[len];
		next: for (let k = 0; k < bytes.length; k++) {
			const candidate = bytes[k];
			for (let i = 0; i < len; i++) if (buf[start + i] !== candidate[i]) continue next;
			return texts[k];
		}
	}
	return utf8Slice(buf, start, pos);
}

/** Skips a field not in the schema (wire types 0, 1, 2 and 5; groups are not supported). */
function skipField(buf: Uint8Array, tag: number, end: number, fields: string[], wireTypes: number[]): void {
	const field = tag >>> 3;
	const wireType = tag & 7;
	const at = pos;
	if (field < fields.length) {
		throw new FrameDecodeError(`field ${field} (${fields[field]}) with wire type ${wireType} instead of ${wireTypes[field]}, before offset ${at}`);
	}
	switch (wireType) {
		case 0:
			readVarint(buf, end);
			return;
		case 1:
			if (end - pos < 8) throw new FrameDecodeError(`truncated fixed64 field ${field} at offset ${at}`);
			pos += 8;
			return;
		case 2: {
			const len = readLength(buf, end); // not `pos += readLength()`: that adds to the old pos
			pos += len;
			return;
		}
		case 5:
			if (end - pos < 4) throw new FrameDecodeError(`truncated fixed32 field ${field} at offset ${at}`);
			pos += 4;
			return;
		case 3:
		case 4:
			throw new FrameDecodeError(`unsupported wire type ${wireType} (group) for field ${field} at offset ${at}`);
		default:
			throw new FrameDecodeError(`invalid wire type ${wireType} for field ${field} at offset ${at}`);
	}
}

function readHeader(buf: Buffer, end: number): FrameHeader {
	let key: string | undefined;
	let value: string | undefined;
	while (pos < end) {
		const tag = readTag(buf, end);
		if (tag === TAG_KEY) key = readString(buf, end);
		else if (tag === TAG_VALUE) value = readString(buf, end);
		else skipField(buf, tag, end, HEADER_FIELDS, HEADER_WIRE_TYPES);
	}
	if (key === undefined) throw new FrameDecodeError("missing required 'key'");
	if (value === undefined) throw new FrameDecodeError("missing required 'value'");
	return { key, value };
}

/** The decimal text of a uint64, exact (as Long#toString gives it). */
function uint64ToString(lo: number, hi: number): string {
	if (hi < 0x200000) return String(hi * TWO_32 + lo); // below 2^53: a double holds it exactly
	// Three 24-bit limbs regrouped into base-10^7 digits:
	// 2^24 = 1·10^7 + 6777216, 2^48 = 2·10^14 + 8147497·10^7 + 6710656.
	const low = lo & 0xffffff;
	const mid = ((lo >>> 24) | (hi << 8)) & 0xffffff;
	const high = hi >>> 16;
	let d0 = low + mid * 6777216 + high * 6710656;
	let d1 = mid + high * 8147497;
	let d2 = high * 2;
	if (d0 >= 1e7) {
		d1 += Math.floor(d0 / 1e7);
		d0 %= 1e7;
	}
	if (d1 >= 1e7) {
		d2 += Math.floor(d1 / 1e7);
		d1 %= 1e7;
	}
	// At least 2^53 > 10^14, so d2 is non-zero and the lower digits take leading zeros.
	return String(d2) + String(d1 + 1e7).slice(1) + String(d0 + 1e7).slice(1);
}

/**
 * Parses a frame in one pass: uint64 ids come back as exact decimal strings (so they echo back
 * exactly), the payload as a Buffer copy (it outlives the WebSocket message), absent optional fields
 * as absent keys, as protobufjs' toObject gives them. Malformed input throws FrameDecodeError.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
	if (!(bytes instanceof Uint8Array)) throw new FrameDecodeError(`expected bytes, got ${typeof bytes}`);
	const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const end = buf.length;
	const headers: FrameHeader[] = [];
	let seen = 0; // bit per required field
	let seqLo = 0;
	let seqHi = 0;
	let logLo = 0;
	let logHi = 0;
	let service = 0;
	let method = 0;
	let payloadEncoding: string | undefined;
	let payloadType: string | undefined;
	let payload: Buffer | undefined;
	let LogIDNew: string | undefined;
	pos = 0;
	while (pos < end) {
		const tag = readTag(buf, end);
		switch (tag) {
			case TAG_SEQ_ID:
				seqLo = readVarint(buf, end);
				seqHi = varintHi;
				seen |= 1;
				break;
			case TAG_LOG_ID:
				logLo = readVarint(buf, end);
				logHi = varintHi;
				seen |= 2;
				break;
			case TAG_SERVICE:
				service = readVarint(buf, end) | 0;
				seen |= 4;
				break;
			case TAG_METHOD:
				method = readVarint(buf, end) | 0;
				seen |= 8;
				break;
			case TAG_HEADER: {
				const len = readLength(buf, end);
				headers.push(readHeader(buf, pos + len));
				break;
			}
			case TAG_PAYLOAD_ENCODING:
				payloadEncoding = readString(buf, end);
				break;
			case TAG_PAYLOAD_TYPE:
				payloadType = readString(buf, end);
				break;
			case TAG_PAYLOAD: {
				const len = readLength(buf, end);
				const start = pos;
				pos = start + len;
				payload = len === 0 ? Buffer.alloc(0) : Buffer.from(buf.subarray(start, pos));
				break;
			}
			case TAG_LOG_ID_NEW:
				LogIDNew = readString(buf, end);
				break;
			default:
				skipField(buf, tag, end, FRAME_FIELDS, FRAME_WIRE_TYPES);
		}
	}
	if (seen !== 15) {
		const missing = (seen & 1) === 0 ? 'SeqID' : (seen & 2) === 0 ? 'LogID' : (seen & 4) === 0 ? 'service' : 'method';
		throw new FrameDecodeError(`missing required '${missing}'`);
	}
	// Keys in protobufjs' toObject order.
	const frame: Frame = { headers, SeqID: uint64ToString(seqLo, seqHi), LogID: uint64ToString(logLo, logHi), service, method };
	if (payloadEncoding !== undefined) frame.payloadEncoding = payloadEncoding;
	if (payloadType !== undefined) frame.payloadType = payloadType;
	if (payload !== undefined) frame.payload = payload;
	if (LogIDNew !== undefined) frame.LogIDNew = LogIDNew;
	return frame;
}

export function getHeader(frame: Pick<Frame, 'headers'>, key: string): string | undefined {
	return frame.headers.find((h) => h.key === key)?.value;
}

export function headersToObject(headers: FrameHeader[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const h of headers) out[h.key] = h.value;
	return out;
}

export function pingFrame(serviceId: number): Frame {
	return { SeqID: 0, LogID: 0, service: serviceId, method: FrameMethod.control, headers: [{ key: 'type', value: 'ping' }] };
}

export function pongFrame(serviceId: number, config?: object): Frame {
	return {
		SeqID: 0,
		LogID: 0,
		service: serviceId,
		method: FrameMethod.control,
		headers: [{ key: 'type', value: 'pong' }],
		payload: config ? Buffer.from(JSON.stringify(config)) : undefined,
	};
}

// The payload of nearly every ack; encoding only reads it, so one copy serves all.
const OK_ACK_PAYLOAD = Buffer.from(JSON.stringify({ code: 200 }));

/**
 * The ack for a data frame: the same frame echoed back with `biz_rt` appended and the payload
 * replaced by `{"code":200}` (or with `data`, base64 JSON, for callbacks that answer).
 */
export function ackFrame(received: Frame, opts: { code?: number; bizRtMs?: number; data?: unknown } = {}): Frame {
	const body: { code: number; data?: string } = { code: opts.code ?? 200 };
	if (opts.data !== undefined) body.data = Buffer.from(JSON.stringify(opts.data)).toString('base64');
	const payload = body.code === 200 && body.data === undefined ? OK_ACK_PAYLOAD : Buffer.from(JSON.stringify(body));
	return {
		...received,
		headers: [
			...received.headers.filter((h) => h.key !== 'biz_rt'),
			{ key: 'biz_rt', value: String(Math.max(0, Math.round(opts.bizRtMs ?? 0))) },
		],
		payload,
	};
}
