// Send and Wait answers (lib/feishu waitRelay.ts): every Feishu Trigger of the app relays the clicks and
// submits of Send and Wait cards to their waiting executions, whichever events it listens to, in both
// connection modes: the app's card callbacks come to its triggers, and only they can hand them on.
import type { ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';
import { relayWaitAnswer, type CallbackAnswer, type FeishuEnvelope } from '../../lib/feishu';
import type { TriggerSettings } from './TriggerSettings';

/** Kept for Feishu's answer to travel back within its 3 s, after n8n's reply. */
const ANSWER_MARGIN_MS = 150;

export function relayWaitAnswerFor(ctx: ITriggerFunctions | IWebhookFunctions, settings: TriggerSettings, envelope: FeishuEnvelope, value: Record<string, unknown>): Promise<CallbackAnswer> {
	return relayWaitAnswer(envelope, value, {
		appSecret: settings.creds.appSecret,
		budgetMs: Math.max(500, settings.callbackBudgetMs - ANSWER_MARGIN_MS),
		onProblem: (message) => ctx.logger.warn(`Feishu Trigger: ${message}`, { eventId: envelope.eventId, appId: settings.creds.appId }),
	});
}
