// Webhook mode: verify the request and drop redeliveries (lib/feishu webhook.ts), run the event
// pipeline, and answer Feishu on receipt. Feishu wants HTTP 200 within 3 s (1 s for the challenge)
// and redelivers otherwise, so the answer never waits for the workflow, with one exception: a card
// action's answer is the workflow's "Respond to Card Action" (n8n's responseNode mode), or `{}` once
// the budget is spent.
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { after, type FeishuEnvelope, handleWebhookRequest, isCallbackEventType, isWebhookRedelivery } from '../../lib/feishu';
import { shapeTriggerEvent, wantsEventType } from './eventPipeline';
import { CONNECTION_MODE } from './FeishuTriggerDescription';
import type { TriggerSettings } from './TriggerSettings';

/** The parts of n8n's express request this module reads. */
interface RawRequest {
	method: string;
	headers: Record<string, string | string[] | undefined>;
	rawBody?: unknown;
	body?: unknown;
	readRawBody?: () => Promise<void>;
}

/** The parts of n8n's express response this module writes. */
interface RawResponse {
	headersSent: boolean;
	writableEnded?: boolean;
	status(code: number): RawResponse;
	json(body: unknown): RawResponse;
	once(event: 'finish' | 'close', listener: () => void): unknown;
	[method: string]: unknown;
}

/** Feishu's own success answer for events (what the official SDKs send). */
const EVENT_ACK = { msg: 'success' };

function answer(res: RawResponse, status: number, body: unknown): IWebhookResponseData {
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

/**
 * The exact bytes Feishu sent: the signature covers them. n8n keeps them as req.rawBody (a Buffer)
 * when it parses the body; otherwise ask it to read them. Re-serialising the parsed body is the last
 * resort: it only matches the signature when Feishu's JSON was compact (it is, in practice).
 */
async function rawBodyOf(req: RawRequest): Promise<Buffer> {
	if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') {
		// Fails when n8n already consumed the stream another way (e.g. multipart): use what it parsed.
		await req.readRawBody().catch(() => {});
	}
	if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
	if (typeof req.rawBody === 'string') return Buffer.from(req.rawBody, 'utf8');
	if (Buffer.isBuffer(req.body)) return req.body;
	if (typeof req.body === 'string') return Buffer.from(req.body, 'utf8');
	return Buffer.from(req.body === undefined ? '' : JSON.stringify(req.body), 'utf8');
}

/**
 * For a card action n8n writes the response when the workflow answers. Feishu must hear back within
 * 3 s whatever the workflow does, so: after the budget answer `{}` ourselves and make n8n's late
 * write a no-op (it would otherwise throw "headers already sent"); and when the run ends without an
 * answer n8n sends an empty body, which becomes `{}` too.
 */
function guardCardResponse(res: RawResponse, budgetMs: number): void {
	const json = (res.json as (body: unknown) => RawResponse).bind(res);
	res.json = (body: unknown) => json(body === undefined || body === '' ? {} : body);
	const timer = after(budgetMs, () => {
		if (res.headersSent || res.writableEnded) return;
		json({});
		for (const method of ['status', 'json', 'send', 'end', 'setHeader', 'header', 'set', 'writeHead', 'type']) {
			if (typeof res[method] === 'function') res[method] = () => res;
		}
	});
	const clear = () => timer.cancel();
	res.once('finish', clear);
	res.once('close', clear);
}

// Feishu's 3 s deadline also covers the first bot-info look-up; past this, mentions are matched
// without it (and the look-up finishes in the background for the next event).
const BOT_LOOKUP_BUDGET_MS = 1000;

export async function handleFeishuWebhook(ctx: IWebhookFunctions, settings: TriggerSettings): Promise<IWebhookResponseData> {
	const req = ctx.getRequestObject() as unknown as RawRequest;
	const res = ctx.getResponseObject() as unknown as RawResponse;
	if (settings.connectionMode !== CONNECTION_MODE.webhook) {
		return answer(res, 404, { code: 404, msg: 'This Feishu Trigger uses the long connection, not a webhook' });
	}

	const result = handleWebhookRequest(
		{ method: req.method, headers: req.headers, rawBody: await rawBodyOf(req) },
		{ encryptKey: settings.encryptKey, verificationToken: settings.verificationToken, replayWindowSeconds: settings.replayWindowSeconds },
	);
	if (result.kind === 'reject') {
		ctx.logger.warn('Feishu Trigger rejected a webhook request', { status: result.status, reason: result.message });
		return answer(res, result.status, { code: result.status, msg: result.message });
	}
	if (result.kind === 'challenge') return answer(res, 200, result.body);

	const envelope: FeishuEnvelope = result.envelope;
	const callback = isCallbackEventType(envelope.eventType);
	const ack = callback ? {} : EVENT_ACK;
	if (!wantsEventType(envelope, settings)) return answer(res, 200, ack);
	// Per workflow, node and mode, so two workflows on one app both run.
	if (isWebhookRedelivery(`${ctx.getWorkflow().id ?? ''}|${ctx.getNode().id}|${ctx.getMode()}`, envelope)) {
		ctx.logger.debug('Feishu Trigger ignored a redelivered event', { eventId: envelope.eventId });
		return answer(res, 200, ack);
	}

	const output = await shapeTriggerEvent(envelope, settings, ctx.logger, BOT_LOOKUP_BUDGET_MS);
	if (output === undefined) return answer(res, 200, ack);
	const workflowData = [ctx.helpers.returnJsonArray([output])];

	if (callback) {
		guardCardResponse(res, settings.callbackBudgetMs);
		return { workflowData };
	}
	res.status(200).json(EVENT_ACK);
	return { noWebhookResponse: true, workflowData };
}
