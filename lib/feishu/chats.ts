// Group chats (im/v1/chats): the chats the bot is in, a search over the chats it can see, one chat's
// details (docs/protocol.md, "Chats and users"), and managing groups: create, update, dissolve, share
// link, announcement ("Chat management"). Members and managers are in chatMembers.ts.
import { randomUUID } from 'node:crypto';
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, seg } from './paths';

export const CHATS = '/open-apis/im/v1/chats';
/** Feishu's largest page for the chat lists. */
export const CHAT_PAGE_MAX = 100;
/** Longest search query Feishu takes. */
export const CHAT_QUERY_MAX = 64;

/** A chat as the lists return it. */
export interface FeishuChat {
	chat_id: string;
	name?: string;
	avatar?: string;
	description?: string;
	owner_id?: string;
	owner_id_type?: string;
	external?: boolean;
	tenant_key?: string;
	chat_status?: string;
	[key: string]: unknown;
}

export type ChatSort = 'ByCreateTimeAsc' | 'ByActiveTimeDesc';

/** One page of the chats the bot is in. */
export async function listChatsPage(
	client: FeishuApiClient,
	p: { pageToken?: string; pageSize?: number; sortType?: ChatSort } = {},
): Promise<FeishuPage<FeishuChat>> {
	return client.request({ method: 'GET', path: CHATS, query: { page_token: p.pageToken, page_size: p.pageSize ?? CHAT_PAGE_MAX, sort_type: p.sortType } });
}

/** One page of the chats the bot can see whose name matches `query` (all of them for an empty query). */
export async function searchChatsPage(client: FeishuApiClient, p: { query?: string; pageToken?: string; pageSize?: number }): Promise<FeishuPage<FeishuChat>> {
	const query = (p.query ?? '').trim();
	if (query.length > CHAT_QUERY_MAX) throw new FeishuValidationError('query', `is longer than Feishu's ${CHAT_QUERY_MAX} characters`);
	if (!query) return listChatsPage(client, { pageToken: p.pageToken, pageSize: p.pageSize });
	return client.request({ method: 'GET', path: `${CHATS}/search`, query: { query, page_token: p.pageToken, page_size: p.pageSize ?? CHAT_PAGE_MAX } });
}

/** Every chat the bot is in, or the first `limit`. */
export async function listChats(client: FeishuApiClient, p: { limit?: number; sortType?: ChatSort } = {}): Promise<FeishuChat[]> {
	const pageSize = pageSizeFor(p.limit, CHAT_PAGE_MAX);
	return collectPages((pageToken) => listChatsPage(client, { pageToken, pageSize, sortType: p.sortType }), p.limit);
}

/** One chat's details (name, mode, owner, member counts); `chat_id` is added, as Feishu leaves it out. */
export async function getChat(client: FeishuApiClient, p: { chatId: string }): Promise<FeishuChat> {
	const id = pathId('chat_id', p.chatId);
	const data = await client.request<Omit<FeishuChat, 'chat_id'>>({ method: 'GET', path: `${CHATS}/${seg(id)}` });
	return { chat_id: id, ...data };
}

// ---- chat management: create, update, dissolve, share link, announcement (docs/protocol.md, "Chat management") ----

export const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export type UserIdType = (typeof USER_ID_TYPES)[number];
/** Feishu's per-request limits for Create: 50 users, 5 bots. */
export const CHAT_CREATE_LIMITS = { users: 50, bots: 5 } as const;
export const LINK_VALIDITY_PERIODS = ['week', 'year', 'permanently'] as const;
export type LinkValidityPeriod = (typeof LINK_VALIDITY_PERIODS)[number];

/** Settings Create and Update both take, by Feishu's field names (sent only when set). */
export interface ChatSettings {
	avatar?: string;
	description?: string;
	chat_type?: 'private' | 'public';
	add_member_permission?: 'only_owner' | 'all_members';
	share_card_permission?: 'allowed' | 'not_allowed';
	at_all_permission?: 'only_owner' | 'all_members';
	edit_permission?: 'only_owner' | 'all_members';
	join_message_visibility?: 'only_owner' | 'all_members' | 'not_anyone';
	leave_message_visibility?: 'only_owner' | 'all_members' | 'not_anyone';
	membership_approval?: 'no_approval_required' | 'approval_required';
	group_message_type?: 'chat' | 'thread';
	urgent_setting?: 'only_owner' | 'all_members';
	video_conference_setting?: 'only_owner' | 'all_members';
	hide_member_count_setting?: 'all_members' | 'only_owner';
	[key: string]: unknown;
}

export function checkUserIdType(t: string | undefined, field = 'user_id_type'): UserIdType {
	const type = t || 'open_id';
	if (!(USER_ID_TYPES as readonly string[]).includes(type)) throw new FeishuValidationError(field, `"${type}" is not one of ${USER_ID_TYPES.join(', ')}`);
	return type as UserIdType;
}

/** Non-empty, trimmed, de-duplicated ids, at most `max` of them. */
export function idList(field: string, ids: readonly string[] | undefined, max: number): string[] {
	const out = [...new Set((ids ?? []).map((id) => String(id).trim()).filter(Boolean))];
	if (out.length > max) throw new FeishuValidationError(field, `has ${out.length} IDs; Feishu takes at most ${max} per request`);
	return out;
}

const withoutEmpty = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

/**
 * Creates a group with the bot in it (owner: `ownerId`, else the bot). `uuid` dedupes: Feishu creates
 * one group per uuid and owner within 10 hours, so a retried request never makes two; without one a
 * new uuid is used, kept across this call's retries.
 */
export async function createChat(
	client: FeishuApiClient,
	p: { name?: string; ownerId?: string; userIds?: string[]; botIds?: string[]; userIdType?: string; setBotManager?: boolean; uuid?: string; settings?: ChatSettings } = {},
): Promise<FeishuChat> {
	const userIdType = checkUserIdType(p.userIdType);
	const users = idList('user_id_list', p.userIds, CHAT_CREATE_LIMITS.users);
	const bots = idList('bot_id_list', p.botIds, CHAT_CREATE_LIMITS.bots);
	const uuid = p.uuid || randomUUID();
	if (uuid.length > 50) throw new FeishuValidationError('uuid', 'should be at most 50 characters');
	const name = p.name?.trim();
	if (p.settings?.chat_type === 'public' && (!name || [...name].length < 2)) throw new FeishuValidationError('name', 'a public group needs a name of at least 2 characters');
	return client.request<FeishuChat>({
		method: 'POST',
		path: CHATS,
		query: { user_id_type: userIdType, set_bot_manager: p.setBotManager || undefined, uuid },
		body: withoutEmpty({ ...p.settings, name, owner_id: p.ownerId?.trim(), user_id_list: users.length ? users : undefined, bot_id_list: bots.length ? bots : undefined, chat_mode: 'group' }),
	});
}

/** Changes a group's name, description, owner (`ownerId`) or settings; only what is set is sent. */
export async function updateChat(client: FeishuApiClient, p: { chatId: string; name?: string; ownerId?: string; userIdType?: string; settings?: ChatSettings }): Promise<{ chat_id: string; updated: true }> {
	const id = pathId('chat_id', p.chatId);
	const body = withoutEmpty({ ...p.settings, name: p.name?.trim(), owner_id: p.ownerId?.trim() });
	if (Object.keys(body).length === 0) throw new FeishuValidationError('Update Fields', 'set at least one field to change');
	await client.request({ method: 'PUT', path: `${CHATS}/${seg(id)}`, query: { user_id_type: checkUserIdType(p.userIdType) }, body });
	return { chat_id: id, updated: true };
}

/** Dissolves a group (the bot must own it or have created it); its history is not kept. */
export async function deleteChat(client: FeishuApiClient, p: { chatId: string }): Promise<{ chat_id: string; deleted: true }> {
	const id = pathId('chat_id', p.chatId);
	await client.request({ method: 'DELETE', path: `${CHATS}/${seg(id)}` });
	return { chat_id: id, deleted: true };
}

export interface ChatLink {
	share_link: string;
	/** Unix seconds; absent for a permanent link. */
	expire_time?: string;
	is_permanent?: boolean;
	[key: string]: unknown;
}

/** A link others can join the group by: valid for a week (Feishu's default), a year, or for good. */
export async function getChatLink(client: FeishuApiClient, p: { chatId: string; validityPeriod?: string }): Promise<ChatLink & { chat_id: string }> {
	const id = pathId('chat_id', p.chatId);
	const period = p.validityPeriod || 'week';
	if (!(LINK_VALIDITY_PERIODS as readonly string[]).includes(period)) throw new FeishuValidationError('validity_period', `"${period}" is not one of ${LINK_VALIDITY_PERIODS.join(', ')}`);
	// A repeat only makes another link to the same group.
	const data = await client.request<ChatLink>({ method: 'POST', path: `${CHATS}/${seg(id)}/link`, body: { validity_period: period }, repeatable: true });
	return { chat_id: id, ...data };
}

export interface ChatAnnouncement {
	/** The announcement document, in Feishu's old Docs format (a JSON string). */
	content?: string;
	revision?: string;
	create_time?: string;
	update_time?: string;
	owner_id_type?: string;
	owner_id?: string;
	modifier_id_type?: string;
	modifier_id?: string;
	[key: string]: unknown;
}

/** A group's announcement and its revision. */
export async function getChatAnnouncement(client: FeishuApiClient, p: { chatId: string; userIdType?: string }): Promise<ChatAnnouncement & { chat_id: string }> {
	const id = pathId('chat_id', p.chatId);
	const data = await client.request<ChatAnnouncement>({ method: 'GET', path: `${CHATS}/${seg(id)}/announcement`, query: { user_id_type: checkUserIdType(p.userIdType) } });
	return { chat_id: id, ...data };
}
