// Webhook mode: verify the request and drop redeliveries (lib/feishu webhook.ts), run the event
// pipeline, and answer Feishu. Feishu wants HTTP 200 within 3 s (1 s for the challenge) and
// redelivers otherwise, so the answer never waits for the workflow. An event's ack is n8n's to send
// when the trigger listens to no callbacks (onReceived; n8n 2.x sends it once the run is stored or
// queued, so a crash before that means a redelivery rather than a lost event), unless n8n takes
// longer than the ack deadline or a burst already has events waiting: then, and for a trigger that
// also takes callbacks, webhook() acks on receipt. A card action's answer is the workflow's
// "Respond to Card Action" (n8n's responseNode mode), or `{}` once the budget is spent.
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { after, delay, type FeishuEnvelope, forgetWebhookDelivery, handleWebhookRequest, isCallbackEventType, isWebhookRedelivery, waitActionOf, type WebhookRequest, type WebhookResult } from '../../lib/feishu';
import { shapeTriggerEvent, wantsEventType } from './eventPipeline';
import { CONNECTION_MODE, webhookResponseMode } from './FeishuTriggerDescription';
import { readTriggerSettings, type TriggerSettings } from './TriggerSettings';
import { webhookSettingsSource } from './webhookCredentials';
import { relayWaitAnswerFor } from './waitAnswers';
import { ANSWER_WEBHOOK, openAnswer, streamAnswer, wantsAnswerCard } from './answerStream';
import { itemWithAttachments, wantsAttachments } from './attachments';

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
	statusCode?: number;
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
 * n8n writes this response later: a card action's answer when the workflow gives it, an event's ack
 * once n8n holds the run. Feishu must hear back within 3 s whatever n8n does, so after `budgetMs`
 * answer `fallback` ourselves and make n8n's late write a no-op (it would otherwise throw "headers
 * already sent"). `onFallback` runs when the fallback was sent.
 */
function answerByDeadline(res: RawResponse, budgetMs: number, fallback: unknown, onFallback?: () => void): void {
	const status = (res.status as (code: number) => RawResponse).bind(res);
	const json = (res.json as (body: unknown) => RawResponse).bind(res);
	const timer = after(budgetMs, () => {
		if (res.headersSent || res.writableEnded) return;
		status(200);
		json(fallback);
		for (const method of ['status', 'json', 'send', 'end', 'setHeader', 'header', 'set', 'writeHead', 'type']) {
			if (typeof res[method] === 'function') res[method] = () => res;
		}
		onFallback?.();
	});
	const clear = () => timer.cancel();
	res.once('finish', clear);
	res.once('close', clear);
}

/** A card action: the workflow's answer, or `{}` after the budget; a run that ends without an answer makes n8n send an empty body, which becomes `{}` too. */
function guardCardResponse(res: RawResponse, budgetMs: number): void {
	const json = (res.json as (body: unknown) => RawResponse).bind(res);
	res.json = (body: unknown) => json(body === undefined || body === '' ? {} : body);
	answerByDeadline(res, budgetMs, {});
}

/**
 * How long after webhook() started an event's ack may wait for n8n to hold its run (store it, queue
 * it) before the trigger sends it itself. Feishu's 3 s also cover the network and n8n's work before
 * webhook() (finding and loading the workflow: up to 0.85 s measured in bursts of 100 on 2 cores),
 * which no deadline here can shorten. The long connection's ack deadline is the same idea
 * (eventPacer.ts).
 */
export const EVENT_ACK_DEADLINE_MS = 1000;

/**
 * At most this many events per process wait for n8n at a time, and none for a while after one had to
 * be acked at its deadline (n8n is behind): the rest of a burst is acked on receipt. Those that wait
 * came first, so n8n stores their runs first; later events of a burst would wait behind all of them,
 * enter webhook() late (n8n's own work before it is slow then too) and end at the deadline. Measured
 * with the deadline alone: a burst of 100 in queue mode at load 8 on 2 cores missed Feishu's 3 s for
 * a third of its events; with the cap alone, at load 5, the tail was still 1 s over acks on receipt.
 */
export const MAX_EVENTS_WAITING_FOR_N8N = 10;
export const BEHIND_BACKOFF_MS = 3000;
let waitingForN8n = 0;
let lastDeadlineAck = Number.NEGATIVE_INFINITY;

/** Whether this event's ack may wait for n8n to hold its run. */
function mayWaitForN8n(now: number): boolean {
	return waitingForN8n < MAX_EVENTS_WAITING_FOR_N8N && now - lastDeadlineAck >= BEHIND_BACKOFF_MS;
}

// Feishu's 3 s deadline also covers the first bot-info look-up; past this, mentions are matched
// without it (and the look-up finishes in the background for the next event).
const BOT_LOOKUP_BUDGET_MS = 1000;

function verify(request: WebhookRequest, settings: TriggerSettings): WebhookResult {
	return handleWebhookRequest(request, { encryptKey: settings.encryptKey, verificationToken: settings.verificationToken, replayWindowSeconds: settings.replayWindowSeconds });
}

export async function handleFeishuWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const started = performance.now();
	const req = ctx.getRequestObject() as unknown as RawRequest;
	const res = ctx.getResponseObject() as unknown as RawResponse;
	const source = webhookSettingsSource(ctx, false);
	let settings = await readTriggerSettings(source);
	if (settings.connectionMode !== CONNECTION_MODE.webhook) {
		return answer(res, 404, { code: 404, msg: 'This Feishu Trigger uses the long connection, not a webhook' });
	}

	const request: WebhookRequest = { method: req.method, headers: req.headers, rawBody: await rawBodyOf(req) };
	let result = verify(request, settings);
	if (result.kind === 'reject' && source.served === 'kept') {
		// Refused with the kept credential: check against the current one (it may have been rotated).
		settings = await readTriggerSettings(webhookSettingsSource(ctx, true));
		result = verify(request, settings);
	}
	if (result.kind === 'reject') {
		ctx.logger.warn('Feishu Trigger rejected a webhook request', { status: result.status, reason: result.message });
		return answer(res, result.status, { code: result.status, msg: result.message });
	}
	if (result.kind === 'challenge') return answer(res, 200, result.body);

	const envelope: FeishuEnvelope = result.envelope;
	const callback = isCallbackEventType(envelope.eventType);
	const ack = callback ? {} : EVENT_ACK;
	// An answer to a Send and Wait card goes to its waiting execution, not to this workflow.
	const waitValue = waitActionOf(envelope);
	if (waitValue) return answer(res, 200, await relayWaitAnswerFor(ctx, settings, envelope, waitValue));
	if (!wantsEventType(envelope, settings)) return answer(res, 200, ack);
	// Per workflow, node and mode, so two workflows on one app both run.
	const scope = `${ctx.getWorkflow().id ?? ''}|${ctx.getNode().id}|${ctx.getMode()}`;
	if (isWebhookRedelivery(scope, envelope)) {
		ctx.logger.debug('Feishu Trigger ignored a redelivered event', { eventId: envelope.eventId });
		return answer(res, 200, ack);
	}

	const output = await shapeTriggerEvent(envelope, settings, ctx.logger, BOT_LOOKUP_BUDGET_MS);
	if (output === undefined) return answer(res, 200, ack);
	if (wantsAnswerCard(settings, output)) {
		answerByDeadline(res, Math.max(0, EVENT_ACK_DEADLINE_MS - (performance.now() - started)), EVENT_ACK);
		return await answerInCard(ctx, settings, output, res);
	}
	let item: INodeExecutionData = { json: output };
	if (wantsAttachments(settings, output)) {
		// Download Attachments: Feishu's ack does not wait for the downloads (sent by the deadline at the latest).
		answerByDeadline(res, Math.max(0, EVENT_ACK_DEADLINE_MS - (performance.now() - started)), EVENT_ACK);
		item = await itemWithAttachments(ctx.helpers, settings, output, ctx.logger);
	}
	const workflowData = [item.binary ? [item] : ctx.helpers.returnJsonArray([item.json])];

	if (callback) {
		guardCardResponse(res, settings.callbackBudgetMs);
		return { workflowData };
	}
	const mode = webhookResponseMode({ events: ctx.getNodeParameter('events', []), customEventTypes: ctx.getNodeParameter('customEventTypes', '') });
	if (mode === 'onReceived' && mayWaitForN8n(performance.now())) {
		waitingForN8n++;
		let done = false;
		const settled = () => {
			if (done) return;
			done = true;
			waitingForN8n--;
		};
		res.once('finish', () => {
			settled();
			// n8n answers 500 when it could not take the run: Feishu's retry must then run, not be dropped.
			if (res.statusCode !== 200) forgetWebhookDelivery(scope, envelope);
		});
		res.once('close', settled);
		// n8n slow to store the run (a burst): ack on receipt after all, as a trigger with callbacks does.
		answerByDeadline(res, EVENT_ACK_DEADLINE_MS - (performance.now() - started), EVENT_ACK, () => {
			lastDeadlineAck = performance.now();
			ctx.logger.debug('Feishu Trigger acknowledged an event before n8n held its run (ack deadline)', { eventId: envelope.eventId });
		});
		return { workflowData, webhookResponse: EVENT_ACK };
	}
	res.status(200).json(EVENT_ACK);
	return { noWebhookResponse: true, workflowData };
}

/**
 * Answer in a Streaming Card (answerStream.ts). Feishu gets its ack by the deadline whatever happens
 * here. Production: the thinking card, then the message goes to the answer webhook, whose execution
 * streams; a hand-off refused at once (the loopback URL unreachable, say) runs the workflow here
 * instead, unstreamed, so the event is never lost. The editor's test run: n8n takes one webhook call,
 * so the run is this one, with the card in its item for Send Answer to fill in.
 */
async function answerInCard(ctx: IWebhookFunctions, settings: TriggerSettings, output: IDataObject, res: RawResponse): Promise<IWebhookResponseData> {
	const opened = await openAnswer(settings, output, ctx.logger);
	const runHere = async (): Promise<IWebhookResponseData> => {
		if (!res.headersSent) res.status(200).json(EVENT_ACK);
		// Send Answer closes the card and takes the working reaction off (answer_card.reaction_id).
		const json = opened ? { ...output, answer_card: opened.item } : output;
		// Download Attachments: the images and files as binary data (attachments.ts); otherwise the json alone.
		const item = await itemWithAttachments(ctx.helpers, settings, json, ctx.logger);
		return { noWebhookResponse: true, workflowData: [item.binary ? [item] : ctx.helpers.returnJsonArray([item.json])] };
	};
	const url = ctx.getMode() === 'manual' ? undefined : ctx.getNodeWebhookUrl(ANSWER_WEBHOOK);
	if (!url) return await runHere();
	const handedOn = streamAnswer(url, settings, output, opened, ctx.logger, new AbortController().signal);
	// n8n sends the answer webhook's headers with its first chunk: no failure within HANDOFF_CHECK_MS means it runs.
	const failedFast = await Promise.race([handedOn.then(() => false, () => true), delay(HANDOFF_CHECK_MS).then(() => false)]);
	if (failedFast) {
		const error = await handedOn.catch((e: Error) => e);
		ctx.logger.warn('Feishu Trigger could not hand the message to its answer webhook; running it without streaming', { error: (error as Error)?.message });
		return await runHere();
	}
	handedOn.catch(async (error: Error) => {
		// Refused late: nothing ran, so the card must not go on saying "Thinking…".
		ctx.logger.error('Feishu Trigger could not hand the message to its answer webhook', { error: error.message });
		await opened?.card.fail(`n8n did not start the workflow (${error.message})`).catch(() => undefined);
		await opened?.release();
	});
	if (!res.headersSent) res.status(200).json(EVENT_ACK);
	return { noWebhookResponse: true };
}

const HANDOFF_CHECK_MS = 1500;
