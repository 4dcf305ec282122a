// Everything the sandbox remembers: apps, users, chats, messages, uploads, deliveries, recorded calls,
// faults and counters. Plain data; the modules that speak HTTP/WS read and write it.
import { newThreadId, stableHex } from './ids';
import { OAuthStore } from './oauthModel';

export type DeliveryConfig = { mode: 'long_connection' } | { mode: 'webhook'; url: string };

export interface SandboxAppConfig {
	appId: string;
	appSecret: string;
	encryptKey?: string;
	verificationToken?: string;
	botName?: string;
	botOpenId?: string;
	delivery?: DeliveryConfig;
}

export interface AppRecord {
	appId: string;
	appSecret: string;
	encryptKey: string;
	verificationToken: string;
	botName: string;
	botOpenId: string;
	delivery: DeliveryConfig;
}

export interface UserRecord {
	openId: string;
	unionId: string;
	userId: string;
	name: string;
	email: string;
	mobile?: string;
	/** The departments the user is directly in, by open_department_id; unset: the root ("0"). */
	departmentIds?: string[];
	resigned?: boolean;
}

/** A department of the tenant's directory (docs/protocol.md, "Contacts"); the root "0" is implicit. */
export interface DepartmentRecord {
	/** od-… (Feishu's own id). */
	openDepartmentId: string;
	/** The tenant's custom id. */
	departmentId: string;
	name: string;
	/** The parent's open_department_id, or "0" for the root. */
	parentOpenId: string;
	createdAt: number;
}

export interface ChatRecord {
	chatId: string;
	chatType: 'p2p' | 'group' | 'topic_group';
	name: string;
	appId: string;
	/** The user of a p2p chat. */
	userOpenId?: string;
	createdAt: number;
	/** Users in the chat by open_id, in the order they joined (the member list's order). */
	members: Set<string>;
	/** Bots in the chat by app id. */
	bots: Set<string>;
	/** Group managers: users' open_ids and bots' app ids. */
	managers: Set<string>;
	/** The owner: a user's open_id, or an app id when `ownerIsBot`. Unset for groups a person made. */
	ownerId?: string;
	ownerIsBot?: boolean;
	/** The app whose bot created the group through the Open API (it may act as owner). */
	creatorAppId?: string;
	/** What Create and Update set besides the name (description, chat_type, permissions, ...), as sent. */
	settings: Record<string, unknown>;
	dissolved?: boolean;
	announcement?: AnnouncementRecord;
}

export interface AnnouncementRecord {
	content: string;
	revision: number;
	createTime: number;
	updateTime: number;
	/** Who last wrote it: a user's open_id or an app id. */
	modifierId: string;
	modifierIsBot: boolean;
}

/** A chat record with nobody in it but what `fields` says (the bot of `appId` is always in). */
export function newChatRecord(fields: Pick<ChatRecord, 'chatId' | 'chatType' | 'name' | 'appId'> & Partial<ChatRecord>): ChatRecord {
	return {
		createdAt: Date.now(),
		members: new Set(fields.userOpenId ? [fields.userOpenId] : []),
		bots: new Set([fields.appId]),
		managers: new Set(),
		settings: {},
		...fields,
	};
}

export interface MentionRecord {
	key: string;
	id: { open_id: string; union_id: string; user_id: string };
	name: string;
	tenant_key: string;
}

export interface MessageRecord {
	messageId: string;
	chatId: string;
	appId: string;
	msgType: string;
	content: string;
	/** A user, an app's bot, or a group's custom bot (webhook). */
	from: 'user' | 'bot' | 'custom_bot';
	/** Shown instead of the user's or app bot's name (a custom bot's own name). */
	senderName?: string;
	sender: { id: string; id_type: 'open_id' | 'app_id'; sender_type: 'user' | 'app'; tenant_key: string };
	parentId?: string;
	rootId?: string;
	threadId?: string;
	upperMessageId?: string;
	mentions: MentionRecord[];
	createTime: number;
	updateTime: number;
	updated: boolean;
	deleted: boolean;
}

/** An emoji reaction on a message (docs/protocol.md, "Message reactions"). */
export interface ReactionRecord {
	reactionId: string;
	messageId: string;
	emojiType: string;
	/** An app's bot (its app id) or a user (its open_id). */
	operatorType: 'app' | 'user';
	operatorId: string;
	actionTime: number;
}

/** A pinned message (docs/protocol.md, "Pins"); one per message. */
export interface PinRecord {
	messageId: string;
	chatId: string;
	/** An app (its app id) or a user (its open_id). */
	operatorIdType: 'app_id' | 'open_id';
	operatorId: string;
	createTime: number;
}

/** A custom bot added to a group: its webhook token and security settings (docs/protocol.md, "Custom bots"). */
export interface CustomBotRecord {
	token: string;
	chatId: string;
	name: string;
	/** The id its messages carry as sender. */
	botId: string;
	/** Signing secret; empty when signature verification is off. */
	secret: string;
	/** At most 10; a message must contain one of them when any is set. */
	keywords: string[];
	/** At most 10 IPv4 addresses, `a.b.c.*` patterns or CIDR ranges; any address when empty. */
	ipAllowlist: string[];
	createdAt: number;
}

/** One batch_send (docs/protocol.md, "Batch messages"): the bm- task and the copy each user got. */
export interface BatchMessageRecord {
	batchMessageId: string;
	appId: string;
	/** The distinct valid users it was addressed to (those out of the app's contact scope included). */
	validCount: number;
	/** The users it reached, by open_id, with the message each got (in their p2p chat with the bot). */
	deliveries: { openId: string; messageId: string }[];
	createdAt: number;
	/** Set once Recall Batch Message ran. */
	recalledAt?: number;
}

/** A card shown to one user of a group (docs/protocol.md, "Ephemeral cards"). */
export interface EphemeralCardRecord {
	messageId: string;
	chatId: string;
	appId: string;
	/** Who sees it. */
	openId: string;
	/** The card JSON as sent. */
	card: string;
	createTime: number;
	deleted: boolean;
}

export interface UploadRecord {
	key: string;
	appId: string;
	kind: 'image' | 'file';
	fileType?: string;
	fileName: string;
	contentType: string;
	data: Buffer;
	createdAt: number;
}

export interface DeliveryAttempt {
	connection_id?: string;
	at: number;
	acked: boolean;
	ack_code?: number;
	ack_latency_ms?: number;
	http_status?: number;
	error?: string;
	fragments?: number;
}

export interface DeliveryRecord {
	event_id: string;
	event_type: string;
	app_id: string;
	transport: 'long_connection' | 'webhook';
	callback: boolean;
	attempts: DeliveryAttempt[];
	acked: boolean;
	redelivered: boolean;
	answer?: unknown;
	created_at: number;
	/** Why it stopped without an ack (redeliveries exhausted, no connection...). */
	gave_up?: string;
}

export interface ApiCallRecord {
	app_id?: string;
	method: string;
	path: string;
	query: Record<string, string>;
	body: unknown;
	status: number;
	code: number;
	log_id: string;
	at: number;
}

export interface Faults {
	refuseNextUpgrade?: { status: number; autherrcode?: string; msg?: string };
	failNextApi?: { count: number; code: number; httpStatus: number; msg?: string };
	latencyMs: number;
	redelivery: boolean;
	fragmentBytes?: number;
	silentDrop: boolean;
}

export const TENANT_KEY = '736588c9260f175d';

/** The group examples/send-message.json posts to; `npm run demo` creates it with the demo bot in it. */
export const DEMO_GROUP_CHAT = 'oc_sandbox_demo_chat_0001';

export const DEMO_APP: SandboxAppConfig = {
	appId: 'cli_a1b2c3d4e5f60718',
	appSecret: 'sandbox-app-secret',
	encryptKey: 'sandbox-encrypt-key',
	verificationToken: 'sandbox-verification-token',
	botName: 'Sandbox Bot',
	botOpenId: 'ou_sandbox_bot_0000000000000000000',
	delivery: { mode: 'long_connection' },
};

export const DEFAULT_USER_NAME = 'Alice';

function newFaults(): Faults {
	return { latencyMs: 0, redelivery: true, silentDrop: false };
}

export class SandboxState {
	readonly apps = new Map<string, AppRecord>();
	readonly users = new Map<string, UserRecord>(); // by open_id
	/** The directory's departments by open_department_id (the root "0" is not stored). */
	readonly departments = new Map<string, DepartmentRecord>();
	/** Each app's contact scope (open_department_ids and open_ids); an app without one sees the whole tenant. */
	readonly contactScopes = new Map<string, { departments: Set<string>; users: Set<string> }>();
	readonly chats = new Map<string, ChatRecord>();
	readonly messages = new Map<string, MessageRecord>();
	/** Reactions by reaction id, in the order they were added. */
	readonly reactions = new Map<string, ReactionRecord>();
	/** Pins by message id, in the order they were made. */
	readonly pins = new Map<string, PinRecord>();
	/** Read receipts: message id -> reader's open_id -> when they read it (ms). */
	readonly readReceipts = new Map<string, Map<string, number>>();
	/** Urgent (buzz) notifications sent, in order: which message, to whom (open_id), how. */
	readonly urgents: { messageId: string; openId: string; type: 'app' | 'sms' | 'phone'; at: number }[] = [];
	readonly uploads = new Map<string, UploadRecord>();
	/** batch_send tasks by bm- id; and how many messages each app sent that way per UTC day (`${appId}:${yyyy-mm-dd}`). */
	readonly batchMessages = new Map<string, BatchMessageRecord>();
	readonly batchSendCounts = new Map<string, number>();
	/** Ephemeral cards by message id. */
	readonly ephemeralCards = new Map<string, EphemeralCardRecord>();
	/** Custom bots by webhook token. */
	readonly customBots = new Map<string, CustomBotRecord>();
	/** Users' authorizations: codes, user tokens, refresh tokens, consent (oauthModel.ts). */
	readonly oauth = new OAuthStore();
	readonly deliveries: DeliveryRecord[] = [];
	readonly calls: ApiCallRecord[] = [];
	/** Faults per app id; '*' applies to every app. */
	readonly faults = new Map<string, Faults>();
	/** Scopes an app lacks (appScopes.ts); an app not here has every scope. */
	readonly scopeSettings = new Map<string, { missing: Set<string>; pending: Set<string> }>();
	readonly stats = {
		token_fetches: {} as Record<string, number>,
		endpoint_fetches: {} as Record<string, number>,
		malformed_frames: 0,
		unmatched_acks: 0,
		rejected_requests: 0,
		refused_upgrades: 0,
		events_sent: 0,
		frames_sent: 0,
		pings: 0,
		webhook_posts: 0,
	};
	/** uuid idempotency: `${appId}:${uuid}` -> message id and when. */
	readonly uuids = new Map<string, { messageId: string; at: number }>();
	/** Chat create idempotency: `${appId}:${uuid}:${owner}` -> chat id and when (10 h, docs/protocol.md "Chat management"). */
	readonly chatUuids = new Map<string, { chatId: string; at: number }>();
	/** Records of the schema-driven families (resourceStore.ts): family -> app id + parent ids -> record id -> record. */
	readonly resources = new Map<string, Map<string, Map<string, Record<string, unknown>>>>();

	upsertApp(config: SandboxAppConfig): AppRecord {
		const prev = this.apps.get(config.appId);
		const app: AppRecord = {
			appId: config.appId,
			appSecret: config.appSecret ?? prev?.appSecret,
			encryptKey: config.encryptKey ?? prev?.encryptKey ?? '',
			verificationToken: config.verificationToken ?? prev?.verificationToken ?? '',
			botName: config.botName ?? prev?.botName ?? 'Sandbox Bot',
			botOpenId: config.botOpenId ?? prev?.botOpenId ?? `ou_${stableHex(`bot:${config.appId}`)}`,
			delivery: config.delivery ?? prev?.delivery ?? { mode: 'long_connection' },
		};
		this.apps.set(app.appId, app);
		return app;
	}

	firstApp(): AppRecord | undefined {
		return this.apps.values().next().value;
	}

	faultsFor(appId: string): Faults {
		let f = this.faults.get(appId);
		if (!f) {
			f = newFaults();
			this.faults.set(appId, f);
		}
		return f;
	}

	/** A user by any of its ids; unknown well-formed ids create a user (the sandbox tenant has everyone). */
	userBy(idType: 'open_id' | 'user_id' | 'union_id' | 'email', id: string, name?: string): UserRecord {
		for (const u of this.users.values()) {
			if (
				(idType === 'open_id' && u.openId === id) ||
				(idType === 'user_id' && u.userId === id) ||
				(idType === 'union_id' && u.unionId === id) ||
				(idType === 'email' && u.email === id)
			) {
				if (name && u.name !== name) u.name = name;
				return u;
			}
		}
		const seed = `${idType}:${id}`;
		const user: UserRecord = {
			openId: idType === 'open_id' ? id : `ou_${stableHex(`open:${seed}`)}`,
			unionId: idType === 'union_id' ? id : `on_${stableHex(`union:${seed}`)}`,
			userId: idType === 'user_id' ? id : stableHex(`user:${seed}`, 8),
			name: name ?? (idType === 'email' ? id.split('@')[0] : `User ${id.slice(-4)}`),
			email: idType === 'email' ? id : `${stableHex(`mail:${seed}`, 8)}@sandbox.example`,
		};
		this.users.set(user.openId, user);
		return user;
	}

	defaultUser(): UserRecord {
		return this.userBy('open_id', `ou_${stableHex('sandbox-default-user')}`, DEFAULT_USER_NAME);
	}

	/** The p2p chat between an app's bot and a user (created on first use). */
	p2pChat(appId: string, user: UserRecord): ChatRecord {
		// One p2p chat per (bot, user): reuse the one the user opened, whatever its id.
		for (const c of this.chats.values()) if (c.chatType === 'p2p' && c.appId === appId && c.userOpenId === user.openId) return c;
		const chatId = `oc_${stableHex(`p2p:${appId}:${user.openId}`)}`;
		let chat = this.chats.get(chatId);
		if (!chat) {
			chat = newChatRecord({ chatId, chatType: 'p2p', name: user.name, appId, userOpenId: user.openId });
			this.chats.set(chatId, chat);
		}
		return chat;
	}

	chatMessages(chatId: string): MessageRecord[] {
		// A merged forward's children (upperMessageId) are inside it, not in the chat.
		return [...this.messages.values()].filter((m) => m.chatId === chatId && !m.upperMessageId).sort((a, b) => a.createTime - b.createTime);
	}

	/** Thread id for a reply in thread: the root's thread, created once. */
	threadFor(root: MessageRecord): string {
		if (!root.threadId) root.threadId = newThreadId();
		return root.threadId;
	}

	reset(): void {
		this.users.clear();
		this.departments.clear();
		this.contactScopes.clear();
		this.chats.clear();
		this.messages.clear();
		this.reactions.clear();
		this.pins.clear();
		this.readReceipts.clear();
		this.urgents.length = 0;
		this.uploads.clear();
		this.batchMessages.clear();
		this.batchSendCounts.clear();
		this.ephemeralCards.clear();
		this.customBots.clear();
		this.oauth.clear();
		this.deliveries.length = 0;
		this.calls.length = 0;
		this.faults.clear();
		this.scopeSettings.clear();
		this.uuids.clear();
		this.chatUuids.clear();
		this.resources.clear();
	}
}
