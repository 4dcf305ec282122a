// A group announcement's document in Feishu's old Docs format (docs/protocol.md, "Chat announcement"),
// as far as the sandbox models it: a title and a body of blocks in zone "0", each block's place given
// by `location` {zoneId, startIndex, endIndex} in UTF-16 code units, and the batch-update requests
// that edit it (UpdateTitle, InsertBlocks, DeleteContentRange over whole blocks). The index layout is
// the sandbox's own reading of Feishu's data-structure page: the title line [0, T) and its line break,
// then each block [start, start + length) followed by one line break.

/** A refused edit: the sandbox's reason (the API wraps it in 232001 or 232018). */
export class DocEditError extends Error {
	constructor(
		readonly kind: 'invalidParam' | 'updateFailed',
		message: string,
	) {
		super(message);
	}
}

type Json = Record<string, unknown>;

export interface OldDoc {
	title?: Json;
	blocks: Json[];
	/** Top-level fields other than title and body, kept as they were. */
	rest: Json;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A document from an announcement's `content` (anything unreadable counts as an empty document). */
export function parseDoc(content: string): OldDoc {
	let parsed: unknown;
	try {
		parsed = content ? JSON.parse(content) : {};
	} catch {
		parsed = {};
	}
	const doc = isObject(parsed) ? parsed : {};
	const { title, body, ...rest } = doc;
	const blocks = isObject(body) && Array.isArray(body.blocks) ? body.blocks.filter(isObject) : [];
	return { title: isObject(title) ? title : undefined, blocks: blocks.map((b) => structuredClone(b)), rest };
}

function elementsLength(elements: unknown): number {
	if (!Array.isArray(elements)) return 0;
	let n = 0;
	for (const el of elements) {
		const text = isObject(el) && isObject(el.textRun) ? el.textRun.text : undefined;
		// Text runs count their UTF-16 length; any other inline element (a mention, a link card) one.
		n += typeof text === 'string' ? text.length : 1;
	}
	return n;
}

/** A block's length: a paragraph's text; any other block (table, line, sheet) one unit. */
function blockLength(block: Json): number {
	const inner = block[String(block.type)];
	if (block.type === 'paragraph' && isObject(inner)) return elementsLength(inner.elements);
	return 1;
}

interface Placed {
	block: Json;
	start: number;
	end: number;
}

function layout(doc: OldDoc): { titleEnd: number; placed: Placed[]; bodyEnd: number } {
	const titleEnd = doc.title ? elementsLength(doc.title.elements) : 0;
	let at = titleEnd + 1;
	const placed: Placed[] = [];
	for (const block of doc.blocks) {
		const len = blockLength(block);
		placed.push({ block, start: at, end: at + len });
		at += len + 1;
	}
	return { titleEnd, placed, bodyEnd: at };
}

/** The document as `content`, with every title and block location filled in. */
export function serializeDoc(doc: OldDoc): string {
	const { titleEnd, placed } = layout(doc);
	const out: Json = { ...doc.rest };
	if (doc.title) out.title = { ...doc.title, location: { zoneId: '0', startIndex: 0, endIndex: titleEnd } };
	out.body = {
		blocks: placed.map(({ block, start, end }) => {
			const type = String(block.type);
			const inner = block[type];
			const location = { zoneId: '0', startIndex: start, endIndex: end };
			return isObject(inner) ? { ...block, [type]: { ...inner, location } } : { ...block, location };
		}),
	};
	return JSON.stringify(out);
}

function payloadOf(request: Json, field: string): Json {
	const inner = request[field];
	if (!isObject(inner) || typeof inner.payload !== 'string') throw new DocEditError('invalidParam', `${field}.payload must be a string of JSON`);
	try {
		const payload = JSON.parse(inner.payload);
		if (isObject(payload)) return payload;
	} catch {
		// fall through
	}
	throw new DocEditError('invalidParam', `${field}.payload is not a JSON object`);
}

function checkBlocks(blocks: unknown): Json[] {
	if (!Array.isArray(blocks) || blocks.length === 0) throw new DocEditError('updateFailed', 'insertBlocksRequest.payload needs "blocks", a non-empty list');
	return blocks.map((b, i) => {
		if (!isObject(b) || typeof b.type !== 'string' || !isObject(b[b.type])) throw new DocEditError('updateFailed', `blocks[${i}] needs a "type" and an object of that name`);
		if (b.type === 'paragraph') {
			const elements = (b.paragraph as Json).elements;
			if (!Array.isArray(elements)) throw new DocEditError('updateFailed', `blocks[${i}].paragraph needs "elements"`);
			elements.forEach((el, j) => {
				if (!isObject(el) || typeof el.type !== 'string') throw new DocEditError('updateFailed', `blocks[${i}].paragraph.elements[${j}] needs a "type"`);
				if (el.type === 'textRun' && !(isObject(el.textRun) && typeof el.textRun.text === 'string')) throw new DocEditError('updateFailed', `blocks[${i}].paragraph.elements[${j}] needs textRun.text`);
			});
		}
		return structuredClone(b);
	});
}

/** Applies one serialized batch-update request to `doc` (in place). */
function apply(doc: OldDoc, raw: unknown, n: number): void {
	if (typeof raw !== 'string') throw new DocEditError('invalidParam', `requests[${n}] must be a string of JSON`);
	let request: unknown;
	try {
		request = JSON.parse(raw);
	} catch {
		throw new DocEditError('invalidParam', `requests[${n}] is not JSON`);
	}
	if (!isObject(request) || typeof request.requestType !== 'string') throw new DocEditError('invalidParam', `requests[${n}] needs a "requestType"`);
	switch (request.requestType) {
		case 'UpdateTitleRequestType': {
			const title = payloadOf(request, 'updateTitleRequest');
			if (!Array.isArray(title.elements)) throw new DocEditError('updateFailed', 'updateTitleRequest.payload needs "elements"');
			doc.title = title;
			return;
		}
		case 'InsertBlocksRequestType': {
			const blocks = checkBlocks(payloadOf(request, 'insertBlocksRequest').blocks);
			const location = (request.insertBlocksRequest as Json).location;
			if (!isObject(location) || location.zoneId !== '0') throw new DocEditError('updateFailed', 'insertBlocksRequest.location needs zoneId "0" (the sandbox models the body zone only)');
			const { placed, bodyEnd } = layout(doc);
			let at: number;
			if (location.endOfZone === true) at = doc.blocks.length;
			else if (location.startOfZone === true) at = 0;
			else {
				const index = location.index;
				at = placed.findIndex((p) => p.start === index);
				if (at < 0 && index === bodyEnd) at = doc.blocks.length;
				if (at < 0) throw new DocEditError('updateFailed', `insertBlocksRequest.location.index ${String(index)} is not the start of a block (the sandbox inserts blocks only before a block or at the zone's ends)`);
			}
			doc.blocks.splice(at, 0, ...blocks);
			return;
		}
		case 'DeleteContentRangeRequestType': {
			const inner = request.deleteContentRangeRequest;
			const range = isObject(inner) ? inner.deleteRange : undefined;
			if (!isObject(range) || range.zoneId !== '0' || typeof range.startIndex !== 'number' || typeof range.endIndex !== 'number') {
				throw new DocEditError('invalidParam', 'deleteContentRangeRequest.deleteRange needs zoneId "0", startIndex and endIndex');
			}
			const { placed } = layout(doc);
			const first = placed.findIndex((p) => p.start === range.startIndex);
			const last = placed.findIndex((p) => p.end === range.endIndex || p.end + 1 === range.endIndex);
			if (first < 0 || last < first) {
				throw new DocEditError('updateFailed', `deleteRange [${range.startIndex}, ${range.endIndex}) does not cover whole blocks (the sandbox deletes whole blocks only)`);
			}
			doc.blocks.splice(first, last - first + 1);
			return;
		}
		default:
			throw new DocEditError('updateFailed', `requestType "${request.requestType}" is not modelled by the sandbox (it applies UpdateTitleRequestType, InsertBlocksRequestType, DeleteContentRangeRequestType)`);
	}
}

/** The document after `requests`, in order; nothing changes when one is refused. */
export function editDoc(content: string, requests: readonly unknown[]): string {
	const doc = parseDoc(content);
	requests.forEach((r, n) => apply(doc, r, n));
	return serializeDoc(doc);
}
