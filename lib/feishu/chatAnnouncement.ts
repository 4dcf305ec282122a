// Updating a group's announcement (docs/protocol.md, "Chat announcement"): `PATCH
// /open-apis/im/v1/chats/:chat_id/announcement` with the `revision` the edit starts from and `requests`,
// each a serialized old-Docs batch-update request (the format of the announcement Get returns). The
// builders below make the requests a plain-text edit needs: replace the title, delete the body's
// blocks, insert paragraphs at the end of the body.
import type { FeishuApiClient } from './apiClient';
import { getChatAnnouncement } from './chats';
import { FeishuValidationError } from './errors';
import { pathId, seg } from './paths';
import { isObject } from './values';

type Json = Record<string, unknown>;

const textRun = (text: string): Json => ({ type: 'textRun', textRun: { text, style: {} } });

/** One old-Docs paragraph block per line of `text` (a blank line is an empty paragraph). */
export function announcementParagraphs(text: string): Json[] {
	const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
	return lines.map((line) => ({ type: 'paragraph', paragraph: { elements: line ? [textRun(line)] : [], style: {} } }));
}

/** InsertBlocksRequestType: `blocks` at the end of the body (zone "0"), or at its start. */
export function insertBlocksRequest(blocks: Json[], at: 'end' | 'start' = 'end'): string {
	const location = at === 'end' ? { zoneId: '0', index: 0, endOfZone: true } : { zoneId: '0', index: 0, startOfZone: true };
	return JSON.stringify({ requestType: 'InsertBlocksRequestType', insertBlocksRequest: { payload: JSON.stringify({ blocks }), location } });
}

/** UpdateTitleRequestType: the announcement's title becomes `title`. */
export function updateTitleRequest(title: string): string {
	return JSON.stringify({ requestType: 'UpdateTitleRequestType', updateTitleRequest: { payload: JSON.stringify({ elements: [textRun(title)], style: {} }) } });
}

/** DeleteContentRangeRequestType over [startIndex, endIndex) of the body zone. */
export function deleteRangeRequest(range: { startIndex: number; endIndex: number }): string {
	return JSON.stringify({ requestType: 'DeleteContentRangeRequestType', deleteContentRangeRequest: { deleteRange: { zoneId: '0', startIndex: range.startIndex, endIndex: range.endIndex } } });
}

/**
 * Where the body's blocks are in an announcement's `content` (from each block's `location`): `null`
 * for an empty body, `undefined` when the content does not say (then the body cannot be replaced).
 */
export function announcementBodyRange(content: string | undefined): { startIndex: number; endIndex: number } | null | undefined {
	let doc: unknown;
	try {
		doc = content ? JSON.parse(content) : {};
	} catch {
		return undefined;
	}
	if (!isObject(doc)) return undefined;
	const blocks = isObject(doc.body) && Array.isArray(doc.body.blocks) ? doc.body.blocks : [];
	if (blocks.length === 0) return null;
	let startIndex = Infinity;
	let endIndex = -Infinity;
	for (const block of blocks) {
		if (!isObject(block)) return undefined;
		const inner = block[String(block.type)];
		const loc = isObject(block.location) ? block.location : isObject(inner) && isObject(inner.location) ? inner.location : undefined;
		if (!loc || String(loc.zoneId) !== '0' || typeof loc.startIndex !== 'number' || typeof loc.endIndex !== 'number') return undefined;
		startIndex = Math.min(startIndex, loc.startIndex);
		endIndex = Math.max(endIndex, loc.endIndex);
	}
	return { startIndex, endIndex };
}

/**
 * Applies `requests` (serialized batch-update requests, or objects serialized here) to the announcement,
 * starting from `revision` (Feishu takes one at most 100 behind the latest and adjusts the offsets).
 * Never repeated on its own: a repeat could insert the same text twice.
 */
export async function updateChatAnnouncement(
	client: FeishuApiClient,
	p: { chatId: string; revision: string | number; requests: readonly unknown[] },
): Promise<{ chat_id: string; base_revision: string; requests: number; updated: true }> {
	const id = pathId('chat_id', p.chatId);
	const revision = String(p.revision ?? '').trim();
	if (!/^\d+$/.test(revision)) throw new FeishuValidationError('revision', `"${revision}" is not a revision (a number, as Get Announcement gives it)`);
	if (!Array.isArray(p.requests) || p.requests.length === 0) throw new FeishuValidationError('requests', 'give at least one edit request');
	const requests = p.requests.map((r, n) => {
		if (typeof r === 'string') return r;
		if (isObject(r)) return JSON.stringify(r);
		throw new FeishuValidationError(`requests[${n}]`, 'should be a request object or its JSON string');
	});
	await client.request({ method: 'PATCH', path: `/open-apis/im/v1/chats/${seg(id)}/announcement`, body: { revision, requests }, repeatable: false });
	return { chat_id: id, base_revision: revision, requests: requests.length, updated: true };
}

/**
 * Sets the announcement's text: reads it (for the revision and where its body is), then in one update
 * deletes the body (`replace`; `append` keeps it), sets the title when one is given, and adds one
 * paragraph per line of `text`.
 */
export async function setChatAnnouncementText(
	client: FeishuApiClient,
	p: { chatId: string; text: string; title?: string; mode?: 'replace' | 'append' },
): Promise<{ chat_id: string; base_revision: string; requests: number; updated: true }> {
	const current = await getChatAnnouncement(client, { chatId: p.chatId });
	const requests: string[] = [];
	// The deletion first: its offsets are those of the document as read.
	if ((p.mode ?? 'replace') === 'replace') {
		const range = announcementBodyRange(current.content);
		if (range === undefined) {
			throw new FeishuValidationError('Text', 'the announcement Feishu returned does not say where its body is, so it cannot be replaced; use Append, or Raw Requests');
		}
		if (range) requests.push(deleteRangeRequest(range));
	}
	if (p.title) requests.push(updateTitleRequest(p.title));
	if (p.text.trim()) requests.push(insertBlocksRequest(announcementParagraphs(p.text)));
	if (requests.length === 0) throw new FeishuValidationError('Text', 'nothing to change: give a text or a title');
	return updateChatAnnouncement(client, { chatId: current.chat_id, revision: current.revision ?? '0', requests });
}
