// A group's members and managers (docs/protocol.md, "Chat management"): add and remove users or bots
// (member_id_type, succeed_type, the per-request limits), the paged member list (users only, as
// Feishu lists them), whether the bot is in a chat, and the owner naming or dropping managers.
// Every change is kept on the chat, so later calls (list, get, send) see it.
import { chatError, checkRequest, isOwner, memberIdAs, operableChat, privileged, queryType, userFor, wellFormed, type MemberIdType, type UserIdType } from './chatModel';
import type { Router } from './http';
import type { ApiContext, OpenApi } from './openApi';
import { pageOf } from './paging';
import { TENANT_KEY, type ChatRecord, type SandboxState } from './state';

/** Per request: at most 50 users or 5 bots; at most 15 bots and 10 managers in a group. */
export const MEMBER_LIMITS = { usersPerRequest: 50, botsPerRequest: 5, botsInChat: 15, managers: 10, membersInChat: 5000 };
const MEMBER_PAGE = { defaultSize: 20, maxSize: 100 };
const SUCCEED_TYPES = [0, 1, 2];

interface SortedIds {
	/** Available users by open_id, bots by app id, each with the id as sent. */
	users: { openId: string; sent: string }[];
	bots: string[];
	/** Ids that are not ids of `type` at all. */
	invalid: string[];
	/** Well-formed ids of nobody (an app the tenant does not have). */
	notExisted: string[];
}

export function registerChatMembersApi(router: Router, api: OpenApi, state: SandboxState): void {
	const sortIds = (type: MemberIdType, ids: string[]): SortedIds => {
		const out: SortedIds = { users: [], bots: [], invalid: [], notExisted: [] };
		for (const id of new Set(ids)) {
			if (!wellFormed(type, id)) out.invalid.push(id);
			else if (type === 'app_id') (state.apps.has(id) ? out.bots : out.notExisted).push(id);
			else out.users.push({ openId: userFor(state, type, id).openId, sent: id });
		}
		return out;
	};

	/** The id list of a members or managers request, within Feishu's per-request limits. */
	const idList = (b: Record<string, unknown>, field: string, type: MemberIdType, maxUsers: number): string[] => {
		const ids = (b[field] ?? []) as string[];
		if (ids.length === 0) throw chatError('noValidMembers', `${field} is empty.`);
		if (type === 'app_id' && ids.length > MEMBER_LIMITS.botsPerRequest) throw chatError('invalidParam', `${field}: at most ${MEMBER_LIMITS.botsPerRequest} bots per request.`);
		if (type !== 'app_id' && ids.length > maxUsers) throw chatError('invalidParam', `${field}: at most ${maxUsers} users per request.`);
		return ids;
	};

	const groupOf = (ctx: ApiContext): ChatRecord => {
		const chat = operableChat(state, ctx.app, ctx.params.chat_id);
		if (chat.chatType === 'p2p') throw chatError('unsupportedChat');
		return chat;
	};

	const managerLists = (chat: ChatRecord, type: UserIdType) => {
		const all = [...chat.managers];
		return { chat_managers: all.filter((id) => !state.apps.has(id)).map((id) => memberIdAs(state, id, type)), chat_bot_managers: all.filter((id) => state.apps.has(id)) };
	};

	api.route(router, 'POST', '/open-apis/im/v1/chats/:chat_id/members', async (ctx) => {
		api.rateLimit(ctx.app, 'im.chatMembers.create');
		const b = await checkRequest(ctx, 'im.v1.chatMembers.create');
		const type = queryType<MemberIdType>(ctx, 'member_id_type', 'open_id');
		const succeedType = Number(ctx.query.get('succeed_type') || 0);
		if (!SUCCEED_TYPES.includes(succeedType)) throw chatError('invalidParam', 'succeed_type must be 0, 1 or 2.');
		const chat = groupOf(ctx);
		const sorted = sortIds(type, idList(b, 'id_list', type, MEMBER_LIMITS.usersPerRequest));
		const unavailable = [...sorted.invalid, ...sorted.notExisted];
		// 0 (the default) and 2 refuse the whole request over an unavailable id; 1 adds the rest and lists them.
		if (succeedType !== 1 && unavailable.length) throw chatError('unavailableIds', `Unavailable: ${unavailable.join(', ').slice(0, 300)}.`);
		if (sorted.users.length + sorted.bots.length === 0) throw chatError('noValidMembers');
		const bots = new Set([...chat.bots, ...sorted.bots]);
		if (bots.size > MEMBER_LIMITS.botsInChat) throw chatError('invalidParam', `a group holds at most ${MEMBER_LIMITS.botsInChat} bots.`);
		if (new Set([...chat.members, ...sorted.users.map((u) => u.openId)]).size > MEMBER_LIMITS.membersInChat) throw chatError('memberLimit');
		for (const u of sorted.users) chat.members.add(u.openId);
		for (const id of sorted.bots) chat.bots.add(id);
		return { data: { invalid_id_list: sorted.invalid, not_existed_id_list: sorted.notExisted, pending_approval_id_list: [] } };
	});

	api.route(router, 'DELETE', '/open-apis/im/v1/chats/:chat_id/members', async (ctx) => {
		api.rateLimit(ctx.app, 'im.chatMembers.delete');
		const b = await checkRequest(ctx, 'im.v1.chatMembers.delete');
		const type = queryType<MemberIdType>(ctx, 'member_id_type', 'open_id');
		const chat = groupOf(ctx);
		const sorted = sortIds(type, idList(b, 'id_list', type, MEMBER_LIMITS.usersPerRequest));
		const present = [...sorted.users.filter((u) => chat.members.has(u.openId)).map((u) => u.openId), ...sorted.bots.filter((id) => chat.bots.has(id))];
		const absent = [...sorted.invalid, ...sorted.notExisted, ...sorted.users.filter((u) => !chat.members.has(u.openId)).map((u) => u.sent), ...sorted.bots.filter((id) => !chat.bots.has(id))];
		if (present.length === 0) throw chatError('noValidMembers', `Not in the chat: ${absent.join(', ').slice(0, 300)}.`);
		if (chat.ownerId && present.includes(chat.ownerId)) throw chatError('kickOwner');
		// Anyone may leave; removing others takes the owner's rights.
		if (present.some((id) => id !== ctx.app.appId) && !privileged(chat, ctx.app.appId)) throw chatError('noPermission', 'Only the owner, a manager or the bot that created the group can remove others.');
		for (const id of present) {
			chat.members.delete(id);
			chat.bots.delete(id);
			chat.managers.delete(id);
		}
		return { data: { invalid_id_list: absent } };
	});

	api.route(router, 'GET', '/open-apis/im/v1/chats/:chat_id/members', async (ctx) => {
		await checkRequest(ctx, 'im.v1.chatMembers.get');
		const type = queryType<UserIdType>(ctx, 'member_id_type', 'open_id');
		const chat = operableChat(state, ctx.app, ctx.params.chat_id);
		// Feishu lists the users only, never the bots.
		const page = pageOf([...chat.members], ctx.query, MEMBER_PAGE);
		const items = page.items.map((openId) => ({ member_id_type: type, member_id: memberIdAs(state, openId, type), name: state.users.get(openId)?.name ?? '', tenant_key: TENANT_KEY }));
		return { data: { items, page_token: page.page_token ?? '', has_more: page.has_more, member_total: chat.members.size } };
	});

	api.route(router, 'GET', '/open-apis/im/v1/chats/:chat_id/members/is_in_chat', async (ctx) => {
		await checkRequest(ctx, 'im.v1.chatMembers.isInChat');
		const chat = state.chats.get(ctx.params.chat_id);
		if (!chat) throw chatError('unknownChat');
		if (chat.dissolved) throw chatError('dissolved');
		return { data: { is_in_chat: chat.bots.has(ctx.app.appId) } };
	});

	const managersRoute = (action: 'add_managers' | 'delete_managers', name: string) =>
		api.route(router, 'POST', `/open-apis/im/v1/chats/:chat_id/managers/${action}`, async (ctx) => {
			const b = await checkRequest(ctx, name);
			const type = queryType<MemberIdType>(ctx, 'member_id_type', 'open_id');
			const chat = groupOf(ctx);
			// Only the owner names or drops managers.
			if (!isOwner(chat, ctx.app.appId)) throw chatError('notOwner');
			const sorted = sortIds(type, idList(b, 'manager_ids', type, action === 'add_managers' ? MEMBER_LIMITS.managers : MEMBER_LIMITS.usersPerRequest));
			const ids = [...sorted.users.map((u) => u.openId), ...sorted.bots];
			const outside = [...sorted.invalid, ...sorted.notExisted, ...sorted.users.filter((u) => !chat.members.has(u.openId)).map((u) => u.sent), ...sorted.bots.filter((id) => !chat.bots.has(id))];
			if (outside.length) throw chatError('noValidMembers', `Not in the chat: ${outside.join(', ').slice(0, 300)}.`);
			if (action === 'add_managers') {
				const after = new Set([...chat.managers, ...ids.filter((id) => id !== chat.ownerId)]);
				if (after.size > MEMBER_LIMITS.managers) throw chatError('tooManyManagers');
				for (const id of after) chat.managers.add(id);
			} else {
				for (const id of ids) chat.managers.delete(id);
			}
			return { data: managerLists(chat, type === 'app_id' ? 'open_id' : type) };
		});
	managersRoute('add_managers', 'im.v1.chatManagers.addManagers');
	managersRoute('delete_managers', 'im.v1.chatManagers.deleteManagers');
}
