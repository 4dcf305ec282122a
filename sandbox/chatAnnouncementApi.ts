// A group's announcement (docs/protocol.md, "Chat management" and "Chat announcement"): Get, and Update
// (PATCH with the `revision` the edit starts from and old-Docs batch-update `requests`). Its content is a
// document in Feishu's old Docs format; oldDocs.ts models the part of it the sandbox edits. A person sets
// an announcement through the control API (PUT /_sandbox/chats/:chat_id/announcement), stored as given.
import { chatError, checkRequest, memberIdAs, operableChat, privileged, queryType, type UserIdType } from './chatModel';
import type { Router } from './http';
import { DocEditError, editDoc } from './oldDocs';
import { ApiError, type OpenApi } from './openApi';
import type { AnnouncementRecord, ChatRecord, SandboxState } from './state';

/** How far behind the latest revision an edit may start (Feishu: 100). */
export const ANNOUNCEMENT_REVISION_WINDOW = 100;

const emptyAnnouncement = (chat: ChatRecord): AnnouncementRecord => ({
	content: '',
	revision: 0,
	createTime: chat.createdAt,
	updateTime: chat.createdAt,
	modifierId: chat.ownerId ?? chat.appId,
	modifierIsBot: chat.ownerIsBot ?? true,
});

export function registerChatAnnouncementApi(router: Router, api: OpenApi, state: SandboxState): void {
	api.route(router, 'GET', '/open-apis/im/v1/chats/:chat_id/announcement', async (ctx) => {
		await checkRequest(ctx, 'im.v1.chatAnnouncement.get');
		const type = queryType<UserIdType>(ctx, 'user_id_type', 'open_id');
		const chat = operableChat(state, ctx.app, ctx.params.chat_id);
		// A p2p chat has no announcement.
		if (chat.chatType === 'p2p') throw chatError('unsupportedChat');
		const a = chat.announcement ?? emptyAnnouncement(chat);
		const owner = chat.ownerId && !chat.ownerIsBot ? { owner_id_type: type, owner_id: memberIdAs(state, chat.ownerId, type) } : { owner_id_type: 'app_id', owner_id: chat.ownerId ?? chat.appId };
		const modifier = a.modifierIsBot ? { modifier_id_type: 'app_id', modifier_id: a.modifierId } : { modifier_id_type: type, modifier_id: memberIdAs(state, a.modifierId, type) };
		return {
			data: { content: a.content, revision: String(a.revision), create_time: String(Math.floor(a.createTime / 1000)), update_time: String(Math.floor(a.updateTime / 1000)), ...owner, ...modifier },
		};
	});

	api.route(router, 'PATCH', '/open-apis/im/v1/chats/:chat_id/announcement', async (ctx) => {
		const b = await checkRequest(ctx, 'im.v1.chatAnnouncement.patch');
		const chat = operableChat(state, ctx.app, ctx.params.chat_id);
		if (chat.chatType === 'p2p') throw chatError('unsupportedChat');
		// "Only the owner and managers edit the group's info" covers the announcement too.
		if (chat.settings.edit_permission === 'only_owner' && !privileged(chat, ctx.app.appId)) throw chatError('onlyOwnerCanEdit');
		const current = chat.announcement ?? emptyAnnouncement(chat);
		const revision = String(b.revision);
		if (!/^\d{1,18}$/.test(revision)) throw chatError('invalidParam', 'revision must be the announcement\'s revision, a number as a string.');
		const base = Number(revision);
		if (base > current.revision) throw chatError('invalidParam', `revision ${base} is newer than the announcement's (${current.revision}).`);
		if (current.revision - base > ANNOUNCEMENT_REVISION_WINDOW) throw chatError('invalidParam', `revision ${base} is more than ${ANNOUNCEMENT_REVISION_WINDOW} behind the latest (${current.revision}).`);
		const requests = (b.requests as unknown[] | undefined) ?? [];
		// Nothing to apply: nothing changes, the revision neither.
		if (requests.length === 0) return { data: {} };
		let content: string;
		try {
			content = editDoc(current.content, requests);
		} catch (error) {
			if (!(error instanceof DocEditError)) throw error;
			if (error.kind === 'invalidParam') throw chatError('invalidParam', error.message);
			throw new ApiError(400, 232018, `Updating announcement failed. ${error.message}`);
		}
		const now = Date.now();
		chat.announcement = { content, revision: current.revision + 1, createTime: current.createTime, updateTime: now, modifierId: ctx.app.appId, modifierIsBot: true };
		return { data: {} };
	});
}
