// A group's announcement (docs/protocol.md, "Chat management"): Get only. Its content is a document in
// Feishu's old Docs format, and updating it (PATCH with `revision` and Docs edit `requests`) would mean
// modelling that format, which the sandbox does not; tests set an announcement through the control API
// (PUT /_sandbox/chats/:chat_id/announcement).
import { chatError, checkRequest, memberIdAs, operableChat, queryType, type UserIdType } from './chatModel';
import type { Router } from './http';
import type { OpenApi } from './openApi';
import type { SandboxState } from './state';

export function registerChatAnnouncementApi(router: Router, api: OpenApi, state: SandboxState): void {
	api.route(router, 'GET', '/open-apis/im/v1/chats/:chat_id/announcement', async (ctx) => {
		await checkRequest(ctx, 'im.v1.chatAnnouncement.get');
		const type = queryType<UserIdType>(ctx, 'user_id_type', 'open_id');
		const chat = operableChat(state, ctx.app, ctx.params.chat_id);
		// A p2p chat has no announcement.
		if (chat.chatType === 'p2p') throw chatError('unsupportedChat');
		const a = chat.announcement ?? { content: '', revision: 0, createTime: chat.createdAt, updateTime: chat.createdAt, modifierId: chat.ownerId ?? chat.appId, modifierIsBot: chat.ownerIsBot ?? true };
		const owner = chat.ownerId && !chat.ownerIsBot ? { owner_id_type: type, owner_id: memberIdAs(state, chat.ownerId, type) } : { owner_id_type: 'app_id', owner_id: chat.ownerId ?? chat.appId };
		const modifier = a.modifierIsBot ? { modifier_id_type: 'app_id', modifier_id: a.modifierId } : { modifier_id_type: type, modifier_id: memberIdAs(state, a.modifierId, type) };
		return {
			data: { content: a.content, revision: String(a.revision), create_time: String(Math.floor(a.createTime / 1000)), update_time: String(Math.floor(a.updateTime / 1000)), ...owner, ...modifier },
		};
	});
}
