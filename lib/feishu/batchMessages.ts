// Batch messages (docs/protocol.md, "Batch messages"): one message to many users and to every member of
// departments, `POST /open-apis/message/v4/batch_send/`, and the task it answers (a `bm-` id): its
// progress and its recall (`/open-apis/im/v1/batch_messages/:id`). Feishu sends asynchronously.
// batch_send takes no idempotency key, so it is never repeated on its own (a repeat would message
// everyone twice).
import type { FeishuApiClient } from './apiClient';
import { idList } from './chats';
import { FeishuValidationError } from './errors';
import { serializeContent } from './messageContent';
import { pathId, seg } from './paths';
import { isObject } from './values';

export const BATCH_SEND_PATH = '/open-apis/message/v4/batch_send/';
export const BATCH_MESSAGE_TYPES = ['text', 'image', 'post', 'share_chat', 'interactive'] as const;
export type BatchMessageType = (typeof BATCH_MESSAGE_TYPES)[number];
/** Feishu's limit for each of the four id lists of one request. */
export const BATCH_SEND_ID_MAX = 200;

export interface BatchSendResult {
	/** The batch task's id (`bm-…`), for Get Batch Message Progress and Recall Batch Message. */
	message_id: string;
	invalid_department_ids: string[];
	invalid_open_ids: string[];
	invalid_user_ids: string[];
	invalid_union_ids: string[];
	[key: string]: unknown;
}

/**
 * What batch_send takes for `content` (a JSON object, not a string as in im/v1) from the im/v1 content
 * of the same msg_type: a post's locales go under `post`, a shared chat is `share_chat_id`.
 */
export function batchContent(msgType: string, content: unknown): Record<string, unknown> {
	if (!isObject(content)) throw new FeishuValidationError('content', `should be a JSON object for ${msgType}`);
	if (msgType === 'post') {
		if (JSON.stringify(content).includes('"tag":"md"')) throw new FeishuValidationError('content', 'Batch Send takes no md elements in rich text (Feishu refuses them)');
		return isObject(content.post) ? content : { post: content };
	}
	if (msgType === 'share_chat') return { share_chat_id: content.share_chat_id ?? content.chat_id };
	return content;
}

/**
 * Sends one message to users by open_id, user_id or union_id and to the members of departments (their
 * sub-departments included), at most 200 ids of each kind. `content` is the im/v1 content of `msgType`
 * (a card for `interactive`). Answers the task id and the ids Feishu found invalid (the others get it).
 */
export async function batchSendMessage(
	client: FeishuApiClient,
	p: { msgType: BatchMessageType | string; content: unknown; openIds?: readonly string[]; userIds?: readonly string[]; unionIds?: readonly string[]; departmentIds?: readonly string[] },
): Promise<BatchSendResult> {
	if (!(BATCH_MESSAGE_TYPES as readonly string[]).includes(p.msgType)) {
		throw new FeishuValidationError('msg_type', `"${p.msgType}" is not one Batch Send takes (${BATCH_MESSAGE_TYPES.join(', ')})`);
	}
	const lists = {
		department_ids: idList('department_ids', p.departmentIds, BATCH_SEND_ID_MAX),
		open_ids: idList('open_ids', p.openIds, BATCH_SEND_ID_MAX),
		user_ids: idList('user_ids', p.userIds, BATCH_SEND_ID_MAX),
		union_ids: idList('union_ids', p.unionIds, BATCH_SEND_ID_MAX),
	};
	if (Object.values(lists).every((l) => l.length === 0)) throw new FeishuValidationError('recipients', 'give at least one open_id, user_id, union_id or department ID');
	if (lists.department_ids.includes('0')) throw new FeishuValidationError('department_ids', 'Feishu does not take the root department ("0"); name the departments under it');
	// The im/v1 checks and size limits (text 150 KB, post and card 30 KB) hold here too.
	const wrapped = p.msgType === 'post' && isObject(p.content) && isObject(p.content.post);
	serializeContent(p.msgType, wrapped ? (p.content as { post: unknown }).post : p.content);
	const body: Record<string, unknown> = { msg_type: p.msgType };
	if (p.msgType === 'interactive') body.card = p.content;
	else body.content = batchContent(p.msgType, p.content);
	for (const [key, ids] of Object.entries(lists)) if (ids.length) body[key] = ids;
	const data = await client.request<Partial<BatchSendResult>>({ method: 'POST', path: BATCH_SEND_PATH, body, repeatable: false });
	return {
		...data,
		message_id: String(data.message_id ?? ''),
		invalid_department_ids: data.invalid_department_ids ?? [],
		invalid_open_ids: data.invalid_open_ids ?? [],
		invalid_user_ids: data.invalid_user_ids ?? [],
		invalid_union_ids: data.invalid_union_ids ?? [],
	};
}

export interface BatchMessageProgress {
	batch_message_id: string;
	batch_message_send_progress?: { valid_user_ids_count?: number; success_user_ids_count?: number; read_user_ids_count?: number };
	batch_message_recall_progress?: { recall?: boolean; recall_count?: number };
	[key: string]: unknown;
}

const BATCH_MESSAGES = '/open-apis/im/v1/batch_messages';

/** How far a batch task got: users addressed, reached and who read it; whether it was recalled (30 days). */
export async function getBatchMessageProgress(client: FeishuApiClient, p: { batchMessageId: string }): Promise<BatchMessageProgress> {
	const id = pathId('batch_message_id', p.batchMessageId);
	const data = await client.request<Omit<BatchMessageProgress, 'batch_message_id'>>({ method: 'GET', path: `${BATCH_MESSAGES}/${seg(id)}/get_progress` });
	return { batch_message_id: id, ...data };
}

/** Recalls every message of a batch task (asynchronously, within the tenant's recall time limit). */
export async function recallBatchMessage(client: FeishuApiClient, p: { batchMessageId: string }): Promise<{ batch_message_id: string; recalled: true }> {
	const id = pathId('batch_message_id', p.batchMessageId);
	await client.request({ method: 'DELETE', path: `${BATCH_MESSAGES}/${seg(id)}` });
	return { batch_message_id: id, recalled: true };
}
