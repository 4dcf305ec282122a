// What the chat endpoints share (docs/protocol.md, "Chat management"): Feishu's 232xxx refusals, the
// chat an operation may touch, who counts as privileged in it, ids by member_id_type, and the im_v1
// schema check every chat endpoint runs first (99992402 with field_violations).
import type { ApiContext } from './openApi';
import { ApiError } from './openApi';
import { endpointSchema, loadSchemas, validateRequest } from './schemaValidator';
import type { AppRecord, ChatRecord, SandboxState, UserRecord } from './state';

export const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export const MEMBER_ID_TYPES = [...USER_ID_TYPES, 'app_id'] as const;
export type UserIdType = (typeof USER_ID_TYPES)[number];
export type MemberIdType = (typeof MEMBER_ID_TYPES)[number];

/** Feishu's chat error codes with the messages its docs give (HTTP 400 for all of them). */
export const CHAT_ERRORS = {
	invalidParam: [232001, 'Your request contains an invalid request parameter.'],
	onlyOwnerCanEdit: [232002, 'No Permission: Only chat owner or admin can edit chat information in the current situation.'],
	unknownChat: [232006, 'Your request specifies a chat_id which is invalid.'],
	unsupportedChat: [232008, 'Your request specifies a chat whose type is NOT supported currently.'],
	dissolved: [232009, 'Your request specifies a chat which has already been dissolved.'],
	outOfChat: [232011, 'Operator can NOT be out of the chat.'],
	newOwnerOutOfChat: [232012, 'New chat owner can NOT be out of the chat.'],
	memberLimit: [232013, 'You have reached the limit of maximum number of members a chat can have.'],
	noPermission: [232014, 'The token used in the request does NOT have the permissions necessary to complete the request.'],
	memberOnlyEdits: [232016, 'Non-chat-owner or Non-chat-admin can only edit certain parts.'],
	notOwnerOrCreator: [232017, 'No Permission: If the operator is NOT owner or creator with the scope, the operator can NOT complete the request.'],
	publicNameTooShort: [232020, 'Name can NOT be less than two characters for public chats.'],
	botNotFound: [232021, 'Bot can NOT be found.'],
	noValidMembers: [232027, 'There are no valid members in the ID list specified in your request.'],
	invalidUserId: [232030, 'Your request specifies a user_id which is invalid.'],
	notOwner: [232038, 'The operator is not chat owner, no permission to complete the request.'],
	tooManyManagers: [232040, 'The chat managers has reached the limit of maximum number.'],
	publicNameEmpty: [232042, "Public group chat's name should not be empty."],
	unavailableIds: [232043, 'Your request contains unavailable ids.'],
	p2pLink: [232062, 'P2P chat cannot be share link.'],
	noSharePermission: [232064, 'The operator is not a group owner or administrator, no permission to share chat link.'],
	kickOwner: [232076, "Can't kick chat owner."],
} as const satisfies Record<string, readonly [number, string]>;

/** Feishu's refusal `which`, with a detail after its message when the sandbox can say more. */
export function chatError(which: keyof typeof CHAT_ERRORS, detail?: string): ApiError {
	const [code, msg] = CHAT_ERRORS[which];
	return new ApiError(400, code, detail ? `${msg} ${detail}` : msg);
}

const im = () => loadSchemas('im_v1');

/** The im_v1 schema check of endpoint `name` (e.g. `im.v1.chatMembers.create`); returns the body. */
export async function checkRequest(ctx: ApiContext, name: string): Promise<Record<string, unknown>> {
	const endpoint = endpointSchema(im(), name);
	// Malformed JSON is refused by ctx.json() (9499, as elsewhere); an empty body is {}.
	const body: Record<string, unknown> = endpoint.data ? await ctx.json() : {};
	validateRequest(endpoint, { path: ctx.params, query: ctx.query, body: endpoint.data ? body : undefined });
	return body;
}

/** A chat the app's bot may operate on: it exists (232006), is not dissolved (232009), has the bot (232011). */
export function operableChat(state: SandboxState, app: AppRecord, chatId: string): ChatRecord {
	const chat = state.chats.get(chatId);
	if (!chat) throw chatError('unknownChat');
	if (chat.dissolved) throw chatError('dissolved');
	if (!chat.bots.has(app.appId)) throw chatError('outOfChat');
	return chat;
}

/** The owner's rights: the owner, a manager, or the bot that created the group (Feishu grants the last
 * with the im:chat:operate_as_owner scope, which the sandbox assumes every app has). */
export function privileged(chat: ChatRecord, appId: string): boolean {
	return (chat.ownerIsBot === true && chat.ownerId === appId) || chat.managers.has(appId) || chat.creatorAppId === appId;
}

export const isOwner = (chat: ChatRecord, appId: string): boolean => chat.ownerIsBot === true && chat.ownerId === appId;

/** Whether `id` has the shape of a `type` id (the sandbox tenant has every well-formed user). */
export function wellFormed(type: MemberIdType, id: unknown): id is string {
	if (typeof id !== 'string' || !id) return false;
	switch (type) {
		case 'open_id':
			return /^ou_[A-Za-z0-9_-]+$/.test(id);
		case 'union_id':
			return /^on_[A-Za-z0-9_-]+$/.test(id);
		case 'app_id':
			return /^cli_[A-Za-z0-9_-]+$/.test(id);
		default:
			return /^[A-Za-z0-9_-]{1,64}$/.test(id);
	}
}

/** The user behind a well-formed user id. */
export const userFor = (state: SandboxState, type: UserIdType, id: string): UserRecord => state.userBy(type, id);

/** A user's id of the requested type. */
export function userIdAs(user: UserRecord, type: UserIdType): string {
	return type === 'open_id' ? user.openId : type === 'union_id' ? user.unionId : user.userId;
}

/** An open_id as the requested type (the user exists: every member went through userBy). */
export function memberIdAs(state: SandboxState, openId: string, type: UserIdType): string {
	const user = state.users.get(openId);
	return user ? userIdAs(user, type) : openId;
}

/** An enumerated query parameter already checked by the schema, or its default. */
export function queryType<T extends string>(ctx: ApiContext, name: string, fallback: T): T {
	const v = ctx.query.get(name);
	return (v === null || v === '' ? fallback : v) as T;
}
