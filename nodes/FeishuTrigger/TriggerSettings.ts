// Reads and validates the trigger's parameters and credential once, for either transport.
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import {
	appCredentialsFrom,
	DEFAULT_ATTACHMENT_MAX_MB,
	DEFAULT_CALLBACK_BUDGET_MS,
	DEFAULT_MAX_CONCURRENT_RUNS,
	DEFAULT_MAX_WAITING_EVENTS,
	type EventFilters,
	type FeishuAppCredentials,
	FEISHU_RESOURCE_LIMIT_MB,
	parseEventTypeList,
	MAX_CALLBACK_BUDGET_MS,
	MAX_REPLAY_WINDOW_SECONDS,
	SESSION_KEYS,
	type SessionKey,
} from '../../lib/feishu';
import { CONNECTION_MODE, type ConnectionMode } from './FeishuTriggerDescription';
import { readDocuments } from './documentSubscriptions';
import type { DocumentRef } from '../../lib/feishu';

export interface TriggerSettings {
	connectionMode: ConnectionMode;
	creds: FeishuAppCredentials;
	encryptKey?: string;
	verificationToken?: string;
	filters: EventFilters;
	callbackBudgetMs: number;
	replayWindowSeconds: number;
	/** Long connection: runs in flight per app before events wait (-1: no limit). */
	maxConcurrentRuns: number;
	maxWaitingEvents: number;
	/** The files to subscribe to for document events (none unless one is selected). */
	documents: DocumentRef[];
	/** Answer in a Streaming Card (answerStream.ts). */
	answer: { enabled: boolean; workingReaction?: string };
	/** Download Attachments: a message's images and files as binary data (attachments.ts), each at most maxBytes. */
	attachments: { enabled: boolean; maxBytes: number };
}

/** The part of ITriggerFunctions / IWebhookFunctions the settings need. */
export interface SettingsSource {
	getNodeParameter(name: string, fallback?: unknown): unknown;
	getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
	getNode(): INode;
}

function clamp(value: unknown, min: number, max: number, fallback: number): number {
	const n = Number(value);
	if (!Number.isFinite(n)) return fallback;
	return Math.min(max, Math.max(min, Math.round(n)));
}

function optionalString(value: unknown): string | undefined {
	const s = typeof value === 'string' ? value.trim() : '';
	return s === '' ? undefined : s;
}

export async function readTriggerSettings(ctx: SettingsSource): Promise<TriggerSettings> {
	const node = ctx.getNode();
	const connectionMode = ctx.getNodeParameter('connectionMode', CONNECTION_MODE.longConnection) as ConnectionMode;
	const eventTypes = [
		...((ctx.getNodeParameter('events', []) as string[]) ?? []),
		...parseEventTypeList(ctx.getNodeParameter('customEventTypes', '')),
	];
	if (eventTypes.length === 0) {
		throw new NodeOperationError(node, 'Select at least one event, or enter a custom event type');
	}
	const documents = readDocuments(node, ctx.getNodeParameter('documents', ''), eventTypes);
	const messageFilters = (ctx.getNodeParameter('messageFilters', {}) ?? {}) as {
		chatType?: 'any' | 'p2p' | 'group';
		ignoreBotMessages?: boolean;
		messageTypes?: string[];
		onlyWhenMentioned?: boolean;
	};
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as {
		callbackBudgetMs?: number;
		replayWindowSeconds?: number;
		maxConcurrentRuns?: number;
		maxWaitingEvents?: number;
		answerCard?: boolean;
		downloadAttachments?: boolean;
		maxAttachmentSizeMb?: number;
		sessionKey?: string;
		workingReaction?: string;
	};

	const credentials = await ctx.getCredentials('feishuApi');
	let creds: FeishuAppCredentials;
	try {
		creds = appCredentialsFrom(credentials);
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message);
	}
	if (!creds.appId || !creds.appSecret) throw new NodeOperationError(node, 'The Feishu credential needs an App ID and an App Secret');

	const verificationToken = optionalString(credentials.verificationToken);
	if (connectionMode === CONNECTION_MODE.webhook && verificationToken === undefined) {
		throw new NodeOperationError(node, 'Webhook mode needs the Verification Token in the Feishu credential', {
			description:
				'Without it anyone who learns the webhook URL could run this workflow with forged events. Copy it from the Feishu developer console: your app > Events & Callbacks > Encryption Strategy > Verification Token. Setting an Encrypt Key there too is recommended: Feishu then signs and encrypts every request.',
		});
	}

	return {
		connectionMode,
		creds,
		encryptKey: optionalString(credentials.encryptKey),
		verificationToken,
		filters: {
			eventTypes: [...new Set(eventTypes)],
			chatType: messageFilters.chatType ?? 'any',
			// Default on: a bot answering bots is how loops start.
			ignoreBotMessages: messageFilters.ignoreBotMessages ?? true,
			messageTypes: messageFilters.messageTypes ?? [],
			onlyWhenBotMentionedInGroups: messageFilters.onlyWhenMentioned ?? false,
			sessionKey: sessionKeyOf(node, options.sessionKey),
		},
		callbackBudgetMs: clamp(options.callbackBudgetMs, 100, MAX_CALLBACK_BUDGET_MS, DEFAULT_CALLBACK_BUDGET_MS),
		replayWindowSeconds: clamp(options.replayWindowSeconds, 10, MAX_REPLAY_WINDOW_SECONDS, 300),
		// 0 or less: no limit (as n8n's RabbitMQ Trigger's "-1").
		maxConcurrentRuns: clamp(options.maxConcurrentRuns, -1, 1_000_000, DEFAULT_MAX_CONCURRENT_RUNS),
		maxWaitingEvents: clamp(options.maxWaitingEvents, 1, 1_000_000, DEFAULT_MAX_WAITING_EVENTS),
		documents,
		answer: { enabled: options.answerCard === true, workingReaction: optionalString(options.workingReaction) },
		attachments: { enabled: options.downloadAttachments === true, maxBytes: attachmentMaxBytes(options.maxAttachmentSizeMb) },
	};
}

function sessionKeyOf(node: INode, value: unknown): SessionKey {
	if (value === undefined || value === '') return 'auto';
	if (!(SESSION_KEYS as readonly unknown[]).includes(value)) throw new NodeOperationError(node, `Conversation Key must be one of ${SESSION_KEYS.join(', ')}, not "${String(value)}"`);
	return value as SessionKey;
}

/** Max Attachment Size (MB) in bytes: 20 MB by default, within Feishu's 100 MB (fractions allowed). */
function attachmentMaxBytes(value: unknown): number {
	const mb = Number(value);
	const valid = value !== undefined && value !== '' && Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_ATTACHMENT_MAX_MB;
	return Math.round(Math.min(valid, FEISHU_RESOURCE_LIMIT_MB) * 1024 * 1024);
}
