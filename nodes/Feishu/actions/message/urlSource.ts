// Upload Image / Upload File with Source "URL": the node downloads the file through n8n's request helper
// (so n8n's proxy settings apply) and uploads it. The download streams in and stops at Feishu's upload
// limit (image 10 MB, file 30 MB), so a large or endless answer is never buffered whole; a non-2xx
// answer, an empty one or one over the limit fails the item with a message saying which.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { after, safeUrl } from '../../../../lib/feishu';
import { param } from '../shared';
import type { ItemContext } from '../types';
import { binaryInput } from './shared';

/** Feishu's upload limits (docs/protocol.md, "Other IM endpoints"). */
export const UPLOAD_LIMITS = { image: 10 * 1024 * 1024, file: 30 * 1024 * 1024 } as const;
/** The whole download, body included. */
export const DOWNLOAD_TIMEOUT_MS = 120_000;

export interface DownloadedFile {
	data: Buffer;
	fileName: string;
	contentType?: string;
}

const mb = (bytes: number) => `${bytes / (1024 * 1024)} MB`;

function headerOf(headers: IDataObject | undefined, name: string): string | undefined {
	for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : v === undefined || v === null ? undefined : String(v);
	return undefined;
}

/** The file name a download says (Content-Disposition), else the URL's last path segment. */
export function downloadFileName(url: URL, disposition: string | undefined, fallback: string): string {
	const star = disposition && /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition)?.[1];
	const plain = disposition && /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1];
	for (const candidate of [star, plain, url.pathname.split('/').pop()]) {
		if (!candidate) continue;
		let name = candidate.trim().replace(/^"|"$/g, '');
		try {
			name = decodeURIComponent(name);
		} catch {
			// keep it as it is
		}
		if (name) return name;
	}
	return fallback;
}

/** Downloads `url` (http or https), at most `maxBytes`. */
export async function downloadForUpload(ctx: IExecuteFunctions, i: number, rawUrl: string, maxBytes: number, what: 'image' | 'file'): Promise<DownloadedFile> {
	const fail = (message: string, description?: string) => new NodeOperationError(ctx.getNode(), message, { itemIndex: i, description });
	const href = String(rawUrl ?? '').trim();
	let url: URL;
	try {
		url = new URL(href);
	} catch {
		throw fail(`"${href.slice(0, 200)}" is not a URL`, 'Give the full address of the file, starting with https:// or http://');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail(`Only http and https URLs can be downloaded, not ${url.protocol}`);
	const where = safeUrl(url.href);
	const tooLarge = () => fail(`The ${what} at ${where} is larger than Feishu's ${mb(maxBytes)} upload limit`, `Feishu takes images up to ${mb(UPLOAD_LIMITS.image)} and files up to ${mb(UPLOAD_LIMITS.file)}`);

	const controller = new AbortController();
	let timedOut = false;
	const timer = after(DOWNLOAD_TIMEOUT_MS, () => {
		timedOut = true;
		controller.abort();
	});
	let body: (AsyncIterable<Uint8Array> & { destroy?: () => void }) | Buffer | string | undefined;
	try {
		const res = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: url.href,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			abortSignal: controller.signal,
			timeout: DOWNLOAD_TIMEOUT_MS,
		})) as { statusCode: number; headers?: IDataObject; body: unknown };
		body = res.body as typeof body;
		if (res.statusCode < 200 || res.statusCode >= 300) throw fail(`Downloading ${where} failed: HTTP ${res.statusCode}`, 'The URL must answer the file itself with a 2xx status');
		const declared = Number(headerOf(res.headers, 'content-length'));
		if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();

		let data: Buffer;
		if (Buffer.isBuffer(body) || typeof body === 'string') {
			data = Buffer.from(body);
			if (data.length > maxBytes) throw tooLarge();
		} else if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
			const chunks: Buffer[] = [];
			let size = 0;
			for await (const chunk of body as AsyncIterable<Uint8Array>) {
				size += chunk.length;
				if (size > maxBytes) throw tooLarge();
				chunks.push(Buffer.from(chunk));
			}
			data = Buffer.concat(chunks);
		} else {
			data = Buffer.alloc(0);
		}
		if (data.length === 0) throw fail(`Downloading ${where} gave no data`, 'Feishu does not take empty uploads');
		const contentType = headerOf(res.headers, 'content-type')?.split(';')[0].trim() || undefined;
		return { data, fileName: downloadFileName(url, headerOf(res.headers, 'content-disposition'), what), contentType };
	} catch (error) {
		// Ours as they are; a timeout or the HTTP library's error said plainly.
		const reason = (e: unknown) =>
			e instanceof NodeOperationError ? e : fail(timedOut ? `Downloading ${where} took longer than ${DOWNLOAD_TIMEOUT_MS / 1000} s` : `Downloading ${where} failed: ${(e as Error).message ?? String(e)}`);
		throw reason(error);
	} finally {
		timer.cancel();
		// Stop reading an answer left unread (refused, too large).
		if (body && !Buffer.isBuffer(body) && typeof body !== 'string') body.destroy?.();
		controller.abort();
	}
}

/** The file Upload Image / Upload File sends: the input binary (the default, as before) or a download. */
export async function uploadInput(context: ItemContext, what: 'image' | 'file'): Promise<DownloadedFile> {
	if (param<string>(context, 'uploadSource', 'binary') !== 'url') return binaryInput(context.ctx, context.i);
	return downloadForUpload(context.ctx, context.i, param<string>(context, 'fileUrl', ''), UPLOAD_LIMITS[what], what);
}
