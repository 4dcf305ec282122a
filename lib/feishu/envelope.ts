// The minimum every transport (long connection, webhook) needs to know about an event payload:
// its schema, its id for deduplication and its type for routing. See docs/protocol.md, "Event envelopes".
import { isObject } from './values';

export interface FeishuEnvelope {
	schema: '2.0' | '1.0';
	/** `header.event_id` (2.0) or `uuid` (1.0): the deduplication key. */
	eventId?: string;
	/** `header.event_type` (2.0) or `event.type` (1.0): the routing key. */
	eventType?: string;
	/** The payload exactly as Feishu sent it. */
	raw: any;
}

export class FeishuEnvelopeError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FeishuEnvelopeError';
	}
}

function nonEmptyString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

export function parseEnvelope(payload: unknown): FeishuEnvelope {
	if (!isObject(payload)) throw new FeishuEnvelopeError('Feishu event payload is not a JSON object');
	// Schema 2.0 carries a `header` object; 1.0 ("event_callback") carries `uuid` and `event.type`.
	if (payload.schema === '2.0' || isObject(payload.header)) {
		const header = isObject(payload.header) ? payload.header : {};
		return {
			schema: '2.0',
			eventId: nonEmptyString(header.event_id),
			eventType: nonEmptyString(header.event_type),
			raw: payload,
		};
	}
	const event = isObject(payload.event) ? payload.event : {};
	return {
		schema: '1.0',
		eventId: nonEmptyString(payload.uuid),
		eventType: nonEmptyString(event.type),
		raw: payload,
	};
}

// Callbacks expect an answer in the ack (card actions, link previews); plain events do not.
const CALLBACK_EVENT_TYPES = new Set(['card.action.trigger', 'card.action.trigger_v1', 'url.preview.get']);

export function isCallbackEventType(eventType?: string): boolean {
	return eventType !== undefined && CALLBACK_EVENT_TYPES.has(eventType);
}
