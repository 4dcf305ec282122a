// Who the bot is (open_id, name), needed to tell its @mentions from other people's. Fetched once per
// app per process with GET /open-apis/bot/v3/info and shared by every trigger of that app with the
// same secret: a credential with a wrong secret learns nothing from the right one's look-up.
import { type BotIdentity, FeishuApiClient, type FeishuAppCredentials, type FeishuLogger, secretFingerprint } from '../../lib/feishu';

/** After a failed look-up, wait this long before asking Feishu again. */
const RETRY_AFTER_MS = 60_000;

interface Entry {
	identity?: BotIdentity;
	pending?: Promise<BotIdentity>;
	failedAt?: number;
}

const entries = new Map<string, Entry>();

// A trigger passes the same credentials object with every event: hash its secret once.
const keys = new WeakMap<FeishuAppCredentials, string>();

function keyOf(creds: FeishuAppCredentials): string {
	let key = keys.get(creds);
	if (key === undefined) {
		key = `${creds.baseUrl}|${creds.appId}|${secretFingerprint(creds.appSecret)}`;
		keys.set(creds, key);
	}
	return key;
}

/** The identity if already known (no request). */
export function cachedBotIdentity(creds: FeishuAppCredentials): BotIdentity | undefined {
	return entries.get(keyOf(creds))?.identity;
}

/**
 * The bot's identity; never rejects. When Feishu cannot tell (no bot capability, network), the
 * answer is `{}` and mention detection falls back to the mention's name / type (events.ts).
 */
export function getBotIdentity(creds: FeishuAppCredentials, logger: FeishuLogger): Promise<BotIdentity> {
	const key = keyOf(creds);
	const entry = entries.get(key) ?? {};
	entries.set(key, entry);
	if (entry.identity) return Promise.resolve(entry.identity);
	if (entry.pending) return entry.pending;
	if (entry.failedAt !== undefined && Date.now() - entry.failedAt < RETRY_AFTER_MS) return Promise.resolve({});
	entry.pending = new FeishuApiClient(creds, { logger, maxRetries: 1 })
		.getBotInfo()
		.then((info) => {
			entry.identity = { openId: info.open_id || undefined, name: info.app_name || undefined };
			return entry.identity;
		})
		.catch((error: unknown) => {
			entry.failedAt = Date.now();
			logger.warn('Feishu Trigger could not get the bot info; @mention detection falls back to the mention type', {
				appId: creds.appId,
				error: error instanceof Error ? error.message : String(error),
			});
			return {};
		})
		.finally(() => {
			entry.pending = undefined;
		});
	return entry.pending;
}
