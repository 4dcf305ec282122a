// Drive's folder listing (docs/protocol.md, "Drive file list"): GET /open-apis/drive/v1/files lists one
// folder's files, one level deep. Without a folder it lists the root of the caller's space: with the
// tenant token the app's own space (what the app created), with a user token that user's My Space. A
// folder pages by `page_token` / `next_page_token`; the root comes whole, in one answer.
import type { FeishuApiClient } from './apiClient';
import { FeishuApiError, FeishuValidationError } from './errors';

export const DRIVE_FILES_PATH = '/open-apis/drive/v1/files';

/** Feishu's largest page (the default is 100). */
export const DRIVE_FILES_PAGE_MAX = 200;

export const DRIVE_FILE_ORDERS = ['EditedTime', 'CreatedTime'] as const;
export type DriveFileOrder = (typeof DRIVE_FILE_ORDERS)[number];

/** `doc`, `docx`, `sheet`, `bitable`, `mindnote`, `file`, `folder`, `shortcut`, `slides`, … */
export type DriveFileType = string;

export interface DriveFile {
	token: string;
	name: string;
	type: DriveFileType;
	parent_token?: string;
	url?: string;
	/** For a shortcut: what it points to. */
	shortcut_info?: { target_type: string; target_token: string };
	/** Unix seconds, as text. */
	created_time?: string;
	modified_time?: string;
	owner_id?: string;
}

export interface DriveFilePage {
	files: DriveFile[];
	has_more: boolean;
	/** Set when `has_more`: the next page's `page_token`. */
	next_page_token?: string;
}

export interface DriveFileQuery {
	/** Empty: the root of the caller's space. */
	folderToken?: string;
	pageToken?: string;
	pageSize?: number;
	orderBy?: DriveFileOrder;
	direction?: 'ASC' | 'DESC';
	userIdType?: 'open_id' | 'union_id' | 'user_id';
}

/** One page of the folder's files (the root: all of them). */
export async function listDriveFilesPage(client: FeishuApiClient, p: DriveFileQuery = {}): Promise<DriveFilePage> {
	const pageSize = p.pageSize ?? DRIVE_FILES_PAGE_MAX;
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > DRIVE_FILES_PAGE_MAX) throw new FeishuValidationError('Page Size', `should be a whole number from 1 to ${DRIVE_FILES_PAGE_MAX}`);
	const data = await client.request<Partial<DriveFilePage> | undefined>({
		method: 'GET',
		path: DRIVE_FILES_PATH,
		query: { folder_token: p.folderToken?.trim(), page_token: p.pageToken, page_size: pageSize, order_by: p.orderBy, direction: p.direction, user_id_type: p.userIdType },
	});
	const hasMore = data?.has_more === true;
	if (hasMore && !data?.next_page_token) throw new FeishuApiError(-1, 'Feishu said there are more files but sent no next_page_token');
	return { files: Array.isArray(data?.files) ? data.files : [], has_more: hasMore, ...(hasMore ? { next_page_token: data?.next_page_token } : {}) };
}

/** How many pages one search reads at most before answering with a token for the rest. */
export const DRIVE_SEARCH_PAGES = 5;

/**
 * The documents of one type (`bitable`, `sheet`) in the folder (default: the root) whose name contains
 * `name` (case-insensitive), from the page at `pageToken` on. Drive has no type or name filter, so
 * this reads pages until it finds some (at most DRIVE_SEARCH_PAGES); `nextPageToken` continues.
 */
export async function findDriveDocuments(
	client: FeishuApiClient,
	p: { type: DriveFileType; name?: string; folderToken?: string; pageToken?: string; pageSize?: number },
): Promise<{ files: DriveFile[]; nextPageToken?: string }> {
	const wanted = (p.name ?? '').trim().toLowerCase();
	const files: DriveFile[] = [];
	let token = p.pageToken;
	for (let pages = 0; pages < DRIVE_SEARCH_PAGES; pages++) {
		const page = await listDriveFilesPage(client, { folderToken: p.folderToken, pageToken: token, pageSize: p.pageSize });
		for (const f of page.files) if (f.type === p.type && (!wanted || String(f.name ?? '').toLowerCase().includes(wanted))) files.push(f);
		token = page.has_more ? page.next_page_token : undefined;
		if (!token || files.length > 0) break;
	}
	return { files, nextPageToken: token };
}
