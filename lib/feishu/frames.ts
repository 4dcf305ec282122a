// The long connection's wire format: every WebSocket message is one binary protobuf `pbbp2.Frame`
// (proto2). See shared docs/feishu-protocol.md §3. Used by the gateway client and by the sandbox.
import * as protobuf from 'protobufjs/light';

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

const FrameType_ = root.lookupType('pbbp2.Frame');

export class FrameDecodeError extends Error {
	constructor(message: string) {
		super(`Invalid pbbp2 frame: ${message}`);
		this.name = 'FrameDecodeError';
	}
}

/** Serialises a frame. uint64 ids are kept exact (decimal strings or bigint accepted). */
export function encodeFrame(frame: Frame): Uint8Array {
	// encode() takes the plain object as is (uint64 as decimal strings): no fromObject copy needed.
	return FrameType_.encode({
		...frame,
		SeqID: String(frame.SeqID),
		LogID: String(frame.LogID),
		headers: frame.headers ?? [],
	}).finish();
}

/** Parses a frame; uint64 ids come back as decimal strings so they echo back exactly. */
export function decodeFrame(bytes: Uint8Array): Frame {
	let message: protobuf.Message;
	try {
		message = FrameType_.decode(bytes);
	} catch (error) {
		throw new FrameDecodeError((error as Error).message);
	}
	const obj = FrameType_.toObject(message, { longs: String, bytes: Buffer, defaults: false, arrays: true }) as Frame;
	if (!Array.isArray(obj.headers)) obj.headers = [];
	return obj;
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
