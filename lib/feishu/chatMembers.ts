// A group's members and managers (docs/protocol.md, "Chat management"): add or remove users and bots,
// list the users page by page, ask whether the bot is in a chat, name or drop managers. Every call
// here may be repeated without harm (adding someone twice adds them once), so POSTs are repeatable.
import type { FeishuApiClient } from './apiClient';
import { CHATS, idList, USER_ID_TYPES } from './chats';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, seg } from './paths';

export const MEMBER_ID_TYPES = [...USER_ID_TYPES, 'app_id'] as const;
export type MemberIdType = (typeof MEMBER_ID_TYPES)[number];
/** Per request: at most 50 users or 5 bots (add, remove, drop managers); at most 10 managers in a group. */
export const MEMBER_LIMITS = { users: 50, bots: 5, managers: 10 } as const;
/** Feishu's largest page of members. */
export const MEMBER_PAGE_MAX = 100;
/** How Add treats unavailable ids: 0 refuse (Feishu's default), 1 add the rest and list them, 2 refuse and list them. */
export const SUCCEED_TYPES = [0, 1, 2] as const;

export interface FeishuChatMember {
	member_id_type?: string;
	member_id: string;
	name?: string;
	tenant_key?: string;
	[key: string]: unknown;
}

export interface AddMembersResult {
	/** Ids Feishu could not use (wrong kind, not visible to the app, resigned). */
	invalid_id_list?: string[];
	/** Ids of nobody. */
	not_existed_id_list?: string[];
	/** Users waiting for the group's join approval. */
	pending_approval_id_list?: string[];
	[key: string]: unknown;
}

export interface ChatManagers {
	chat_managers?: string[];
	chat_bot_managers?: string[];
	[key: string]: unknown;
}

function checkMemberIdType(t: string | undefined, allowed: readonly string[] = MEMBER_ID_TYPES): MemberIdType {
	const type = t || 'open_id';
	if (!allowed.includes(type)) throw new FeishuValidationError('member_id_type', `"${type}" is not one of ${allowed.join(', ')}`);
	return type as MemberIdType;
}

/** The id list of one request: required, within 50 users or 5 bots. */
function memberIds(field: string, ids: readonly string[] | undefined, type: MemberIdType, maxUsers: number = MEMBER_LIMITS.users): string[] {
	const list = idList(field, ids, type === 'app_id' ? MEMBER_LIMITS.bots : maxUsers);
	if (list.length === 0) throw new FeishuValidationError(field, 'needs at least one ID');
	return list;
}

const membersPath = (chatId: string) => `${CHATS}/${seg(pathId('chat_id', chatId))}/members`;

/** Adds users (open_id, union_id, user_id) or bots (app_id) to a group. */
export async function addChatMembers(
	client: FeishuApiClient,
	p: { chatId: string; ids: string[]; memberIdType?: string; succeedType?: number },
): Promise<AddMembersResult & { chat_id: string }> {
	const type = checkMemberIdType(p.memberIdType);
	const succeedType = p.succeedType ?? 0;
	if (!(SUCCEED_TYPES as readonly number[]).includes(succeedType)) throw new FeishuValidationError('succeed_type', 'must be 0, 1 or 2');
	const ids = memberIds('id_list', p.ids, type);
	const data = await client.request<AddMembersResult>({ method: 'POST', path: membersPath(p.chatId), query: { member_id_type: type, succeed_type: succeedType }, body: { id_list: ids }, repeatable: true });
	return { chat_id: p.chatId.trim(), ...data };
}

/** Removes users or bots from a group (removing others takes the owner's or a manager's rights). */
export async function removeChatMembers(client: FeishuApiClient, p: { chatId: string; ids: string[]; memberIdType?: string }): Promise<{ chat_id: string; invalid_id_list?: string[] }> {
	const type = checkMemberIdType(p.memberIdType);
	const ids = memberIds('id_list', p.ids, type);
	const data = await client.request<{ invalid_id_list?: string[] }>({ method: 'DELETE', path: membersPath(p.chatId), query: { member_id_type: type }, body: { id_list: ids } });
	return { chat_id: p.chatId.trim(), ...data };
}

/** One page of a group's users (Feishu never lists the bots). */
export async function listChatMembersPage(
	client: FeishuApiClient,
	p: { chatId: string; memberIdType?: string; pageToken?: string; pageSize?: number },
): Promise<FeishuPage<FeishuChatMember> & { member_total?: number }> {
	const type = checkMemberIdType(p.memberIdType, USER_ID_TYPES);
	return client.request({ method: 'GET', path: membersPath(p.chatId), query: { member_id_type: type, page_token: p.pageToken, page_size: p.pageSize ?? MEMBER_PAGE_MAX } });
}

/** Every user in a group, or the first `limit`. */
export async function listChatMembers(client: FeishuApiClient, p: { chatId: string; memberIdType?: string; limit?: number }): Promise<FeishuChatMember[]> {
	const pageSize = pageSizeFor(p.limit, MEMBER_PAGE_MAX);
	return collectPages((pageToken) => listChatMembersPage(client, { chatId: p.chatId, memberIdType: p.memberIdType, pageToken, pageSize }), p.limit);
}

/** Whether the bot (the tenant token's app) is in the chat. */
export async function isInChat(client: FeishuApiClient, p: { chatId: string }): Promise<{ chat_id: string; is_in_chat: boolean }> {
	const data = await client.request<{ is_in_chat?: boolean }>({ method: 'GET', path: `${membersPath(p.chatId)}/is_in_chat` });
	return { chat_id: p.chatId.trim(), is_in_chat: data.is_in_chat === true };
}

/** Names group managers (users or bots already in the group); only the owner may. */
export async function addChatManagers(client: FeishuApiClient, p: { chatId: string; ids: string[]; memberIdType?: string }): Promise<ChatManagers & { chat_id: string }> {
	return managers(client, 'add_managers', p, MEMBER_LIMITS.managers);
}

/** Drops group managers; only the owner may. */
export async function removeChatManagers(client: FeishuApiClient, p: { chatId: string; ids: string[]; memberIdType?: string }): Promise<ChatManagers & { chat_id: string }> {
	return managers(client, 'delete_managers', p, MEMBER_LIMITS.users);
}

async function managers(client: FeishuApiClient, action: 'add_managers' | 'delete_managers', p: { chatId: string; ids: string[]; memberIdType?: string }, maxUsers: number): Promise<ChatManagers & { chat_id: string }> {
	const type = checkMemberIdType(p.memberIdType);
	const ids = memberIds('manager_ids', p.ids, type, maxUsers);
	const data = await client.request<ChatManagers>({ method: 'POST', path: `${CHATS}/${seg(pathId('chat_id', p.chatId))}/managers/${action}`, query: { member_id_type: type }, body: { manager_ids: ids }, repeatable: true });
	return { chat_id: p.chatId.trim(), ...data };
}

