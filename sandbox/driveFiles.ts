// Drive's folder listing as Feishu documents it (docs/protocol.md, "Drive file list"):
// GET /open-apis/drive/v1/files, with the tenant or a user token. Without folder_token it lists the
// root of the caller's space, whole (Feishu does not page the root): with the tenant token what the
// app owns (the Bases and spreadsheets it made, its folders), with a user token what the user owns.
// A document merely shared with the caller is not in it. With folder_token it lists that folder, in
// pages of page_size (1–200, default 100). Drive has no type filter: callers filter the list.
// Owners are open_ids (the app's bot's for the app's own space), kept on each document
// (bitableModel.ts, sheetsModel.ts) and folder. Control: POST /_sandbox/drive/folders makes a folder
// (`name`, `owner_id`: whose space, `parent_token`?: the folder it is in).
import { BITABLE_FAMILIES } from './bitableModel';
import { bad } from './controlContext';
import { sendJson, type Router } from './http';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { fieldViolation, oneOf, pageOf } from './paging';
import type { ResourceRecord, ResourceStore } from './resourceStore';
import { sheetsId, SHEETS_FAMILY } from './sheetsModel';
import type { SandboxState } from './state';

export const DRIVE_FILES_PATH = '/open-apis/drive/v1/files';
export const FOLDER_FAMILY = 'drive.sandbox.folder';

/** Feishu's page sizes for a folder: default 100, at most 200. */
export const DRIVE_FILES_PAGE = { defaultSize: 100, maxSize: 200 } as const;

/** Drive's codes for this list (its page's error table). */
const NOT_FOUND = () => new ApiError(404, 1061003, 'not found.');
const FORBIDDEN = () => new ApiError(403, 1061004, 'forbidden.');
const PAGE_SIZE_OUT_OF_LIMIT = () => new ApiError(400, 1064001, 'page size out of limit.');

const ORDERS = ['EditedTime', 'CreatedTime'] as const;
const DIRECTIONS = ['DESC', 'ASC'] as const;
const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;

const OPEN_ID = /^ou_[A-Za-z0-9_]+$/;
const FOLDER_TOKEN = /^[A-Za-z0-9]*$/;

/**
 * Where a control route puts a new document: `owner_id` (an open_id) and `folder_token`, both
 * optional; a sentence saying what is wrong otherwise.
 */
export function documentPlace(body: ResourceRecord): { ownerId?: string; folderToken?: string } | string {
	const { owner_id: ownerId, folder_token: folderToken } = body;
	if (ownerId !== undefined && (typeof ownerId !== 'string' || !OPEN_ID.test(ownerId))) return 'owner_id is an open_id (ou_…): a person, or an app\'s bot for the app\'s own space';
	if (folderToken !== undefined && (typeof folderToken !== 'string' || !FOLDER_TOKEN.test(folderToken))) return 'folder_token is letters and digits';
	return { ownerId: ownerId as string | undefined, folderToken: folderToken as string | undefined };
}

/** One entry of the list, before its owner is given in the asked id type. */
interface Entry {
	token: string;
	name: string;
	type: 'bitable' | 'sheet' | 'folder';
	parent: string;
	ownerId: string;
	created: number;
}

const URL_PATH = { bitable: 'base', sheet: 'sheets', folder: 'drive/folder' } as const;

export function registerDriveFilesApi(router: Router, api: OpenApi, store: ResourceStore, state: SandboxState): void {
	const folders = () => store.records(FOLDER_FAMILY, '');

	/** Every Base, spreadsheet and folder the sandbox knows, as list entries. */
	const entries = (): Entry[] => {
		const out: Entry[] = [];
		for (const b of store.records(BITABLE_FAMILIES.base, '').values()) {
			out.push({ token: String(b.app_token), name: String(b.name ?? ''), type: 'bitable', parent: String(b.folder_token ?? ''), ownerId: String(b.owner_id ?? ''), created: Number(b.created_time ?? 0) });
		}
		for (const s of store.records(SHEETS_FAMILY, '').values()) {
			out.push({ token: String(s.spreadsheet_token), name: String(s.title ?? ''), type: 'sheet', parent: String(s.folder_token ?? ''), ownerId: String(s.owner_id ?? ''), created: Number(s.created_time ?? 0) });
		}
		for (const f of folders().values()) {
			out.push({ token: String(f.token), name: String(f.name ?? ''), type: 'folder', parent: String(f.parent_token ?? ''), ownerId: String(f.owner_id ?? ''), created: Number(f.created_time ?? 0) });
		}
		return out;
	};

	/** The owner as the asked id type; an owner that is no user of the directory (an app) has only its open_id. */
	const ownerAs = (openId: string, idType: (typeof USER_ID_TYPES)[number]): string | undefined => {
		if (idType === 'open_id') return openId;
		const user = state.users.get(openId);
		return user ? (idType === 'union_id' ? user.unionId : user.userId) : undefined;
	};

	api.route(
		router,
		'GET',
		DRIVE_FILES_PATH,
		(ctx: ApiContext) => {
			api.rateLimit(ctx.app, 'drive.v1.file.list', 20);
			const q = ctx.query;
			const rawSize = q.get('page_size');
			if (rawSize !== null && rawSize !== '') {
				if (!/^-?\d+$/.test(rawSize)) throw fieldViolation('page_size', 'page_size must be an integer');
				const size = Number(rawSize);
				if (size < 1 || size > DRIVE_FILES_PAGE.maxSize) throw PAGE_SIZE_OUT_OF_LIMIT();
			}
			// The sandbox keeps no edit times (a file's modified_time is when it was made), so both orders agree.
			oneOf(q, 'order_by', ORDERS, 'EditedTime');
			const direction = oneOf(q, 'direction', DIRECTIONS, 'DESC');
			const idType = oneOf(q, 'user_id_type', USER_ID_TYPES, 'open_id');
			// The caller's space: the signed-in user's with a user token, else the app's (its bot's open_id).
			const caller = ctx.tokenType === 'user' ? (ctx.user?.openId ?? '') : ctx.app.botOpenId;
			const folderToken = q.get('folder_token') ?? '';
			if (folderToken) {
				const folder = folders().get(folderToken);
				if (!folder) throw NOT_FOUND();
				if (folder.owner_id !== caller) throw FORBIDDEN();
			}
			// The root holds what the caller owns; a folder holds what is in it, whoever made it.
			const listed = entries().filter((e) => e.parent === folderToken && (folderToken !== '' || e.ownerId === caller));
			// Made in the same millisecond: the one made first is the older (records keep their creation order).
			const order = new Map(listed.map((e, i) => [e, i]));
			const sign = direction === 'ASC' ? 1 : -1;
			listed.sort((a, b) => sign * (a.created - b.created || order.get(a)! - order.get(b)!));
			const view = (e: Entry) => {
				const seconds = String(Math.floor(e.created / 1000));
				const owner = ownerAs(e.ownerId, idType);
				return {
					token: e.token,
					name: e.name,
					type: e.type,
					...(e.parent ? { parent_token: e.parent } : {}),
					url: `https://sandbox.feishu.cn/${URL_PATH[e.type]}/${e.token}`,
					created_time: seconds,
					modified_time: seconds,
					...(owner ? { owner_id: owner } : {}),
				};
			};
			// Feishu does not page the root: every file comes at once (page_size and page_token do not apply).
			if (!folderToken) return { data: { files: listed.map(view), has_more: false } };
			const page = pageOf(listed, q, DRIVE_FILES_PAGE);
			return { data: { files: page.items.map(view), has_more: page.has_more, ...(page.page_token ? { next_page_token: page.page_token } : {}) } };
		},
		{ tokens: ['tenant', 'user'] },
	);

	router.add('POST', '/_sandbox/drive/folders', async (ctx) => {
		const b = (await ctx.json()) as ResourceRecord;
		if (typeof b.owner_id !== 'string' || !OPEN_ID.test(b.owner_id)) return bad(ctx, 'owner_id is an open_id (ou_…): whose space the folder is in (an app\'s bot for the app\'s own space)');
		const parent = b.parent_token ?? '';
		if (typeof parent !== 'string' || (parent && !folders().has(parent))) return bad(ctx, `parent_token ${String(parent)} is no folder of the sandbox`);
		const token = `fldcn${sheetsId(22)}`;
		const folder = { token, name: typeof b.name === 'string' ? b.name : 'Sandbox Folder', owner_id: b.owner_id, parent_token: parent, created_time: Date.now() };
		folders().set(token, folder);
		sendJson(ctx.res, 200, { ok: true, token, name: folder.name, url: `https://sandbox.feishu.cn/drive/folder/${token}` });
	});
}
