// A person attaches an image or a file in the Feishu client: POST /_sandbox/uploads stores the bytes
// under a new image_key or file_key, for a user message's content (POST /_sandbox/chats/:chat_id/messages
// with message_type image, file, audio, media or a post's img/media element); the message-resource API
// (uploadApi.ts) then serves exactly these bytes. Body (JSON): {kind: "image" | "file", data_base64,
// file_name?, content_type?, app_id?}. Feishu's own upload limits apply: images 10 MB, files 30 MB.
import { appFrom, bad, type ControlDeps } from './controlContext';
import { sendJson, type Router } from './http';
import { newFileKey, newImageKey } from './ids';

const LIMITS = { image: 10 * 1024 * 1024, file: 30 * 1024 * 1024 } as const;

export function registerUserUploads(router: Router, d: Pick<ControlDeps, 'state' | 'log'>): void {
	const { state } = d;
	router.add('POST', '/_sandbox/uploads', async (ctx) => {
		const b = await ctx.json();
		const app = appFrom(state, ctx, b.app_id);
		if (!app) return;
		const kind = b.kind ?? 'image';
		if (kind !== 'image' && kind !== 'file') return bad(ctx, 'kind must be "image" or "file"');
		if (typeof b.data_base64 !== 'string' || !b.data_base64) return bad(ctx, 'data_base64 (the bytes, base64) is required');
		const data = Buffer.from(b.data_base64, 'base64');
		if (data.length === 0) return bad(ctx, 'the file is empty');
		if (data.length > LIMITS[kind as keyof typeof LIMITS]) return bad(ctx, `a user ${kind} may be at most ${LIMITS[kind as keyof typeof LIMITS] / 1024 / 1024} MB`);
		const fileName = typeof b.file_name === 'string' && b.file_name ? b.file_name : kind === 'image' ? 'image.png' : 'file.bin';
		const contentType = typeof b.content_type === 'string' && b.content_type ? b.content_type : kind === 'image' ? 'image/png' : 'application/octet-stream';
		const key = kind === 'image' ? newImageKey() : newFileKey();
		state.uploads.set(key, { key, appId: app.appId, kind, fileName, contentType, data, createdAt: Date.now() });
		d.log.info(`a user uploaded ${kind} ${key} (${data.length} bytes)`);
		sendJson(ctx.res, 200, kind === 'image' ? { image_key: key, bytes: data.length } : { file_key: key, file_name: fileName, bytes: data.length });
	});
}
