// Read receipts (docs/protocol.md, "Read receipts"): who has read a message the bot sent (Feishu keeps
// them for 7 days and lists readers only, never who has not read it).
import type { FeishuApiClient } from './apiClient';
import { USER_ID_TYPES } from './chats';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, seg } from './paths';

/** Feishu's largest page of readers. */
export const READ_USERS_PAGE_MAX = 100;

export interface FeishuReadUser {
	user_id_type: string;
	user_id: string;
	/** When they read it: milliseconds since the epoch, as a string. */
	timestamp: string;
	tenant_key?: string;
	[key: string]: unknown;
}

/** One page of a message's readers. */
export async function listReadUsersPage(
	client: FeishuApiClient,
	p: { messageId: string; userIdType?: string; pageToken?: string; pageSize?: number },
): Promise<FeishuPage<FeishuReadUser>> {
	const id = pathId('message_id', p.messageId);
	// Feishu requires user_id_type here; open_id unless told.
	const type = p.userIdType || 'open_id';
	if (!(USER_ID_TYPES as readonly string[]).includes(type)) throw new FeishuValidationError('user_id_type', `"${type}" is not one of ${USER_ID_TYPES.join(', ')}`);
	return client.request({ method: 'GET', path: `/open-apis/im/v1/messages/${seg(id)}/read_users`, query: { user_id_type: type, page_token: p.pageToken, page_size: p.pageSize ?? READ_USERS_PAGE_MAX } });
}

/** Everyone who has read the message, or the first `limit`. */
export async function listReadUsers(client: FeishuApiClient, p: { messageId: string; userIdType?: string; limit?: number }): Promise<FeishuReadUser[]> {
	const pageSize = pageSizeFor(p.limit, READ_USERS_PAGE_MAX);
	return collectPages((pageToken) => listReadUsersPage(client, { ...p, pageToken, pageSize }), p.limit);
}
