// Batch messages (docs/protocol.md, "Batch messages"): POST /open-apis/message/v4/batch_send/ sends one
// message to up to 200 users per id list and to every member of up to 200 departments (sub-departments
// included), each in their one-to-one chat with the bot; GET /im/v1/batch_messages/:id/get_progress and
// DELETE /im/v1/batch_messages/:id (recall) work on the bm- task it answers. The v4 endpoint answers its
// refusals with HTTP 200 and a 1xxxx code, as Feishu's page lists them; the im/v1 ones with HTTP 400.
// Feishu sends asynchronously; the sandbox delivers at once.
import { checkRequest, wellFormed, type UserIdType } from './chatModel';
import { childDepartments, departmentUsers, findDepartment, ROOT_DEPARTMENT, userInScope } from './contactModel';
import { validateContent } from './content';
import { sendJson, type Router } from './http';
import { hex, newMessageId } from './ids';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { TENANT_KEY, type AppRecord, type BatchMessageRecord, type MessageRecord, type SandboxState, type UserRecord } from './state';

export const BATCH_MSG_TYPES = ['text', 'image', 'post', 'share_chat', 'interactive'] as const;
/** At most this many ids in each of department_ids, open_ids, user_ids, union_ids. */
export const BATCH_ID_LIST_MAX = 200;
/** Messages one app may send through batch_send per day (11247 past it). */
export const BATCH_DAILY_MAX = 500_000;
const ID_LISTS = ['department_ids', 'open_ids', 'user_ids', 'union_ids'] as const;
const USER_LISTS: Record<string, UserIdType> = { open_ids: 'open_id', user_ids: 'user_id', union_ids: 'union_id' };

/** A v4 refusal: HTTP 200, Feishu's code and message, the sandbox's detail after it. */
const v4Error = (code: number, msg: string, detail?: string) => new ApiError(200, code, detail ? `${msg} ${detail}` : msg);
const invalidParameter = (detail: string) => v4Error(10003, 'Invalid parameter.', detail);

/** The batch task of this app, or Feishu's 230030 / 230012. */
function ownBatch(state: SandboxState, app: AppRecord, id: string): BatchMessageRecord {
	const batch = state.batchMessages.get(id);
	if (!batch) throw new ApiError(400, 230030, 'The message id is invalid, record not found.');
	if (batch.appId !== app.appId) throw new ApiError(400, 230012, 'Bot is NOT the sender of the message.');
	return batch;
}

/** The content as `im/v1` stores it (the sandbox's content checks), from the v4 body. */
function storedContent(state: SandboxState, app: AppRecord, msgType: string, b: Record<string, unknown>): string {
	const asObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
	if (msgType === 'interactive') {
		if (!asObject(b.card)) throw invalidParameter('card: an interactive message takes its card, a JSON object, in "card" (not "content")');
	} else {
		if (b.card !== undefined) throw invalidParameter(`card: only interactive messages take "card"; a ${msgType} message takes "content"`);
		if (!asObject(b.content)) throw invalidParameter('content: a JSON object (not a string) is required for this msg_type');
	}
	const content = b.content as Record<string, unknown>;
	let im: unknown;
	switch (msgType) {
		case 'image': {
			const key = content.image_key;
			const upload = typeof key === 'string' ? state.uploads.get(key) : undefined;
			if (!upload || upload.kind !== 'image' || upload.appId !== app.appId) throw v4Error(11227, 'Image key not exist.');
			im = { image_key: key };
			break;
		}
		case 'post': {
			if (!asObject(content.post)) throw v4Error(11246, 'Create message content fail.', 'post content goes under "post": {"post": {"zh_cn": {...}}}');
			if (JSON.stringify(content.post).includes('"tag":"md"')) throw v4Error(11246, 'Create message content fail.', 'batch_send does not take the md tag in post content');
			im = content.post;
			break;
		}
		case 'share_chat': {
			const chat = typeof content.share_chat_id === 'string' ? state.chats.get(content.share_chat_id) : undefined;
			if (!chat || chat.dissolved) throw v4Error(11231, 'Chat not found.');
			im = { chat_id: chat.chatId };
			break;
		}
		case 'interactive':
			im = b.card;
			break;
		default:
			im = content;
	}
	try {
		return validateContent(state, app, msgType, JSON.stringify(im)).content;
	} catch (error) {
		if (error instanceof ApiError) throw v4Error(11246, 'Create message content fail.', error.message);
		throw error;
	}
}

export function registerBatchMessageApi(router: Router, api: OpenApi, state: SandboxState): void {
	const botSender = (app: AppRecord) => ({ id: app.appId, id_type: 'app_id' as const, sender_type: 'app' as const, tenant_key: TENANT_KEY });

	// The trailing slash of Feishu's URL is optional here: the router ignores it.
	api.route(router, 'POST', '/open-apis/message/v4/batch_send', async (ctx: ApiContext) => {
		api.rateLimit(ctx.app, 'message.v4.batch_send');
		const b = await ctx.json();
		const msgType = b.msg_type;
		if (typeof msgType !== 'string' || !(BATCH_MSG_TYPES as readonly string[]).includes(msgType)) {
			throw invalidParameter(`msg_type: one of ${BATCH_MSG_TYPES.join(', ')} is required`);
		}
		const lists: Record<string, string[]> = {};
		for (const key of ID_LISTS) {
			const v = b[key];
			if (v === undefined || v === null) {
				lists[key] = [];
				continue;
			}
			if (!Array.isArray(v) || !v.every((id) => typeof id === 'string')) throw invalidParameter(`${key}: a list of strings`);
			if (v.length > BATCH_ID_LIST_MAX) throw invalidParameter(`${key}: at most ${BATCH_ID_LIST_MAX} ids`);
			lists[key] = v as string[];
		}
		if (ID_LISTS.every((key) => lists[key].length === 0)) throw invalidParameter('fill in at least one of department_ids, open_ids, user_ids, union_ids');
		const content = storedContent(state, ctx.app, msgType, b);

		// Who it is for: each list's ids, the members of each department and of every department under it.
		const recipients = new Map<string, UserRecord>();
		const invalid: Record<string, string[]> = { department_ids: [], open_ids: [], user_ids: [], union_ids: [] };
		for (const [key, type] of Object.entries(USER_LISTS)) {
			for (const id of new Set(lists[key])) {
				const user = wellFormed(type, id) ? state.userBy(type, id) : undefined;
				if (!user || user.resigned) invalid[key].push(id);
				else recipients.set(user.openId, user);
			}
		}
		for (const id of new Set(lists.department_ids)) {
			// Feishu takes no root department ("0") here.
			// Either kind of department id (Feishu's open_department_id or the tenant's department_id).
			const found = id === ROOT_DEPARTMENT ? undefined : (findDepartment(state, 'open_department_id', id) ?? findDepartment(state, 'department_id', id));
			const dept = found === ROOT_DEPARTMENT ? undefined : found;
			if (!dept) {
				invalid.department_ids.push(id);
				continue;
			}
			for (const d of [dept, ...childDepartments(state, dept.openDepartmentId, true)]) {
				for (const user of departmentUsers(state, d.openDepartmentId)) recipients.set(user.openId, user);
			}
		}

		const day = `${ctx.app.appId}:${new Date().toISOString().slice(0, 10)}`;
		const sentToday = state.batchSendCounts.get(day) ?? 0;
		if (sentToday + recipients.size > BATCH_DAILY_MAX) throw v4Error(11247, 'Internal send message trigger rate limit.');
		state.batchSendCounts.set(day, sentToday + recipients.size);

		// Valid users outside the app's contact scope count as valid but get nothing (Feishu's progress page).
		const batch: BatchMessageRecord = { batchMessageId: `bm-${hex(16)}`, appId: ctx.app.appId, validCount: recipients.size, deliveries: [], createdAt: Date.now() };
		for (const user of recipients.values()) {
			if (!userInScope(state, ctx.app, user)) continue;
			const chat = state.p2pChat(ctx.app.appId, user);
			const now = Date.now();
			const m: MessageRecord = {
				messageId: newMessageId(),
				chatId: chat.chatId,
				appId: ctx.app.appId,
				msgType,
				content,
				from: 'bot',
				sender: botSender(ctx.app),
				mentions: [],
				createTime: now,
				updateTime: now,
				updated: false,
				deleted: false,
			};
			state.messages.set(m.messageId, m);
			batch.deliveries.push({ openId: user.openId, messageId: m.messageId });
		}
		state.batchMessages.set(batch.batchMessageId, batch);
		return {
			msg: 'ok',
			data: {
				message_id: batch.batchMessageId,
				invalid_department_ids: invalid.department_ids,
				invalid_open_ids: invalid.open_ids,
				invalid_user_ids: invalid.user_ids,
				invalid_union_ids: invalid.union_ids,
			},
		};
	});

	api.route(router, 'GET', '/open-apis/im/v1/batch_messages/:batch_message_id/get_progress', async (ctx) => {
		await checkRequest(ctx, 'im.v1.batchMessage.getProgress');
		const batch = ownBatch(state, ctx.app, ctx.params.batch_message_id);
		const read = batch.deliveries.filter((d) => state.readReceipts.get(d.messageId)?.has(d.openId)).length;
		return {
			data: {
				batch_message_send_progress: { valid_user_ids_count: batch.validCount, success_user_ids_count: batch.deliveries.length, read_user_ids_count: read },
				batch_message_recall_progress: { recall: batch.recalledAt !== undefined, recall_count: batch.recalledAt !== undefined ? batch.deliveries.length : 0 },
			},
		};
	});

	api.route(router, 'DELETE', '/open-apis/im/v1/batch_messages/:batch_message_id', async (ctx) => {
		await checkRequest(ctx, 'im.v1.batchMessage.delete');
		const batch = ownBatch(state, ctx.app, ctx.params.batch_message_id);
		const now = Date.now();
		batch.recalledAt ??= now;
		for (const d of batch.deliveries) {
			const m = state.messages.get(d.messageId);
			if (m && !m.deleted) {
				m.deleted = true;
				m.updateTime = now;
			}
		}
		return { data: {} };
	});

	// Control: the batch tasks sent, oldest first, with the message each user got.
	router.add('GET', '/_sandbox/batch-messages', (ctx) => {
		const appId = ctx.query.get('app_id');
		const batches = [...state.batchMessages.values()].filter((b) => !appId || b.appId === appId);
		sendJson(ctx.res, 200, {
			batch_messages: batches.map((b) => ({
				batch_message_id: b.batchMessageId,
				app_id: b.appId,
				valid_user_ids_count: b.validCount,
				deliveries: b.deliveries.map((d) => ({ open_id: d.openId, message_id: d.messageId })),
				recalled: b.recalledAt !== undefined,
				created_at: b.createdAt,
			})),
		});
	});
}
