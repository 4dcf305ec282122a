// Answer in a Streaming Card (docs/protocol.md, "Streamed answers"). n8n streams a run's output (the AI
// Agent's tokens) only to the HTTP response of a webhook in its "streaming" response mode, never to a
// trigger's emit. So for each message the trigger replies at once with a "thinking" card, hands the
// message to its own answer webhook (FeishuTriggerDescription.ts, webhook "setup") with a seal only this
// app can make, reads n8n's JSON lines from that response and turns them into card updates
// (lib/feishu answerCard.ts: coalesced, rising sequence, within 10 a second), and closes the card when
// the response ends: with the final answer of the Feishu node's Send Answer, or what streamed, or an
// error line. Where no hand-off is possible the run starts as usual with the card in its item, and
// Send Answer fills it in (no streaming, but never seconds of nothing).
import type { IDataObject, IHookFunctions, INode, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import {
	AnswerText,
	answerToken,
	type AnswerCardItem,
	FeishuApiClient,
	type FeishuAppCredentials,
	type FeishuLogger,
	HandoffRefused,
	openHandoff,
	addReaction,
	readChunkLines,
	removeReaction,
	sealHandoff,
	StreamingAnswerCard,
	subscribeToApp,
	type HubEventContext,
	type HubSubscription,
} from '../../lib/feishu';
import { shapeTriggerEvent, wantsEventType } from './eventPipeline';
import type { TriggerSettings } from './TriggerSettings';
import { itemWithAttachments } from './attachments';

/** The answer webhook's name in the node description (n8n's types allow "default" and "setup"). */
export const ANSWER_WEBHOOK = 'setup';

/** The text of the card until the first token. */
const THINKING = 'Thinking…';

/** The line a card gets when the run ended without a word. */
const NO_ANSWER = 'The workflow ended without an answer.';

// Where each trigger's answer webhook is: n8n tells hook functions (checkExists, at activation, before
// the trigger starts), not triggers. Keyed by workflow and node.
const answerUrls = new Map<string, string>();
const keyOf = (workflowId: string | undefined, node: INode) => `${workflowId ?? ''}/${node.id}`;

export function rememberAnswerUrl(ctx: IHookFunctions): void {
	const url = ctx.getNodeWebhookUrl(ANSWER_WEBHOOK);
	if (url) answerUrls.set(keyOf(ctx.getWorkflow().id, ctx.getNode()), url);
}

export function answerUrlOf(workflowId: string | undefined, node: INode): string | undefined {
	return answerUrls.get(keyOf(workflowId, node));
}

export function forgetAnswerUrl(ctx: IHookFunctions): void {
	answerUrls.delete(keyOf(ctx.getWorkflow().id, ctx.getNode()));
}

/** Whether an output item gets an answer card: a person's message (not a card click, not a document event). */
export function wantsAnswerCard(settings: TriggerSettings, json: IDataObject): boolean {
	return settings.answer.enabled && typeof json.message_id === 'string' && (json.event_type === 'im.message.receive_v1' || json.event_type === 'message');
}

function clientFor(creds: FeishuAppCredentials, logger: FeishuLogger): FeishuApiClient {
	return new FeishuApiClient(creds, { logger, maxRetries: 2 });
}

export interface OpenedAnswer {
	card: StreamingAnswerCard;
	item: AnswerCardItem;
	/** Takes the working reaction off again (no-op when none was put on). */
	release(): Promise<void>;
}

/**
 * Replies to the message with the thinking card and puts the working reaction on it. Undefined when
 * Feishu refused the card (a missing cardkit:card:write scope, say): the run then goes on without one,
 * and Send Answer replies with a plain card.
 */
export async function openAnswer(settings: TriggerSettings, json: IDataObject, logger: FeishuLogger): Promise<OpenedAnswer | undefined> {
	const client = clientFor(settings.creds, logger);
	const messageId = String(json.message_id);
	const reaction = settings.answer.workingReaction
		? addReaction(client, { messageId, emojiType: settings.answer.workingReaction }).then(
				(r) => r.reaction_id,
				(error: Error) => void logger.warn('Feishu Trigger could not add the working reaction', { error: error.message, messageId }),
			)
		: Promise.resolve(undefined);
	const release = async () => {
		const reactionId = await reaction;
		if (reactionId) await removeReaction(client, { messageId, reactionId }).catch((error: Error) => logger.warn('Feishu Trigger could not remove the working reaction', { error: error.message, messageId }));
	};
	const card = new StreamingAnswerCard(client, { onError: (error) => logger.warn('Feishu Trigger: a streamed card update failed', { error: error.message }) });
	try {
		// Threads stay threads: a reply in a topic goes to the topic.
		await card.start({ replyTo: messageId, replyInThread: typeof json.thread_id === 'string' && json.thread_id !== '', thinking: THINKING });
	} catch (error) {
		logger.error('Feishu Trigger could not send the answer card (does the app have the cardkit:card:write scope?)', { error: (error as Error).message, messageId });
		await release();
		return undefined;
	}
	const ref = card.toRef()!;
	const reactionId = await reaction;
	return { card, item: { ...ref, token: answerToken(settings.creds.appSecret, ref.card_id), ...(reactionId ? { reaction_id: reactionId } : {}) }, release };
}

/**
 * Hands the item to the answer webhook and streams the run into the card until n8n ends the response.
 * Rejects only when the hand-off itself failed (nothing ran): the caller then starts the run as usual.
 */
export async function streamAnswer(url: string, settings: TriggerSettings, json: IDataObject, opened: OpenedAnswer | undefined, logger: FeishuLogger, signal: AbortSignal): Promise<void> {
	const res = await fetch(url, {
		method: 'POST',
		// Uncompressed: n8n flushes each chunk, but a gzip stream may sit in a decoder until more comes.
		headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' },
		body: JSON.stringify(sealHandoff(settings.creds.appSecret, opened ? { ...json, answer_card: opened.item } : json)),
		signal,
	});
	if (!res.ok || !res.body) {
		const body = await res.text().catch(() => '');
		throw new Error(`the answer webhook answered HTTP ${res.status} ${body.slice(0, 200)}`);
	}
	const answer = new AnswerText(opened?.item.token ?? '');
	try {
		await readChunkLines(res.body as unknown as AsyncIterable<Uint8Array>, (chunk) => {
			if (answer.add(chunk)) opened?.card.push(answer.text);
		});
	} catch (error) {
		// The response broke off (n8n stopped, the connection dropped): say so rather than freeze.
		answer.error ??= `the connection to n8n broke off (${(error as Error).message})`;
	}
	if (!opened) return;
	try {
		if (answer.final) await opened.card.finish(answer.final.text, { footer: answer.final.footer });
		else if (answer.error) await opened.card.fail(answer.error, answer.text);
		else if (answer.text.trim()) await opened.card.finish(answer.text);
		else await opened.card.fail(NO_ANSWER);
	} catch (error) {
		logger.error('Feishu Trigger could not close the answer card', { error: (error as Error).message, cardId: opened.item.card_id });
	} finally {
		await opened.release();
	}
}

/**
 * The answer webhook: a sealed hand-off from this app's trigger starts the run (n8n streams it). This
 * execution is the one that runs, so Download Attachments downloads here (attachments.ts).
 */
export async function handleAnswerWebhook(ctx: IWebhookFunctions, settings: Pick<TriggerSettings, 'creds' | 'attachments'>): Promise<IWebhookResponseData> {
	let json: IDataObject;
	try {
		json = openHandoff(settings.creds.appSecret, ctx.getBodyData()) as IDataObject;
	} catch (error) {
		// openHandoff throws nothing else: whatever it was, nothing runs.
		const reason = error instanceof HandoffRefused ? error.message : String(error);
		ctx.logger.warn(`Feishu Trigger refused a call to its answer webhook: ${reason}`);
		const res = ctx.getResponseObject();
		res.status(403).json({ error: 'Forbidden: this URL takes only messages handed on by the Feishu Trigger' });
		return { noWebhookResponse: true };
	}
	const item = await itemWithAttachments(ctx.helpers, settings, json, ctx.logger);
	return { workflowData: [item.binary ? [item] : ctx.helpers.returnJsonArray([item.json])] };
}

// The editor's test run (long connection, Answer in a Streaming Card): n8n waits for a call to the
// answer webhook's test URL, so until then this listens on the app's connection for one message and
// hands it on there. Started by the webhook's create hook, stopped by its delete hook.
const testListeners = new Map<string, HubSubscription>();

export async function listenForTestMessage(ctx: IHookFunctions, settings: TriggerSettings): Promise<void> {
	const url = ctx.getNodeWebhookUrl(ANSWER_WEBHOOK);
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n gave no URL for the answer webhook');
	const key = keyOf(ctx.getWorkflow().id, ctx.getNode());
	stopTestListener(key);
	const logger = ctx.logger;
	let taken = false;
	const handOn = (json: IDataObject | undefined, context: HubEventContext) => {
		if (!json || taken || !wantsAnswerCard(settings, json)) return;
		taken = true;
		const run = (async () => {
			const opened = await openAnswer(settings, json, logger);
			await streamAnswer(url, settings, json, opened, logger, new AbortController().signal);
		})().catch((error: Error) => logger.error('Feishu Trigger could not hand the test message on', { error: error.message }));
		context.trackRun(run);
		stopTestListener(key);
	};
	const subscription = await subscribeToApp(
		settings.creds,
		{
			onEvent: (envelope, context) => {
				if (taken || !wantsEventType(envelope, settings)) return undefined;
				const output = shapeTriggerEvent(envelope, settings, logger);
				if (output instanceof Promise) void output.then((json) => handOn(json, context));
				else handOn(output, context);
				return undefined;
			},
			onFatal: (error) => logger.error('Feishu long connection lost while waiting for a test message', { error: error.message }),
		},
		{ logger, callbackBudgetMs: settings.callbackBudgetMs, maxConcurrentRuns: settings.maxConcurrentRuns, maxWaitingEvents: settings.maxWaitingEvents },
	).catch((error: Error) => {
		throw new NodeOperationError(ctx.getNode(), error, { message: `Could not connect to Feishu: ${error.message}` });
	});
	if (taken) void subscription.unsubscribe();
	else testListeners.set(key, subscription);
}

function stopTestListener(key: string): void {
	const subscription = testListeners.get(key);
	testListeners.delete(key);
	if (subscription) void subscription.unsubscribe().catch(() => undefined);
}

export function stopTestListenerOf(ctx: IHookFunctions): void {
	stopTestListener(keyOf(ctx.getWorkflow().id, ctx.getNode()));
}
