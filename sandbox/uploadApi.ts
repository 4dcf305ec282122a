// Uploads and downloads (multipart via busboy): POST /open-apis/im/v1/images and /files, and
// GET /open-apis/im/v1/messages/:id/resources/:key?type=image|file for keys a message carries.
import busboy from 'busboy';
import type { Router } from './http';
import { newFileKey, newImageKey } from './ids';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import type { MessageRecord, SandboxState } from './state';

const FILE_TYPES = ['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'];
const IMAGE_LIMIT = 10 * 1024 * 1024;
const FILE_LIMIT = 30 * 1024 * 1024;

export function registerUploadApi(router: Router, api: OpenApi, state: SandboxState, findMessage: (id: string) => MessageRecord): void {
	api.route(router, 'POST', '/open-apis/im/v1/images', async (ctx) => {
		const form = await readMultipart(ctx, IMAGE_LIMIT);
		const imageType = form.fields.image_type;
		if (imageType !== 'message' && imageType !== 'avatar') throw new ApiError(400, 234001, 'Invalid request param: image_type must be "message" or "avatar".');
		const file = form.files.image;
		if (!file) throw new ApiError(400, 234001, 'Invalid request param: the "image" file field is missing.');
		if (file.truncated) throw new ApiError(400, 234006, 'The file size exceeds the limit (10 MB).');
		if (file.data.length === 0) throw new ApiError(400, 234010, 'File size can\'t be 0.');
		if (!looksLikeImage(file.data)) throw new ApiError(400, 234011, 'Can\'t recognize the image format.');
		const key = newImageKey();
		state.uploads.set(key, { key, appId: ctx.app.appId, kind: 'image', fileName: file.filename || 'image', contentType: file.mimeType || 'image/png', data: file.data, createdAt: Date.now() });
		return { data: { image_key: key } };
	});

	api.route(router, 'POST', '/open-apis/im/v1/files', async (ctx) => {
		const form = await readMultipart(ctx, FILE_LIMIT);
		const fileType = form.fields.file_type;
		if (!FILE_TYPES.includes(fileType)) throw new ApiError(400, 234001, `Invalid request param: file_type must be one of ${FILE_TYPES.join(', ')}.`);
		const fileName = form.fields.file_name;
		if (!fileName) throw new ApiError(400, 234001, 'Invalid request param: file_name is required.');
		const file = form.files.file;
		if (!file) throw new ApiError(400, 234001, 'Invalid request param: the "file" field is missing.');
		if (file.truncated) throw new ApiError(400, 234006, 'The file size exceeds the limit (30 MB).');
		if (file.data.length === 0) throw new ApiError(400, 234010, 'File size can\'t be 0.');
		const key = newFileKey();
		state.uploads.set(key, { key, appId: ctx.app.appId, kind: 'file', fileType, fileName, contentType: file.mimeType || 'application/octet-stream', data: file.data, createdAt: Date.now() });
		return { data: { file_key: key } };
	});

	api.route(router, 'GET', '/open-apis/im/v1/messages/:message_id/resources/:file_key', (ctx) => {
		const type = ctx.query.get('type');
		if (type !== 'image' && type !== 'file') throw new ApiError(400, 234001, 'Invalid request param: type must be "image" or "file".');
		const m = findMessage(ctx.params.message_id);
		const key = ctx.params.file_key;
		if (!m.content.includes(`"${key}"`)) throw new ApiError(400, 234003, 'File not in msg.');
		const upload = state.uploads.get(key);
		const fileName = upload?.fileName ?? (type === 'image' ? `${key}.png` : 'file.txt');
		const data = upload?.data ?? placeholder(type, key);
		const contentType = upload?.contentType ?? (type === 'image' ? 'image/png' : 'text/plain');
		return { raw: data, contentType, headers: { 'content-disposition': `attachment; filename="${encodeURIComponent(fileName)}"` } };
	});
}

interface MultipartResult {
	fields: Record<string, string>;
	files: Record<string, { filename: string; mimeType: string; data: Buffer; truncated: boolean }>;
}

function readMultipart(ctx: ApiContext, limit: number): Promise<MultipartResult> {
	const type = String(ctx.req.headers['content-type'] ?? '');
	if (!type.toLowerCase().startsWith('multipart/form-data')) {
		return Promise.reject(new ApiError(400, 234001, 'Invalid request param: the body must be multipart/form-data.'));
	}
	return new Promise((resolve, reject) => {
		const out: MultipartResult = { fields: {}, files: {} };
		let bb: busboy.Busboy;
		try {
			bb = busboy({ headers: ctx.req.headers, limits: { fileSize: limit } });
		} catch (e) {
			reject(new ApiError(400, 234001, `Invalid request param: ${(e as Error).message}`));
			return;
		}
		bb.on('field', (name, value) => (out.fields[name] = value));
		bb.on('file', (name, stream, info) => {
			const chunks: Buffer[] = [];
			const file = { filename: info.filename ?? '', mimeType: info.mimeType, data: Buffer.alloc(0), truncated: false };
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('limit', () => (file.truncated = true));
			stream.on('end', () => {
				file.data = Buffer.concat(chunks);
				out.files[name] = file;
			});
		});
		bb.on('close', () => {
			const summary: Record<string, unknown> = { ...out.fields };
			for (const [k, f] of Object.entries(out.files)) summary[k] = { filename: f.filename, bytes: f.data.length, mime_type: f.mimeType };
			ctx.recordBody = { multipart: summary };
			resolve(out);
		});
		bb.on('error', (e) => reject(new ApiError(400, 234001, `Invalid request param: malformed multipart body (${(e as Error).message})`)));
		ctx.req.pipe(bb);
	});
}

function looksLikeImage(b: Buffer): boolean {
	const sig = (bytes: number[], at = 0) => bytes.every((x, i) => b[at + i] === x);
	return (
		sig([0x89, 0x50, 0x4e, 0x47]) || // png
		sig([0xff, 0xd8, 0xff]) || // jpeg
		sig([0x47, 0x49, 0x46, 0x38]) || // gif
		(sig([0x52, 0x49, 0x46, 0x46]) && sig([0x57, 0x45, 0x42, 0x50], 8)) || // webp
		sig([0x42, 0x4d]) || // bmp
		sig([0x49, 0x49, 0x2a, 0x00]) ||
		sig([0x4d, 0x4d, 0x00, 0x2a]) || // tiff
		sig([0x00, 0x00, 0x01, 0x00]) // ico
	);
}

// A 1x1 PNG for images a simulated user "sent" without uploading anything.
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function placeholder(type: string, key: string): Buffer {
	return type === 'image' ? PIXEL_PNG : Buffer.from(`sandbox file ${key}\n`);
}
