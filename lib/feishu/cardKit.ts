// CardKit card entities (docs/protocol.md, "CardKit: card entities and streaming"): a card JSON 2.0 created
// once as an entity, sent as an interactive message `{"type":"card","data":{"card_id"}}`, then changed by
// operations that each carry a strictly rising `sequence` (300317 otherwise) and an optional `uuid` that
// makes a repeat of the same operation harmless. Feishu allows 10 operations a second per card.
import { randomUUID } from 'node:crypto';
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import type { FeishuMessage } from './messages';
import { pathId, seg } from './paths';

const CARDS = '/open-apis/cardkit/v1/cards';

/** Feishu's largest sequence (an int32). */
export const CARD_SEQUENCE_MAX = 2_147_483_647;

/** The fields every card operation carries. */
export interface CardOperationParams {
	cardId: string;
	/** Greater than the card's last accepted one. */
	sequence: number;
	/** Idempotency key (1..64 characters): a repeat with the same uuid is answered, not applied again. */
	uuid?: string;
}

const cardPath = (cardId: string) => `${CARDS}/${seg(pathId('card_id', cardId))}`;

function operation(p: CardOperationParams): { sequence: number; uuid?: string } {
	if (!Number.isInteger(p.sequence) || p.sequence < 1 || p.sequence > CARD_SEQUENCE_MAX) {
		throw new FeishuValidationError('sequence', `should be an integer from 1 to ${CARD_SEQUENCE_MAX} (got ${p.sequence})`);
	}
	if (p.uuid !== undefined && (typeof p.uuid !== 'string' || p.uuid.length < 1 || p.uuid.length > 64)) {
		throw new FeishuValidationError('uuid', 'should be a string of 1 to 64 characters');
	}
	return { sequence: p.sequence, ...(p.uuid !== undefined ? { uuid: p.uuid } : {}) };
}

function cardJson(field: string, card: object): string {
	if (!card || typeof card !== 'object' || Array.isArray(card)) throw new FeishuValidationError(field, 'should be a card JSON 2.0 object');
	return JSON.stringify(card);
}

/** Creates a card entity from card JSON 2.0; resolves to its card_id. */
export async function createCardEntity(client: FeishuApiClient, card: object): Promise<string> {
	const data = cardJson('card', card);
	const res = await client.request<{ card_id?: string }>({ method: 'POST', path: CARDS, body: { type: 'card_json', data } });
	if (typeof res?.card_id !== 'string' || !res.card_id) throw new FeishuValidationError('card_id', 'missing from the Create card answer');
	return res.card_id;
}

/**
 * Sets the full text of a markdown or plain_text element while the card streams. Feishu's client types
 * the part that continues the previous text and redraws the rest at once.
 */
export async function streamElementContent(client: FeishuApiClient, p: CardOperationParams & { elementId: string; content: string }): Promise<void> {
	const elementId = pathId('element_id', p.elementId);
	if (typeof p.content !== 'string' || p.content === '') throw new FeishuValidationError('content', 'should be a non-empty string');
	await client.request({
		method: 'PUT',
		path: `${cardPath(p.cardId)}/elements/${seg(elementId)}/content`,
		body: { content: p.content, ...operation(p) },
	});
}

/** Merges `settings` ({config?, card_link?}) into the card; `config.streaming_mode: false` ends streaming. */
export async function patchCardSettings(client: FeishuApiClient, p: CardOperationParams & { settings: object }): Promise<void> {
	const settings = cardJson('settings', p.settings);
	await client.request({ method: 'PATCH', path: `${cardPath(p.cardId)}/settings`, body: { settings, ...operation(p) } });
}

/** Replaces the whole card (its config, streaming mode included). */
export async function updateCardEntity(client: FeishuApiClient, p: CardOperationParams & { card: object }): Promise<void> {
	const data = cardJson('card', p.card);
	await client.request({ method: 'PUT', path: cardPath(p.cardId), body: { card: { type: 'card_json', data }, ...operation(p) } });
}

/** The `interactive` message content that shows a card entity (a string, as the send API takes it). */
export function cardEntityContent(cardId: string): string {
	return JSON.stringify({ type: 'card', data: { card_id: pathId('card_id', cardId) } });
}

/**
 * Replies to a message with a card entity (an entity is sent once). Not through messages.ts's
 * replyMessage: its content check wants a card body and refuses the entity reference.
 */
export async function replyCardEntity(
	client: FeishuApiClient,
	p: { messageId: string; cardId: string; replyInThread?: boolean; uuid?: string },
): Promise<FeishuMessage> {
	const messageId = pathId('message_id', p.messageId);
	if (p.uuid !== undefined && (typeof p.uuid !== 'string' || p.uuid.length < 1 || p.uuid.length > 50)) {
		throw new FeishuValidationError('uuid', 'should be a string of 1 to 50 characters');
	}
	return client.request({
		method: 'POST',
		path: `/open-apis/im/v1/messages/${seg(messageId)}/reply`,
		// The uuid makes the client's retry after a reset safe (the reply is made once).
		body: { msg_type: 'interactive', content: cardEntityContent(p.cardId), ...(p.replyInThread ? { reply_in_thread: true } : {}), uuid: p.uuid ?? randomUUID() },
	});
}
