// CardKit (docs/protocol.md, "CardKit: card entities and streaming"): card entities an app creates from
// card JSON 2.0 and then changes by sequence-numbered operations (stream a text element's content, patch
// the settings, replace the whole card, add or delete components), and sends once as an interactive
// message `{"type":"card","data":{"card_id"}}`. The sandbox keeps each entity's current card and every
// operation on it, accepted or refused, with its time, sequence and code (GET /_sandbox/cardkit/cards/:card_id,
// GET /_sandbox/cardkit/rejections), and writes the card through to the message that shows it, so reading the
// message (the Open API, the chat page) gives the entity's current state.
import { cardComponentProblem } from './cardComponents';
import { sendJson, type RouteContext, type Router } from './http';
import { randomUint63 } from './ids';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { fieldViolation } from './paging';
import { ResourceStore } from './resourceStore';
import type { AppRecord, MessageRecord, SandboxState } from './state';

/** One operation on an entity, as the control API lists it. */
export interface CardOperation {
	at: number;
	/** create, content, settings, update, element_create, element_delete, send, streaming_timeout. */
	op: string;
	sequence: number | null;
	code: number;
	http_status: number;
	msg?: string;
	uuid?: string;
	element_id?: string;
	message_id?: string;
	/** content: the new text continues the old one (Feishu's client types only the new part). */
	appended?: boolean;
	/** A repeat of an accepted operation's uuid: answered, not applied again. */
	replay?: boolean;
}

export interface CardRejection extends CardOperation {
	card_id: string | null;
	app_id: string;
}

export interface CardEntity {
	cardId: string;
	appId: string;
	type: 'card_json' | 'template';
	/** The current card JSON (for a template, `{type: 'template', data}`). */
	card: Record<string, any>;
	createdAt: number;
	updatedAt: number;
	/** The last accepted operation's sequence; 0 before the first. */
	sequence: number;
	streaming: boolean;
	/** When streaming mode was last turned on (it closes itself `streamingTimeoutMs` later). */
	streamingSince?: number;
	streamingClosedBy?: 'settings' | 'update' | 'timeout';
	/** 200850 was answered once since the timeout; later calls get 300309 (third-party reports of Feishu). */
	timeoutAnswered?: boolean;
	/** The message it was sent as (an entity is sent once). */
	messageId?: string;
	/** uuid -> what the accepted operation was (op and body), for idempotent repeats. */
	uuids: Map<string, string>;
	/** When operations reached it within the last second (Feishu: at most 10 a second per card). */
	recent: number[];
	history: CardOperation[];
}

export interface CardKitOptions {
	/** Streaming mode closes itself this long after it was turned on (Feishu: 10 minutes). */
	streamingTimeoutMs: number;
	/** Card and element operations a second on one entity (Feishu: 10). */
	perCardPerSecond?: number;
}

const FAMILY = 'cardkit.sandbox';
const ENTITY_TTL_MS = 14 * 24 * 3600_000;
const CARD_BYTES = 30 * 1024;
const MAX_COMPONENTS = 200;
const ELEMENT_ID = /^[A-Za-z][A-Za-z0-9_]{0,19}$/;
const MAX_SEQUENCE = 2_147_483_647;
const HISTORY_MAX = 20_000;

/**
 * Feishu's CardKit codes with the descriptions its API pages give (HTTP 400 for all). The sandbox's
 * reason, where it adds one, follows after a colon.
 */
const CARD_ERRORS = {
	param: [10002, 'Your request contains an invalid request parameter.'],
	generate: [200220, 'Failed to generate card content'],
	notFound: [200740, 'The card entity does not exist'],
	expired: [200750, 'The card entity has expired'],
	uuidConflict: [200770, 'UUID conflict'],
	streamingTimeout: [200850, 'Card streaming timeout'],
	tooLarge: [200860, 'Card content exceeds limit.'],
	settingsFailed: [300122, 'Failed to update card configuration'],
	duplicateId: [300301, 'Duplicate element_id in card component.'],
	updateMulti: [300302, 'update_multi property is false'],
	schema: [300303, 'Only schema 2.0 is supported'],
	tooMany: [300305, 'The number of card components exceeds 200'],
	empty: [300307, 'The card DSL is empty'],
	streamingClosed: [300309, 'Card streaming closed'],
	onlyText: [300310, 'Only update text'],
	notYours: [300311, 'The current application does not have permission to update/use this card'],
	elementUpdate: [300313, 'Failed to update element properties'],
	elementDelete: [300314, 'Failed to delete element'],
	elementAdd: [300315, 'Failed to add element'],
	sequence: [300317, 'The sequence number for operating on the card did not increment consecutively'],
} as const satisfies Record<string, readonly [number, string]>;

export type CardErrorName = keyof typeof CARD_ERRORS;

function cardError(which: CardErrorName, detail?: string): ApiError {
	const [code, msg] = CARD_ERRORS[which];
	return new ApiError(400, code, detail ? `${msg}: ${detail}` : msg);
}

/** The message API's refusal of a card entity it cannot send (observed: 230099 with ErrCode 11310, "cardid is invalid"). */
function sendRefusal(errCode: number, errMsg: string, why: string): ApiError {
	return new ApiError(400, 230099, `Failed to create card content, ext=ErrCode: ${errCode}; ErrMsg: ${errMsg}; (sandbox: ${why})`);
}

/** The entities of the sandbox, kept in state.resources so POST /_sandbox/reset clears them with the rest. */
function families(state: SandboxState) {
	const store = new ResourceStore(state);
	return {
		cards: store.records(FAMILY, '*', { of: 'cards' }) as unknown as Map<string, CardEntity>,
		rejections: store.records(FAMILY, '*', { of: 'rejections' }) as unknown as Map<string, CardRejection>,
	};
}

export function cardEntities(state: SandboxState): Map<string, CardEntity> {
	return families(state).cards;
}

let rejectionCount = 0;

/** Records a refusal in the sandbox-wide list (and in the entity's history, when there is one). */
function addRejection(state: SandboxState, r: CardRejection, e?: CardEntity): void {
	const { rejections } = families(state);
	rejections.set(String(++rejectionCount), r);
	if (rejections.size > HISTORY_MAX) rejections.delete(rejections.keys().next().value as string);
	if (e) {
		const { card_id: _c, app_id: _a, ...op } = r;
		e.history.push(op);
		if (e.history.length > HISTORY_MAX) e.history.splice(0, e.history.length - HISTORY_MAX);
	}
}

function newCardId(state: SandboxState): string {
	const cards = cardEntities(state);
	for (;;) {
		// Feishu's are 19 decimal digits starting with 7 (e.g. 7355372766134157313).
		const id = `7${randomUint63().padStart(18, '0').slice(-18)}`;
		if (!cards.has(id)) return id;
	}
}

// ---- card JSON -------------------------------------------------------------------------------------

type Json = Record<string, any>;

interface Visit {
	el: Json;
	/** The array holding it (body.elements, a container's elements, columns...), if any. */
	list?: unknown[];
}

/** Every component of the card (an object with a `tag`) under its header and body, depth first. */
function components(card: Json): Visit[] {
	const out: Visit[] = [];
	const visit = (v: unknown, list?: unknown[]) => {
		if (Array.isArray(v)) {
			for (const item of v) visit(item, v);
			return;
		}
		if (!v || typeof v !== 'object') return;
		const obj = v as Json;
		if (typeof obj.tag === 'string') out.push({ el: obj, list });
		for (const [key, child] of Object.entries(obj)) {
			// Values of callbacks and URLs are data, not components.
			if (key === 'value' || key === 'behaviors' || key === 'form_value') continue;
			if (child && typeof child === 'object') visit(child);
		}
	};
	visit(card.header);
	visit(card.body);
	return out;
}

function findElement(card: Json, elementId: string): Visit | undefined {
	return components(card).find((c) => c.el.element_id === elementId);
}

/** Checks a card JSON 2.0 object as Create and Update do; throws Feishu's code for the first problem. */
function checkCard(card: Json): void {
	if (card.schema !== '2.0') throw cardError('schema', `the card must declare "schema": "2.0"`);
	if (card.config !== undefined && (typeof card.config !== 'object' || card.config === null || Array.isArray(card.config))) throw cardError('generate', '"config" must be an object');
	if (card.config?.update_multi === false) throw cardError('updateMulti');
	if (card.body !== undefined && (typeof card.body !== 'object' || card.body === null || !Array.isArray(card.body.elements))) throw cardError('generate', '"body.elements" must be an array');
	const all = components(card);
	if (all.length > MAX_COMPONENTS) throw cardError('tooMany', `${all.length} components`);
	const ids = new Set<string>();
	for (const { el } of all) {
		if (el.element_id === undefined) continue;
		if (typeof el.element_id !== 'string' || !ELEMENT_ID.test(el.element_id)) {
			throw cardError('generate', `element_id ${JSON.stringify(el.element_id)} must be letters, digits and "_", start with a letter, at most 20 characters`);
		}
		if (ids.has(el.element_id)) throw cardError('duplicateId', el.element_id);
		ids.add(el.element_id);
	}
	const problem = cardComponentProblem(card);
	if (problem) throw cardError('generate', problem);
	const bytes = Buffer.byteLength(JSON.stringify(card));
	if (bytes > CARD_BYTES) throw cardError('tooLarge', `${bytes} bytes, at most ${CARD_BYTES}`);
}

/** Parses a `data` string of card JSON: empty is 300307, not JSON 200220, then checkCard. */
function parseCardJson(data: string): Json {
	if (!data.trim()) throw cardError('empty');
	let card: unknown;
	try {
		card = JSON.parse(data);
	} catch {
		throw cardError('generate', 'the card data is not JSON');
	}
	if (card === null) throw cardError('empty');
	if (typeof card !== 'object' || Array.isArray(card)) throw cardError('generate', 'the card data must be a JSON object');
	checkCard(card as Json);
	return card as Json;
}

function parseTemplate(data: string): Json {
	let parsed: any;
	try {
		parsed = JSON.parse(data);
	} catch {
		throw cardError('generate', 'the template data is not JSON');
	}
	if (!parsed || typeof parsed !== 'object' || typeof parsed.template_id !== 'string' || !parsed.template_id) throw cardError('generate', 'template data needs a "template_id"');
	return { type: 'template', data: parsed };
}

// ---- request fields (Feishu's schema checks: 99992402 with field_violations) ----------------------

function stringField(b: Json, field: string, min: number, max: number, required = true): string | undefined {
	const v = b[field];
	if (v === undefined && !required) return undefined;
	if (typeof v !== 'string' || v.length < min || v.length > max) throw fieldViolation(field, `${field} is ${required ? 'required: ' : ''}a string of ${min} to ${max} characters`);
	return v;
}

function sequenceOf(b: Json): number {
	const s = b.sequence;
	if (!Number.isInteger(s) || s < 1 || s > MAX_SEQUENCE) throw fieldViolation('sequence', `sequence is required: an integer from 1 to ${MAX_SEQUENCE}`);
	return s;
}

function pathParam(ctx: RouteContext, name: string, max: number): string {
	const v = ctx.params[name] ?? '';
	if (v.length < 1 || v.length > max) throw fieldViolation(name, `${name} must be 1 to ${max} characters`);
	return v;
}

// ---- the API ---------------------------------------------------------------------------------------

interface OpResult {
	/** The card after the operation (a changed copy; committed only if the operation is accepted). */
	card?: Json;
	extra?: Partial<CardOperation>;
	/** Applied after the card is committed (streaming mode changes). */
	after?: (e: CardEntity) => void;
}

export function registerCardKitApi(router: Router, api: OpenApi, state: SandboxState, opts: CardKitOptions): void {
	const perSecond = opts.perCardPerSecond ?? 10;

	const history = (e: CardEntity, op: CardOperation) => {
		e.history.push(op);
		if (e.history.length > HISTORY_MAX) e.history.splice(0, e.history.length - HISTORY_MAX);
	};

	const reject = (app: AppRecord, cardId: string | null, e: CardEntity | undefined, op: Omit<CardOperation, 'at' | 'code' | 'http_status' | 'msg'>, error: ApiError) => {
		addRejection(state, { at: Date.now(), ...op, code: error.code, http_status: error.httpStatus, msg: error.message, card_id: cardId, app_id: app.appId }, e);
	};

	/** The entity's message shows its current card. */
	const writeThrough = (e: CardEntity) => {
		const m = e.messageId ? state.messages.get(e.messageId) : undefined;
		if (!m || m.deleted) return;
		m.content = JSON.stringify(e.card);
		m.updateTime = Date.now();
	};

	/** Streaming mode on or off; turning it on (again) restarts its 10 minutes, an update that keeps it on does not. */
	const setStreaming = (e: CardEntity, on: boolean, by: 'settings' | 'update') => {
		if (on && e.streaming && by === 'update') return;
		if (on) {
			const turnedOnAt = Date.now();
			e.streaming = true;
			e.streamingSince = turnedOnAt;
			e.streamingClosedBy = undefined;
			e.timeoutAnswered = undefined;
			// The chat page sees the close too, not only the next operation.
			setTimeout(() => {
				if (e.streaming && e.streamingSince === turnedOnAt) streamingNow(e);
			}, opts.streamingTimeoutMs + 5).unref();
		} else if (e.streaming || e.streamingClosedBy === 'timeout') {
			// Closing it after the timeout closed it too: the app's close is the one that counts now (300309, not 200850).
			e.streaming = false;
			e.streamingClosedBy = by;
		}
	};

	/** Whether streaming mode is on now; closes it when its time is up (Feishu: 10 minutes after it was turned on). */
	const streamingNow = (e: CardEntity): boolean => {
		if (e.streaming && e.streamingSince !== undefined && Date.now() - e.streamingSince >= opts.streamingTimeoutMs) {
			e.streaming = false;
			e.streamingClosedBy = 'timeout';
			if (e.card.config && typeof e.card.config === 'object') e.card.config.streaming_mode = false;
			history(e, { at: Date.now(), op: 'streaming_timeout', sequence: null, code: 0, http_status: 200 });
			writeThrough(e);
		}
		return e.streaming;
	};

	const lookup = (app: AppRecord, cardId: string): CardEntity => {
		const e = cardEntities(state).get(cardId);
		if (!e) throw cardError('notFound');
		if (e.appId !== app.appId) throw cardError('notYours');
		if (Date.now() - e.createdAt > ENTITY_TTL_MS) throw cardError('expired');
		return e;
	};

	/** At most `perSecond` operations on one entity in any second; the ones refused here do not count. */
	const perCardLimit = (e: CardEntity) => {
		const now = Date.now();
		while (e.recent.length && e.recent[0] <= now - 1000) e.recent.shift();
		if (e.recent.length >= perSecond) {
			const reset = Math.max(1, Math.ceil((e.recent[0] + 1000 - now) / 1000));
			throw new ApiError(429, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(perSecond), 'x-ogw-ratelimit-reset': String(reset) });
		}
		e.recent.push(now);
	};

	/**
	 * One card or element operation: field checks, the entity (200740, 300311, 200750), the rate limits
	 * (the app's per-API limit, Feishu's 50/s and 1000/min like im/v1/messages, while the card is not
	 * streaming: the card JSON page says streaming-mode calls do not count; 10/s per card always), a repeated uuid
	 * (answered again, or 200770 for a different operation), the sequence (300317), then `apply`, whose
	 * changed card is checked for size before it replaces the entity's. A refused operation changes
	 * nothing, not even the card's sequence.
	 */
	const cardOp = (method: string, path: string, op: string, apply: (e: CardEntity, b: Json, ctx: ApiContext) => OpResult) => {
		api.route(router, method, path, async (ctx) => {
			const b: Json = await ctx.json();
			const cardId = ctx.params.card_id ?? null;
			const logged: Omit<CardOperation, 'at' | 'code' | 'http_status' | 'msg'> = {
				op,
				sequence: typeof b.sequence === 'number' ? b.sequence : null,
				...(typeof b.uuid === 'string' ? { uuid: b.uuid } : {}),
				...(ctx.params.element_id ? { element_id: ctx.params.element_id } : {}),
			};
			let e: CardEntity | undefined;
			try {
				pathParam(ctx, 'card_id', 20);
				const sequence = sequenceOf(b);
				const uuid = stringField(b, 'uuid', 1, 64, false);
				e = lookup(ctx.app, cardId!);
				if (!streamingNow(e)) api.rateLimit(ctx.app, `cardkit.${op}`);
				perCardLimit(e);
				const fingerprint = JSON.stringify([op, ctx.params, b]);
				const seen = uuid === undefined ? undefined : e.uuids.get(uuid);
				if (seen !== undefined) {
					if (seen !== fingerprint) throw cardError('uuidConflict', `uuid "${uuid}" was used for another operation on this card`);
					history(e, { at: Date.now(), ...logged, code: 0, http_status: 200, replay: true });
					return { data: {} };
				}
				if (sequence <= e.sequence) throw cardError('sequence', `sequence ${sequence} is not greater than the card's last, ${e.sequence}`);
				const result = apply(e, b, ctx);
				if (result.card) {
					const bytes = Buffer.byteLength(JSON.stringify(result.card));
					if (bytes > CARD_BYTES) throw cardError('tooLarge', `${bytes} bytes, at most ${CARD_BYTES}`);
					e.card = result.card;
				}
				result.after?.(e);
				e.sequence = sequence;
				e.updatedAt = Date.now();
				if (uuid !== undefined) e.uuids.set(uuid, fingerprint);
				history(e, { at: Date.now(), ...logged, code: 0, http_status: 200, ...result.extra });
				writeThrough(e);
				return { data: {} };
			} catch (error) {
				if (error instanceof ApiError) reject(ctx.app, cardId, e, logged, error);
				throw error;
			}
		});
	};

	// Create card entity: {type: card_json | template, data: the card as a JSON string} -> {card_id}.
	api.route(router, 'POST', '/open-apis/cardkit/v1/cards', async (ctx) => {
		const b: Json = await ctx.json();
		try {
			const type = stringField(b, 'type', 1, 50)!;
			const data = stringField(b, 'data', 1, 3_000_000)!;
			api.rateLimit(ctx.app, 'cardkit.create');
			if (type !== 'card_json' && type !== 'template') throw cardError('param', `type must be "card_json" or "template", not "${type}"`);
			const card = type === 'card_json' ? parseCardJson(data) : parseTemplate(data);
			const now = Date.now();
			const e: CardEntity = { cardId: newCardId(state), appId: ctx.app.appId, type, card, createdAt: now, updatedAt: now, sequence: 0, streaming: false, uuids: new Map(), recent: [], history: [] };
			if (type === 'card_json' && card.config?.streaming_mode === true) setStreaming(e, true, 'update');
			cardEntities(state).set(e.cardId, e);
			history(e, { at: now, op: 'create', sequence: null, code: 0, http_status: 200 });
			return { data: { card_id: e.cardId } };
		} catch (error) {
			if (error instanceof ApiError) reject(ctx.app, null, undefined, { op: 'create', sequence: null }, error);
			throw error;
		}
	});

	// Stream text: the full new text of a plain_text or markdown element, while streaming mode is on.
	cardOp('PUT', '/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content', 'content', (e, b, ctx) => {
		// The page allows 1 to 64 characters here (a card's own element_ids are at most 20; a longer one is simply not found).
		const elementId = pathParam(ctx, 'element_id', 64);
		const content = stringField(b, 'content', 1, 100_000)!;
		if (!e.streaming) {
			// The first call after the timeout learns why (200850); the ones after it that streaming is closed.
			if (e.streamingClosedBy === 'timeout' && !e.timeoutAnswered) {
				e.timeoutAnswered = true;
				throw cardError('streamingTimeout');
			}
			throw cardError('streamingClosed');
		}
		const card = structuredClone(e.card);
		const found = findElement(card, elementId);
		if (!found) throw cardError('elementUpdate', `not find elementID: ${elementId}`);
		if (found.el.tag !== 'plain_text' && found.el.tag !== 'markdown') throw cardError('onlyText', `element "${elementId}" is a ${found.el.tag}`);
		const before = typeof found.el.content === 'string' ? found.el.content : '';
		found.el.content = content;
		return { card, extra: { appended: content.startsWith(before) } };
	});

	// Update card settings: {settings: JSON string with config and/or card_link} merged into the card.
	cardOp('PATCH', '/open-apis/cardkit/v1/cards/:card_id/settings', 'settings', (e, b) => {
		const raw = stringField(b, 'settings', 1, 100_000)!;
		let settings: any;
		try {
			settings = JSON.parse(raw);
		} catch {
			throw cardError('generate', 'settings is not JSON');
		}
		if (!settings || typeof settings !== 'object' || Array.isArray(settings)) throw cardError('settingsFailed', 'settings must be a JSON object with "config" and/or "card_link"');
		for (const key of ['config', 'card_link']) {
			if (settings[key] !== undefined && (typeof settings[key] !== 'object' || settings[key] === null || Array.isArray(settings[key]))) throw cardError('settingsFailed', `"${key}" must be an object`);
		}
		if (settings.config?.update_multi === false) throw cardError('updateMulti');
		if (settings.config?.streaming_mode !== undefined && typeof settings.config.streaming_mode !== 'boolean') throw cardError('settingsFailed', '"streaming_mode" must be a boolean');
		const card = structuredClone(e.card);
		if (settings.config) card.config = { ...(card.config ?? {}), ...settings.config };
		if (settings.card_link) card.card_link = settings.card_link;
		const streaming = settings.config?.streaming_mode;
		return { card, after: streaming === undefined ? undefined : (x) => setStreaming(x, streaming, 'settings') };
	});

	// Full update: {card: {type: 'card_json', data}} replaces the card, its config (streaming mode) included.
	cardOp('PUT', '/open-apis/cardkit/v1/cards/:card_id', 'update', (_e, b) => {
		const card = b.card;
		if (!card || typeof card !== 'object' || Array.isArray(card)) throw fieldViolation('card', 'card is required: {type: "card_json", data}');
		if (card.type !== 'card_json') throw fieldViolation('card.type', 'card.type must be "card_json"');
		const data = stringField(card, 'data', 1, 1_000_000);
		const next = parseCardJson(data!);
		return {
			card: next,
			after: (x) => {
				// A template entity replaced by card JSON is card JSON from now on (components can then be added to it).
				x.type = 'card_json';
				setStreaming(x, next.config?.streaming_mode === true, 'update');
			},
		};
	});

	// Add components: {type: insert_before | insert_after | append, target_element_id?, elements: JSON array string}.
	cardOp('POST', '/open-apis/cardkit/v1/cards/:card_id/elements', 'element_create', (e, b) => {
		const type = b.type;
		if (type !== 'insert_before' && type !== 'insert_after' && type !== 'append') throw fieldViolation('type', 'type is required: insert_before, insert_after or append');
		const target = stringField(b, 'target_element_id', 0, 20, false) || undefined;
		const raw = stringField(b, 'elements', 1, 1_000_000)!;
		let added: unknown;
		try {
			added = JSON.parse(raw);
		} catch {
			throw cardError('generate', 'elements is not JSON');
		}
		if (!Array.isArray(added) || added.length === 0 || added.some((x) => !x || typeof x !== 'object' || typeof (x as Json).tag !== 'string')) {
			throw cardError('elementAdd', 'elements must be a JSON array of components, each with a "tag"');
		}
		if (e.type !== 'card_json') throw cardError('schema', 'components can be added to card JSON 2.0 entities only');
		const card = structuredClone(e.card);
		card.body ??= { elements: [] };
		if (!Array.isArray(card.body.elements)) card.body.elements = [];
		if (type === 'append') {
			const list = target === undefined ? card.body.elements : findElement(card, target)?.el.elements;
			if (!Array.isArray(list)) throw cardError('elementAdd', target === undefined ? 'no body' : `"${target}" is not a container with "elements"`);
			list.push(...(added as Json[]));
		} else {
			if (target === undefined) throw cardError('elementAdd', `${type} needs a target_element_id`);
			const found = findElement(card, target);
			if (!found?.list) throw cardError('elementAdd', `not find elementID: ${target}`);
			const at = found.list.indexOf(found.el) + (type === 'insert_after' ? 1 : 0);
			found.list.splice(at, 0, ...(added as Json[]));
		}
		checkCard(card);
		return { card };
	});

	// Delete a component (a container with everything in it).
	cardOp('DELETE', '/open-apis/cardkit/v1/cards/:card_id/elements/:element_id', 'element_delete', (e, _b, ctx) => {
		const elementId = pathParam(ctx, 'element_id', 64);
		const card = structuredClone(e.card);
		const found = findElement(card, elementId);
		if (!found) throw cardError('elementDelete', `not find elementID: ${elementId}`);
		if (!found.list) throw cardError('elementDelete', `"${elementId}" is part of another component`);
		found.list.splice(found.list.indexOf(found.el), 1);
		return { card };
	});

	// ---- control: what tests read ----
	// ?app_id=, ?message_id=, ?chat_id= (the entities shown in that chat: how the chat page learns which cards are streaming).
	router.add('GET', '/_sandbox/cardkit/cards', (ctx) => {
		const appId = ctx.query.get('app_id');
		const messageId = ctx.query.get('message_id');
		const chatId = ctx.query.get('chat_id');
		const shownIn = (e: CardEntity) => (e.messageId ? state.messages.get(e.messageId)?.chatId : undefined);
		const cards = [...cardEntities(state).values()]
			.filter((e) => (!appId || e.appId === appId) && (!messageId || e.messageId === messageId) && (!chatId || shownIn(e) === chatId))
			.map((e) => entityJson(e, streamingNow(e), false));
		sendJson(ctx.res, 200, { cards });
	});
	router.add('GET', '/_sandbox/cardkit/cards/:card_id', (ctx) => {
		const e = cardEntities(state).get(ctx.params.card_id);
		if (!e) return sendJson(ctx.res, 404, { ok: false, error: `unknown card entity ${ctx.params.card_id}` });
		sendJson(ctx.res, 200, entityJson(e, streamingNow(e), true));
	});
	router.add('GET', '/_sandbox/cardkit/rejections', (ctx) => {
		const cardId = ctx.query.get('card_id');
		const appId = ctx.query.get('app_id');
		const code = ctx.query.get('code');
		const rejections = [...families(state).rejections.values()].filter((r) => (!cardId || r.card_id === cardId) && (!appId || r.app_id === appId) && (!code || String(r.code) === code));
		sendJson(ctx.res, 200, { rejections });
	});
}

function entityJson(e: CardEntity, streaming: boolean, withHistory: boolean) {
	return {
		card_id: e.cardId,
		app_id: e.appId,
		type: e.type,
		card: e.card,
		streaming_mode: streaming,
		streaming_closed_by: e.streamingClosedBy ?? null,
		sequence: e.sequence,
		message_id: e.messageId ?? null,
		created_at: e.createdAt,
		updated_at: e.updatedAt,
		...(withHistory ? { history: e.history } : { operations: e.history.length }),
	};
}

// ---- sending it (imApi.ts, content.ts) -------------------------------------------------------------

/**
 * `interactive` content `{"type": "card", "data": {"card_id"}}`: the entity must exist and be the sending
 * app's. Returns the card to store (the entity's current state). Whether it was sent already is checked
 * when the message is made (`sendCardEntity`), so a repeated uuid still answers with the first message.
 */
export function cardEntityForMessage(state: SandboxState, app: AppRecord, parsed: Json): { content: string; cardId: string } {
	const cardId = parsed.data?.card_id;
	if (typeof cardId !== 'string' || !cardId) {
		throw new ApiError(400, 230001, 'Your request contains an invalid request parameter, ext=a card entity reference is {"type":"card","data":{"card_id":"..."}}');
	}
	const e = cardEntities(state).get(cardId);
	const refuse = (error: ApiError) => {
		addRejection(state, { at: Date.now(), op: 'send', sequence: null, code: error.code, http_status: error.httpStatus, msg: error.message, card_id: cardId, app_id: app.appId }, e);
		return error;
	};
	if (!e) throw refuse(sendRefusal(11310, 'cardid is invalid', `no card entity ${cardId}`));
	if (e.appId !== app.appId) throw refuse(sendRefusal(300311, CARD_ERRORS.notYours[1], `card entity ${cardId} was created by another app; only its creator may send it`));
	if (Date.now() - e.createdAt > ENTITY_TTL_MS) throw refuse(sendRefusal(200750, CARD_ERRORS.expired[1], 'card entities last 14 days'));
	return { content: JSON.stringify(e.card), cardId };
}

/** Makes the message showing the entity (`send`), once per entity: a second send is refused like an invalid card id. */
export function sendCardEntity(state: SandboxState, app: AppRecord, cardId: string, send: () => MessageRecord): MessageRecord {
	const e = cardEntities(state).get(cardId)!;
	if (e.messageId) {
		const error = sendRefusal(11310, 'cardid is invalid', `card entity ${cardId} was sent already, as ${e.messageId}; an entity is sent once`);
		addRejection(state, { at: Date.now(), op: 'send', sequence: null, code: error.code, http_status: error.httpStatus, msg: error.message, card_id: cardId, app_id: app.appId }, e);
		throw error;
	}
	const m = send();
	e.messageId = m.messageId;
	m.content = JSON.stringify(e.card);
	e.history.push({ at: Date.now(), op: 'send', sequence: null, code: 0, http_status: 200, message_id: m.messageId });
	return m;
}
