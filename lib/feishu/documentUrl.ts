// A Feishu document as users paste it: the browser's link `https://<tenant>.feishu.cn/<kind>/<token>?…`
// (or larksuite.com), or the bare token. A document inside a wiki (`/wiki/<node_token>`) has another token
// than its own, which only the wiki API gives: such a link is refused with what to do instead.
import { FeishuValidationError } from './errors';
import { pathId } from './paths';

/** A document token: letters and digits. */
export const DOCUMENT_TOKEN = /^[A-Za-z0-9]{8,64}$/;

export interface DocumentKind {
	/** The link's path segment: `base`, `sheets`. */
	segment: string;
	/** The field the value comes from, for errors: `Base`, `Spreadsheet`. */
	field: string;
	/** What the user calls the document and its token, for errors: `Base` / `app token` (`an app token`). */
	name: string;
	tokenName: string;
	aTokenName: string;
}

/** The token and query of a document link; `undefined` for text that is no URL at all. */
export function parseDocumentUrl(input: string, kind: DocumentKind): { token: string; query: URLSearchParams } | undefined {
	const text = input.trim();
	if (!/^https?:\/\//i.test(text)) return undefined;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new FeishuValidationError(kind.field, `"${text.slice(0, 120)}" is not a valid URL`);
	}
	if (/^\/wiki\//.test(url.pathname)) {
		throw new FeishuValidationError(
			kind.field,
			`this is a wiki link: a ${kind.name} inside a wiki has its own ${kind.tokenName}; open it in its own tab (··· > Open in new tab) and copy that link, or paste the ${kind.tokenName}`,
		);
	}
	const m = new RegExp(`^/${kind.segment}/([A-Za-z0-9]+)/?$`).exec(url.pathname);
	if (!m) throw new FeishuValidationError(kind.field, `"${text.slice(0, 120)}" is not a ${kind.name} link (https://…/${kind.segment}/<token>)`);
	return { token: m[1], query: url.searchParams };
}

/** A document's token from its link or the token itself. */
export function documentTokenOf(input: string | undefined, kind: DocumentKind): string {
	const value = (input ?? '').trim();
	const parsed = parseDocumentUrl(value, kind);
	if (parsed) return parsed.token;
	if (value && !DOCUMENT_TOKEN.test(value)) throw new FeishuValidationError(kind.field, `"${value.slice(0, 80)}" is not ${kind.aTokenName} (letters and digits) or a ${kind.name} link`);
	return pathId(kind.field, value);
}
