// The IM message operations (im/v1), each one call through FeishuApiClient.request with content
// validated first. Shared by the action node, the examples and tests.
import { randomUUID } from 'node:crypto';
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
 * The idempotency key of one logical send: the caller's, or a new one kept across this call's
 * retries, so a retry after a 5xx or a reset (which Feishu may have applied) never posts twice.
 * Feishu keeps a uuid for 1 hour per app and allows at most 50 characters.
 */
function sendUuid(uuid: string | undefined): string {
	if (uuid === undefined || uuid === '') return randomUUID();
	if (typeof uuid !== 'string' || uuid.length > 50) throw new FeishuValidationError('uuid', 'should be a string of at most 50 characters');
	return uuid;
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
