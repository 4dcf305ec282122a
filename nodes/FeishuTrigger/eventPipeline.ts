// The trigger's event pipeline, the same for both transports once they hold a verified, not yet seen
// envelope: is the event one this trigger listens to, who is the bot (for @mention detection, looked
// up once per app), then lib/feishu's processEvent (filters, output shape). What differs per
// transport stays with it: acking (the hub for the long connection, webhookRequest.ts for webhooks)
// and how long a first bot look-up may take. Dedupe is lib/feishu's for both (the hub per app,
// webhook.ts's isWebhookRedelivery per trigger).
import type { IDataObject } from 'n8n-workflow';
import { type BotIdentity, type FeishuEnvelope, type FeishuLogger, matchesEventType, needsBotIdentity, processEvent, TIMED_OUT, within } from '../../lib/feishu';
import { cachedBotIdentity, getBotIdentity } from './botIdentity';
import type { TriggerSettings } from './TriggerSettings';
import { isForDocuments } from './documentSubscriptions';

/** The cheap first step: most events of a busy app are not for this trigger. */
export function wantsEventType(envelope: FeishuEnvelope, settings: TriggerSettings): boolean {
	// A document event about a file another trigger of the app subscribed to is not for this one.
	return matchesEventType(envelope.eventType, settings.filters.eventTypes) && isForDocuments(envelope.eventType, envelope.raw, settings.documents ?? []);
}

/**
 * The output item's json, or undefined when the filters drop the event. Synchronous unless the bot's
 * identity is needed and not yet known; `botLookupBudgetMs` caps that first look-up (the event is then
 * shaped without it, and the look-up finishes in the background for the next one).
 */
export function shapeTriggerEvent(
	envelope: FeishuEnvelope,
	settings: TriggerSettings,
	logger: FeishuLogger,
	botLookupBudgetMs?: number,
): IDataObject | undefined | Promise<IDataObject | undefined> {
	const shape = (bot: BotIdentity | undefined) => processEvent(envelope, settings.filters, bot) as IDataObject | undefined;
	const known = cachedBotIdentity(settings.creds);
	if (known || !needsBotIdentity(envelope)) return shape(known);
	const lookup = getBotIdentity(settings.creds, logger);
	if (botLookupBudgetMs === undefined) return lookup.then(shape);
	return within(lookup, botLookupBudgetMs).then((bot) => shape(bot === TIMED_OUT ? undefined : bot));
}
