// Event payloads as the platform sends them (docs/protocol.md, "Event envelopes" and "im.message.receive_v1 payload"): schema 2.0 envelopes with a header,
// the legacy 1.0 form, im.message.receive_v1 and card.action.trigger bodies.
import { newEventId, newUuid } from './ids';
import { TENANT_KEY, type AppRecord, type ChatRecord, type MessageRecord, type UserRecord } from './state';

export interface EventEnvelopeInput {
	eventType: string;
	event: Record<string, unknown>;
	schema?: '2.0' | '1.0';
	eventId?: string;
}

export interface BuiltEvent {
	eventId: string;
	eventType: string;
	schema: '2.0' | '1.0';
	/** The JSON object for a transport; only the verification token differs. */
	build(token: string): Record<string, unknown>;
}

export function envelope(app: AppRecord, input: EventEnvelopeInput): BuiltEvent {
	const eventId = input.eventId ?? newEventId();
	const createTime = String(Date.now());
	const schema = input.schema ?? '2.0';
	if (schema === '1.0') {
		const uuid = input.eventId ?? newUuid();
		return {
			eventId: uuid,
			eventType: input.eventType,
			schema,
			build: (token) => ({
				uuid,
				token,
				ts: String(Math.floor(Date.now() / 1000)),
				type: 'event_callback',
				event: { app_id: app.appId, tenant_key: TENANT_KEY, ...input.event, type: input.eventType },
			}),
		};
	}
	return {
		eventId,
		eventType: input.eventType,
		schema,
		build: (token) => ({
			schema: '2.0',
			header: { event_id: eventId, token, create_time: createTime, event_type: input.eventType, tenant_key: TENANT_KEY, app_id: app.appId },
			event: input.event,
		}),
	};
}

export function userIdObject(user: UserRecord): { union_id: string; user_id: string; open_id: string } {
	return { union_id: user.unionId, user_id: user.userId, open_id: user.openId };
}

export function messageReceiveEvent(message: MessageRecord, chat: ChatRecord, sender: UserRecord): Record<string, unknown> {
	return {
		sender: { sender_id: userIdObject(sender), sender_type: 'user', tenant_key: TENANT_KEY },
		message: {
			message_id: message.messageId,
			...(message.rootId ? { root_id: message.rootId } : {}),
			...(message.parentId ? { parent_id: message.parentId } : {}),
			create_time: String(message.createTime),
			update_time: String(message.updateTime),
			chat_id: chat.chatId,
			...(message.threadId ? { thread_id: message.threadId } : {}),
			chat_type: chat.chatType,
			message_type: message.msgType,
			content: message.content,
			...(message.mentions.length ? { mentions: message.mentions } : {}),
			user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Feishu/7.30.0 FeishuSandbox',
		},
	};
}

export function cardActionEvent(opts: {
	operator: UserRecord;
	message: MessageRecord;
	value: unknown;
	tag: string;
	name?: string;
	formValue?: unknown;
	inputValue?: string;
	option?: string;
	cardToken: string;
}): Record<string, unknown> {
	const action: Record<string, unknown> = { value: opts.value ?? {}, tag: opts.tag, timezone: 'Asia/Shanghai' };
	if (opts.name) action.name = opts.name;
	if (opts.formValue !== undefined) action.form_value = opts.formValue;
	if (opts.inputValue !== undefined) action.input_value = opts.inputValue;
	if (opts.option !== undefined) action.option = opts.option;
	return {
		operator: { tenant_key: TENANT_KEY, user_id: opts.operator.userId, open_id: opts.operator.openId, union_id: opts.operator.unionId },
		token: opts.cardToken,
		action,
		host: 'im_message',
		context: { open_message_id: opts.message.messageId, open_chat_id: opts.message.chatId },
	};
}
