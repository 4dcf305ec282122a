// multipart/form-data encoding into one Buffer. Building the body ourselves (instead of a FormData
// class) lets the same bytes go through fetch or through n8n's request helpers, which only recognise
// their own FormData instances.
import { randomBytes } from 'node:crypto';

export interface MultipartFile {
	data: Buffer;
	fileName: string;
	contentType?: string;
}

export type MultipartValue = string | number | MultipartFile;

export interface EncodedMultipart {
	body: Buffer;
	contentType: string;
}

function quote(value: string): string {
	return value.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));
}

// A MIME type comes from the file's metadata: anything but a plain `type/subtype; params` (a CR or
// LF would start new part headers) falls back to the generic type.
function mimeType(value: string | undefined): string {
	return value && /^[\w.+-]+\/[\w.+-]+(\s*;[^\r\n]*)?$/.test(value) ? value : 'application/octet-stream';
}

export function isMultipartFile(value: unknown): value is MultipartFile {
	return typeof value === 'object' && value !== null && Buffer.isBuffer((value as MultipartFile).data);
}

/** Fields in insertion order; undefined values are skipped. Feishu wants the file part last. */
export function encodeMultipart(fields: Record<string, MultipartValue | undefined>): EncodedMultipart {
	const boundary = `----feishu${randomBytes(12).toString('hex')}`;
	const chunks: Buffer[] = [];
	const entries = Object.entries(fields).filter(([, v]) => v !== undefined) as [string, MultipartValue][];
	// Files after plain fields, whatever order the caller used.
	entries.sort((a, b) => Number(isMultipartFile(a[1])) - Number(isMultipartFile(b[1])));
	for (const [name, value] of entries) {
		let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"`;
		if (isMultipartFile(value)) {
			head += `; filename="${quote(value.fileName)}"\r\nContent-Type: ${mimeType(value.contentType)}\r\n\r\n`;
			chunks.push(Buffer.from(head, 'utf8'), value.data, Buffer.from('\r\n'));
		} else {
			chunks.push(Buffer.from(`${head}\r\n\r\n${String(value)}\r\n`, 'utf8'));
		}
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
