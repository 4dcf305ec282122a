// The images and files a received message carries, downloaded for the workflow (a vision model, a
// document loader). From the message event as events.ts shapes it: which resources it names (an image's
// image_key; a file's, audio's or video's file_key; every img and media element of a post, in every
// locale), then each through the message-resource API (messages.ts downloadMessageResource), with a
// per-file cap that stops reading past it and a cap on how many. Nothing here throws for one
// attachment: a refusal or an oversized file becomes a note next to the others, and the rest still
// come. docs/protocol.md, "Message attachments".
import { FeishuApiClient } from './apiClient';
import type { FeishuAppCredentials } from './domains';
import { FeishuApiError, FeishuNetworkError, FeishuValidationError } from './errors';
import { defaultTransport, type HttpTransport } from './httpTransport';
import { type FeishuLogger, silentLogger } from './logger';
import { downloadMessageResource } from './messages';
import { isObject } from './values';

const MB = 1024 * 1024;

/** The trigger's default per-file cap. */
export const DEFAULT_ATTACHMENT_MAX_MB = 20;
/** Feishu's own limit for the message-resource API ("only resources within 100 MB"). */
export const FEISHU_RESOURCE_LIMIT_MB = 100;
/** Most attachments taken from one message; the rest get a note. */
export const DEFAULT_MAX_ATTACHMENTS = 10;

/** One resource a message names. */
export interface MessageAttachment {
	/** The image_key or file_key. */
	key: string;
	/** The resource API's type: images are "image", files, audio and video "file". */
	type: 'image' | 'file';
	/** Where it came from: the message type, or "post" for an element of a post. */
	source: string;
	/** The file's name, when the message gives one. */
	name?: string;
}

/** What the item's json says of each attachment (`attachments`), downloaded or not. */
export interface AttachmentNote {
	key: string;
	type: 'image' | 'file';
	name?: string;
	/** The binary property that holds it (attachment_0, ...), when it was downloaded. */
	binary?: string;
	mime_type?: string;
	/** Bytes, when known. */
	size?: number;
	/** Why it is not in the binary data. */
	skipped?: string;
	/** Feishu's error code, when Feishu refused the download. */
	code?: number;
}

/** A downloaded attachment, ready for n8n's prepareBinaryData. */
export interface AttachmentBinary {
	propertyName: string;
	data: Buffer;
	mimeType: string;
	fileName: string;
	/** Its note's index in `notes`. */
	note: number;
}

export interface DownloadAttachmentsOptions {
	/** Largest file taken, in bytes (default 20 MB; never above Feishu's 100 MB). */
	maxBytes?: number;
	/** Most attachments taken (default 10). */
	maxCount?: number;
	/** The transport to download through (default: the package's fetch transport). */
	transport?: HttpTransport;
	logger?: FeishuLogger;
	/** Total deadline of one download (default 120 s: a large file on a slow line). */
	timeoutMs?: number;
	/** First property name's prefix (default "attachment_"). */
	propertyPrefix?: string;
}

export interface DownloadedAttachments {
	binaries: AttachmentBinary[];
	notes: AttachmentNote[];
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

function parsedContent(json: Record<string, unknown>): Record<string, any> | undefined {
	let content = json.content;
	if (typeof content === 'string') {
		try {
			content = JSON.parse(content);
		} catch {
			return undefined;
		}
	}
	return isObject(content) ? content : undefined;
}

/** A post's bodies: received posts are flat ({title, content}); a locale-wrapped form has one per locale. */
function postBodies(content: Record<string, any>): unknown[][] {
	const bodies: unknown[][] = [];
	if (Array.isArray(content.content)) bodies.push(content.content);
	for (const value of Object.values(content)) if (isObject(value) && Array.isArray(value.content)) bodies.push(value.content);
	return bodies;
}

/** The resources a shaped message event names, each once, in the order they appear. */
export function listMessageAttachments(json: Record<string, unknown>): MessageAttachment[] {
	const content = parsedContent(json);
	if (!content) return [];
	const type = str(json.message_type) ?? str(json.msg_type);
	const found: MessageAttachment[] = [];
	const seen = new Set<string>();
	const add = (a: MessageAttachment) => {
		if (seen.has(a.key)) return;
		seen.add(a.key);
		found.push(a);
	};
	const fileName = str(content.file_name);
	switch (type) {
		case 'image':
			if (str(content.image_key)) add({ key: content.image_key, type: 'image', source: type });
			break;
		case 'file':
		case 'audio':
		case 'media':
			// A video's image_key is its cover; the file is what was sent.
			if (str(content.file_key)) add({ key: content.file_key, type: 'file', source: type, ...(fileName ? { name: fileName } : {}) });
			break;
		case 'post':
			for (const paragraph of postBodies(content).flat()) {
				if (!Array.isArray(paragraph)) continue;
				for (const el of paragraph) {
					if (!isObject(el)) continue;
					if (el.tag === 'img' && str(el.image_key)) add({ key: el.image_key, type: 'image', source: 'post' });
					else if (el.tag === 'media' && str(el.file_key)) add({ key: el.file_key, type: 'file', source: 'post', ...(str(el.file_name) ? { name: el.file_name } : {}) });
				}
			}
			break;
		default:
			// Stickers, cards, merged forwards...: the API serves none of their resources.
			break;
	}
	return found;
}

/** The same transport, refusing any answer longer than `maxBytes` while it streams in (ETOOLARGE). */
export function cappedTransport(base: HttpTransport, maxBytes: number): HttpTransport {
	return { send: (req) => base.send({ ...req, maxResponseBytes: Math.min(req.maxResponseBytes ?? Infinity, maxBytes) }) };
}

/** "20 MB", "0.5 MB", "20 KB": a size as people read it (as the option gives it: MB from 0.1 MB up). */
export function formatSize(bytes: number): string {
	if (bytes >= MB / 10) return `${Number((bytes / MB).toFixed(2))} MB`;
	if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
	return `${bytes} bytes`;
}

const MIME_BY_EXTENSION: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	bmp: 'image/bmp',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	heic: 'image/heic',
	svg: 'image/svg+xml',
	pdf: 'application/pdf',
	txt: 'text/plain',
	md: 'text/markdown',
	csv: 'text/csv',
	json: 'application/json',
	xml: 'application/xml',
	html: 'text/html',
	yaml: 'application/yaml',
	yml: 'application/yaml',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	ppt: 'application/vnd.ms-powerpoint',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	zip: 'application/zip',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	mp3: 'audio/mpeg',
	opus: 'audio/opus',
	ogg: 'audio/ogg',
	wav: 'audio/wav',
	m4a: 'audio/mp4',
};

const EXTENSION_BY_MIME: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/gif': 'gif',
	'image/webp': 'webp',
	'image/bmp': 'bmp',
	'image/tiff': 'tiff',
	'image/heic': 'heic',
	'video/mp4': 'mp4',
	'audio/opus': 'opus',
	'audio/ogg': 'ogg',
	'application/pdf': 'pdf',
	'text/plain': 'txt',
};

/** An image's type from its first bytes (Feishu may answer application/octet-stream). */
function sniffImage(b: Buffer): string | undefined {
	const at = (bytes: number[], offset = 0) => bytes.every((x, i) => b[offset + i] === x);
	if (at([0x89, 0x50, 0x4e, 0x47])) return 'image/png';
	if (at([0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (at([0x47, 0x49, 0x46, 0x38])) return 'image/gif';
	if (at([0x52, 0x49, 0x46, 0x46]) && at([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
	if (at([0x42, 0x4d])) return 'image/bmp';
	return undefined;
}

function extensionOf(name: string | undefined): string | undefined {
	const m = name ? /\.([A-Za-z0-9]{1,8})$/.exec(name) : null;
	return m ? m[1].toLowerCase() : undefined;
}

/** The media type to store: Feishu's, unless it is generic; then from the bytes or the name. */
function mimeTypeOf(contentType: string | undefined, data: Buffer, name: string | undefined, type: 'image' | 'file'): string {
	const given = contentType?.split(';')[0].trim().toLowerCase();
	if (given && given !== 'application/octet-stream' && given !== 'binary/octet-stream' && /^[a-z]+\/[a-z0-9.+-]+$/.test(given)) return given;
	const sniffed = sniffImage(data);
	if (sniffed && (type === 'image' || !name)) return sniffed;
	return MIME_BY_EXTENSION[extensionOf(name) ?? ''] ?? sniffed ?? 'application/octet-stream';
}

/** A file name without path parts or control characters (it came from a message or a header). */
function cleanName(name: string | undefined): string | undefined {
	if (!name) return undefined;
	const last = name.split(/[\\/]/).pop() ?? '';
	const base = [...last].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('').trim();
	return base && base !== '.' && base !== '..' ? base.slice(0, 255) : undefined;
}

function fileNameOf(a: MessageAttachment, headerName: string | undefined, mimeType: string): string {
	const named = cleanName(a.name) ?? cleanName(headerName);
	if (named) return named;
	const ext = EXTENSION_BY_MIME[mimeType] ?? (a.source === 'audio' ? 'opus' : a.source === 'media' ? 'mp4' : 'bin');
	return `${a.key}.${ext}`;
}

/** Why Feishu's refusal happened, in the words of the fix. */
function refusalOf(error: unknown): { skipped: string; code?: number } {
	if (error instanceof FeishuApiError) {
		let why = `Feishu refused the download (${error.code}: ${error.msg.slice(0, 160)})`;
		if (error.code === 99991672) why += '; the app needs one of the scopes im:message, im:message:readonly or im:message.history:readonly';
		else if (error.code === 234043) why += '; Feishu serves no resources of merged-forward or card messages';
		return { skipped: why, code: error.code };
	}
	if (error instanceof FeishuNetworkError) return { skipped: `the download failed: ${error.detail}` };
	if (error instanceof FeishuValidationError) return { skipped: `not downloadable: ${error.message}` };
	return { skipped: `the download failed: ${(error as Error)?.message ?? String(error)}` };
}

function tooLargeNote(maxBytes: number): string {
	return `larger than ${formatSize(maxBytes)} (Max Attachment Size)`;
}

/**
 * Downloads what `listMessageAttachments` finds in a shaped message event, each capped at
 * `maxBytes` (the download stops as soon as it passes it). Resolves with the downloaded files and one
 * note per attachment; never rejects for an attachment's own failure (it is logged and noted).
 */
export async function downloadMessageAttachments(
	creds: FeishuAppCredentials,
	json: Record<string, unknown>,
	opts: DownloadAttachmentsOptions = {},
): Promise<DownloadedAttachments> {
	const logger = opts.logger ?? silentLogger;
	const maxBytes = Math.max(1, Math.min(opts.maxBytes ?? DEFAULT_ATTACHMENT_MAX_MB * MB, FEISHU_RESOURCE_LIMIT_MB * MB));
	const maxCount = Math.max(0, Math.floor(opts.maxCount ?? DEFAULT_MAX_ATTACHMENTS));
	const prefix = opts.propertyPrefix ?? 'attachment_';
	const messageId = str(json.message_id);
	const all = listMessageAttachments(json);
	const notes: AttachmentNote[] = all.map((a) => ({ key: a.key, type: a.type, ...(a.name ? { name: a.name } : {}) }));
	if (all.length === 0) return { binaries: [], notes };
	if (!messageId) {
		for (const note of notes) note.skipped = 'the event has no message_id to download it with';
		return { binaries: [], notes };
	}
	for (const note of notes.slice(maxCount)) note.skipped = `only the first ${maxCount} attachments of a message are downloaded`;

	const client = new FeishuApiClient(creds, { logger, transport: cappedTransport(opts.transport ?? defaultTransport(), maxBytes), timeoutMs: opts.timeoutMs ?? 120_000 });
	const results = await Promise.all(
		all.slice(0, maxCount).map(async (a, index) => {
			const note = notes[index];
			try {
				const got = await downloadMessageResource(client, { messageId, fileKey: a.key, type: a.type });
				if (got.data.length > maxBytes) {
					note.size = got.data.length;
					note.skipped = tooLargeNote(maxBytes);
					return undefined;
				}
				const mimeType = mimeTypeOf(got.contentType, got.data, a.name ?? got.fileName, a.type);
				const fileName = fileNameOf(a, got.fileName, mimeType);
				note.name = fileName;
				note.mime_type = mimeType;
				note.size = got.data.length;
				return { data: got.data, mimeType, fileName, note: index };
			} catch (error) {
				if (error instanceof FeishuNetworkError && error.code === 'ETOOLARGE') {
					note.skipped = tooLargeNote(maxBytes);
				} else {
					Object.assign(note, refusalOf(error));
				}
				logger.warn(`Feishu: attachment ${a.key} of message ${messageId} not downloaded: ${note.skipped}`, { messageId, key: a.key });
				return undefined;
			}
		}),
	);
	const binaries: AttachmentBinary[] = [];
	for (const r of results) {
		if (!r) continue;
		const propertyName = `${prefix}${binaries.length}`;
		notes[r.note].binary = propertyName;
		binaries.push({ propertyName, ...r });
	}
	return { binaries, notes };
}
