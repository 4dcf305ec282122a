// A Bitable (Base) as users paste it (docs/protocol.md, "Bitable"): the browser's link
// `https://<tenant>.feishu.cn/base/<app_token>?table=<table_id>&view=<view_id>` (or larksuite.com), or
// the bare tokens. A Base inside a wiki (`/wiki/<node_token>`) has another token than its app_token,
// which only the wiki API gives: such a link is refused with what to do instead.
import { FeishuValidationError } from './errors';
import { pathId } from './paths';

export interface BitableLocation {
	appToken: string;
	tableId?: string;
	viewId?: string;
}

const BASE_PATH = /^\/base\/([A-Za-z0-9]+)\/?$/;
const TOKEN = /^[A-Za-z0-9]{8,64}$/;

/** The app token (and table, view) in a Base link; `undefined` for text that is no URL at all. */
export function parseBitableUrl(input: string): BitableLocation | undefined {
	const text = input.trim();
	if (!/^https?:\/\//i.test(text)) return undefined;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new FeishuValidationError('Base', `"${text.slice(0, 120)}" is not a valid URL`);
	}
	if (/^\/wiki\//.test(url.pathname)) {
		throw new FeishuValidationError('Base', 'this is a wiki link: a Base inside a wiki has its own app token; open the Base in its own tab (··· > Open in new tab) and copy that link, or paste the app_token');
	}
	const m = BASE_PATH.exec(url.pathname);
	if (!m) throw new FeishuValidationError('Base', `"${text.slice(0, 120)}" is not a Base link (https://…/base/<app_token>?table=…)`);
	const table = url.searchParams.get('table') ?? undefined;
	const view = url.searchParams.get('view') ?? undefined;
	return { appToken: m[1], ...(table && /^tbl[A-Za-z0-9]+$/.test(table) ? { tableId: table } : {}), ...(view && /^vew[A-Za-z0-9]+$/.test(view) ? { viewId: view } : {}) };
}

/** A Base's app token from a link or the token itself. */
export function bitableAppToken(input: string | undefined): string {
	const value = (input ?? '').trim();
	const parsed = parseBitableUrl(value);
	if (parsed) return parsed.appToken;
	if (value && !TOKEN.test(value)) throw new FeishuValidationError('Base', `"${value.slice(0, 80)}" is not an app token (letters and digits) or a Base link`);
	return pathId('Base', value);
}

/** A table id from a Base link with `?table=` or the id itself. */
export function bitableTableId(input: string | undefined): string {
	const value = (input ?? '').trim();
	const parsed = parseBitableUrl(value);
	if (parsed) {
		if (!parsed.tableId) throw new FeishuValidationError('Table', 'the link names no table (it has no ?table=tbl…): open the table and copy its link, or pick it from the list');
		return parsed.tableId;
	}
	return pathId('Table', value);
}
