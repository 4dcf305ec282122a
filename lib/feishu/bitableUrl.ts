// A Bitable (Base) as users paste it (docs/protocol.md, "Bitable"): the browser's link
// `https://<tenant>.feishu.cn/base/<app_token>?table=<table_id>&view=<view_id>` (or larksuite.com), or
// the bare tokens. A Base inside a wiki (`/wiki/<node_token>`) has another token than its app_token,
// which only the wiki API gives: such a link is refused with what to do instead.
import { type DocumentKind, documentTokenOf, parseDocumentUrl } from './documentUrl';
import { FeishuValidationError } from './errors';
import { pathId } from './paths';

export interface BitableLocation {
	appToken: string;
	tableId?: string;
	viewId?: string;
}

const BASE: DocumentKind = { segment: 'base', field: 'Base', name: 'Base', tokenName: 'app token', aTokenName: 'an app token' };

/** The app token (and table, view) in a Base link; `undefined` for text that is no URL at all. */
export function parseBitableUrl(input: string): BitableLocation | undefined {
	const parsed = parseDocumentUrl(input, BASE);
	if (!parsed) return undefined;
	const table = parsed.query.get('table') ?? undefined;
	const view = parsed.query.get('view') ?? undefined;
	return { appToken: parsed.token, ...(table && /^tbl[A-Za-z0-9]+$/.test(table) ? { tableId: table } : {}), ...(view && /^vew[A-Za-z0-9]+$/.test(view) ? { viewId: view } : {}) };
}

/** A Base's app token from a link or the token itself. */
export function bitableAppToken(input: string | undefined): string {
	return documentTokenOf(input, BASE);
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
