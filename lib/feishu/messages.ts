// The IM message operations (im/v1), each one call through FeishuApiClient.request with content
// validated first. Shared by the action node, the examples and tests.
import { createHash, randomUUID } from 'node:crypto';
import type { FeishuApiClient, FeishuBinary } from './apiClient';
import { FeishuValidationError } from './errors';
import type { MultipartFile } from './multipart';
import { pathId, requireId, seg } from './paths';
import { type ReceiveIdType, RECEIVE_ID_TYPES, serializeContent } from './messageContent';

const MESSAGES = '/open-apis/im/v1/messages';

/** A message as the im/v1 API returns it (`body.content` is a JSON string). */
export interface FeishuMessage {
	message_id: string;
	root_id?: string;
	parent_id?: string;
	thread_id?: string;
	msg_type: string;
	create_time?: string;
	update_time?: string;
	deleted?: boolean;
	updated?: boolean;
	chat_id?: string;
	sender?: { id: string; id_type: string; sender_type: string; tenant_key?: string };
	body?: { content: string };
	mentions?: unknown[];
	upper_message_id?: string;
	[key: string]: unknown;
}

/**
 * The idempotency key of one logical send: the caller's (the Feishu node passes eventSendUuid's for
 * items from a Feishu event), or a new one kept across this call's retries, so a retry after a 5xx
 * or a reset (which Feishu may have applied) never posts twice.
 * Feishu keeps a uuid for 1 hour per app and allows at most 50 characters.
 */
function sendUuid(uuid: string | undefined): string {
	if (uuid === undefined || uuid === '') return randomUUID();
	if (typeof uuid !== 'string' || uuid.length > 50) throw new FeishuValidationError('uuid', 'should be a string of at most 50 characters');
	return uuid;
}

/** Which run of which step sent for which Feishu event: what makes a send the same send again. */
export interface EventSendOrigin {
	/** The Feishu event the item descends from (the trigger's `event_id`). */
	eventId: string;
	/** The node (workflow step) that sends; its id stays the same across re-runs and renames. */
	nodeId: string;
	/** The item's index in the node's input. */
	itemIndex: number;
	/** The workflow, so two workflows imported from one file (same node ids) both answer. */
	workflowId?: string;
	/** The node's run within the execution, so each pass of a loop over one event sends. */
	runIndex?: number;
}

/**
 * The default uuid of a send made for a Feishu event: the same whenever the same step sends for the
 * same item of the same event, so a re-run of the workflow (n8n's Retry, a crash recovery, a
 * redelivery handled by another process) gets Feishu's first message back instead of posting again.
 * A name-based UUID (RFC 9562 version 8 over SHA-256): 36 characters, within Feishu's 50.
 */
export function eventSendUuid(origin: EventSendOrigin): string {
	const { eventId, nodeId, itemIndex, workflowId = '', runIndex = 0 } = origin;
	if (typeof eventId !== 'string' || eventId === '') throw new FeishuValidationError('eventId', 'should be a non-empty string');
	if (!Number.isInteger(itemIndex) || itemIndex < 0 || !Number.isInteger(runIndex) || runIndex < 0) {
		throw new FeishuValidationError('itemIndex', 'item and run indexes should be non-negative integers');
	}
	// JSON of an array: no two different origins hash the same text; the tag versions the scheme.
	const name = JSON.stringify(['feishu-send-uuid/1', eventId, String(workflowId), String(nodeId), runIndex, itemIndex]);
	const b = createHash('sha256').update(name).digest().subarray(0, 16);
	b[6] = (b[6] & 0x0f) | 0x80; // version 8
	b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
	const hex = b.toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function checkReceiveIdType(t: string): ReceiveIdType {
	if (!(RECEIVE_ID_TYPES as readonly string[]).includes(t)) {
		throw new FeishuValidationError('receive_id_type', `"${t}" is not one of ${RECEIVE_ID_TYPES.join(', ')}`);
	}
	return t as ReceiveIdType;
}

export async function sendMessage(
	client: FeishuApiClient,
	p: { receiveIdType: ReceiveIdType | string; receiveId: string; msgType: string; content: unknown; uuid?: string },
): Promise<FeishuMessage> {
	const receiveIdType = checkReceiveIdType(p.receiveIdType);
	const receiveId = requireId('receive_id', p.receiveId);
	const content = serializeContent(p.msgType, p.content);
	return client.request({
		method: 'POST',
		path: MESSAGES,
		query: { receive_id_type: receiveIdType },
		body: { receive_id: receiveId, msg_type: p.msgType, content, uuid: sendUuid(p.uuid) },
	});
}

export async function replyMessage(
	client: FeishuApiClient,
	p: { messageId: string; msgType: string; content: unknown; replyInThread?: boolean; uuid?: string },
): Promise<FeishuMessage> {
	const id = pathId('message_id', p.messageId);
	const content = serializeContent(p.msgType, p.content);
	return client.request({
		method: 'POST',
		path: `${MESSAGES}/${seg(id)}/reply`,
		body: {
			msg_type: p.msgType,
			content,
			...(p.replyInThread ? { reply_in_thread: true } : {}),
			uuid: sendUuid(p.uuid),
		},
	});
}

/** Edits a sent text or post message (PUT; Feishu allows only these two types). */
export async function editMessage(client: FeishuApiClient, p: { messageId: string; msgType: 'text' | 'post' | string; content: unknown }): Promise<FeishuMessage> {
	if (p.msgType !== 'text' && p.msgType !== 'post') throw new FeishuValidationError('msg_type', 'only text and post messages can be edited');
	const id = pathId('message_id', p.messageId);
	return client.request({ method: 'PUT', path: `${MESSAGES}/${seg(id)}`, body: { msg_type: p.msgType, content: serializeContent(p.msgType, p.content) } });
}

/** Replaces the card of a sent interactive message (PATCH). */
export async function updateCard(client: FeishuApiClient, p: { messageId: string; card: unknown }): Promise<Record<string, unknown>> {
	const id = pathId('message_id', p.messageId);
	return client.request({ method: 'PATCH', path: `${MESSAGES}/${seg(id)}`, body: { content: serializeContent('interactive', p.card) } });
}

export async function recallMessage(client: FeishuApiClient, p: { messageId: string }): Promise<Record<string, unknown>> {
	const id = pathId('message_id', p.messageId);
	return client.request({ method: 'DELETE', path: `${MESSAGES}/${seg(id)}` });
}

/** One message (Feishu answers `{items: [message]}`; merged-forward messages list their children too). */
export async function getMessage(client: FeishuApiClient, p: { messageId: string }): Promise<FeishuMessage> {
	const id = pathId('message_id', p.messageId);
	const data = await client.request<{ items?: FeishuMessage[] }>({ method: 'GET', path: `${MESSAGES}/${seg(id)}` });
	const item = data.items?.[0];
	if (!item) throw new FeishuValidationError('message_id', `no message ${id} in Feishu's answer`);
	return data.items!.length > 1 ? { ...item, children: data.items!.slice(1) } : item;
}

export async function forwardMessage(
	client: FeishuApiClient,
	p: { messageId: string; receiveIdType: ReceiveIdType | string; receiveId: string; uuid?: string },
): Promise<FeishuMessage> {
	const id = pathId('message_id', p.messageId);
	return client.request({
		method: 'POST',
		path: `${MESSAGES}/${seg(id)}/forward`,
		// Forward takes its uuid as a query parameter (Feishu's docs), unlike create and reply.
		query: { receive_id_type: checkReceiveIdType(p.receiveIdType), uuid: sendUuid(p.uuid) },
		body: { receive_id: requireId('receive_id', p.receiveId) },
	});
}

/** Downloads an image or file attached to a received message (the message-resource API, not im/v1/images). */
export async function downloadMessageResource(
	client: FeishuApiClient,
	p: { messageId: string; fileKey: string; type: 'image' | 'file' | string },
): Promise<FeishuBinary> {
	const id = pathId('message_id', p.messageId);
	const key = pathId('file_key', p.fileKey);
	if (p.type !== 'image' && p.type !== 'file') throw new FeishuValidationError('type', 'should be "image" or "file" (audio and video are "file")');
	return client.request({ method: 'GET', path: `${MESSAGES}/${seg(id)}/resources/${seg(key)}`, query: { type: p.type }, responseType: 'buffer' });
}

export const UPLOAD_FILE_TYPES = ['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'] as const;

/** Picks Feishu's file_type from a file name (anything unknown is "stream"). */
export function fileTypeFor(fileName: string): (typeof UPLOAD_FILE_TYPES)[number] {
	const ext = (fileName.split('.').pop() ?? '').toLowerCase();
	if (ext === 'opus') return 'opus';
	if (ext === 'mp4') return 'mp4';
	if (ext === 'pdf') return 'pdf';
	if (ext === 'doc' || ext === 'docx') return 'doc';
	if (ext === 'xls' || ext === 'xlsx') return 'xls';
	if (ext === 'ppt' || ext === 'pptx') return 'ppt';
	return 'stream';
}

export async function uploadImage(client: FeishuApiClient, p: { image: MultipartFile; imageType?: 'message' | 'avatar' }): Promise<{ image_key: string }> {
	if (!p.image?.data?.length) throw new FeishuValidationError('image', 'is empty');
	if (p.image.data.length > 10 * 1024 * 1024) throw new FeishuValidationError('image', 'is larger than Feishu\'s 10 MB limit');
	// Feishu takes no uuid here; a repeated upload only leaves an unused key.
	return client.request({ method: 'POST', path: '/open-apis/im/v1/images', form: { image_type: p.imageType ?? 'message', image: p.image }, repeatable: true });
}

export async function uploadFile(
	client: FeishuApiClient,
	p: { file: MultipartFile; fileType?: string; fileName?: string; durationMs?: number },
): Promise<{ file_key: string }> {
	if (!p.file?.data?.length) throw new FeishuValidationError('file', 'is empty');
	if (p.file.data.length > 30 * 1024 * 1024) throw new FeishuValidationError('file', 'is larger than Feishu\'s 30 MB limit');
	const fileName = p.fileName || p.file.fileName;
	const fileType = p.fileType || fileTypeFor(fileName);
	if (!(UPLOAD_FILE_TYPES as readonly string[]).includes(fileType)) {
		throw new FeishuValidationError('file_type', `"${fileType}" is not one of ${UPLOAD_FILE_TYPES.join(', ')}`);
	}
	return client.request({
		method: 'POST',
		path: '/open-apis/im/v1/files',
		form: { file_type: fileType, file_name: fileName, duration: p.durationMs, file: p.file },
		repeatable: true,
	});
}

/**
 * Sends messages of one chat on as one merged message (its content is Feishu's fixed "Merged and
 * Forwarded Message"; getMessage lists the copies as `children`). Like Forward, the uuid goes in the query.
 */
export async function mergeForwardMessages(
	client: FeishuApiClient,
	p: { messageIds: readonly string[]; receiveIdType: ReceiveIdType | string; receiveId: string; uuid?: string },
): Promise<{ message: FeishuMessage; invalid_message_id_list: string[] }> {
	const ids = [...new Set((p.messageIds ?? []).map((id) => String(id).trim()).filter(Boolean))].map((id) => pathId('message_id_list', id));
	if (ids.length === 0) throw new FeishuValidationError('message_id_list', 'needs at least one message ID');
	const data = await client.request<{ message: FeishuMessage; invalid_message_id_list?: string[] }>({
		method: 'POST',
		path: `${MESSAGES}/merge_forward`,
		query: { receive_id_type: checkReceiveIdType(p.receiveIdType), uuid: sendUuid(p.uuid) },
		body: { receive_id: requireId('receive_id', p.receiveId), message_id_list: ids },
	});
	return { message: data.message, invalid_message_id_list: data.invalid_message_id_list ?? [] };
}
