// Long-connection mode: subscribe to the app's shared connection (lib/feishu connectionHub), run the
// event pipeline on every event and emit the ones this trigger wants. The hub has already acked the
// frame, dropped redeliveries and paced the event (each emitted run is tracked until n8n finishes
// it); for card actions it waits for the answer this returns.
// Lifecycle as n8n's Kafka Trigger v2: a failed start fails the activation with Feishu's message, a
// connection lost for good later goes to emitError, and close awaits an in-flight start.
import type { IBinaryKeyData, IDataObject, IDeferredPromise, IExecuteResponsePromiseData, INodeExecutionData, IRun, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { type FeishuEnvelope, type HubEventContext, type HubSubscription, isCallbackEventType, RecentEventIds, subscribeToApp, waitActionOf } from '../../lib/feishu';
import { answerWithinBudget } from './cardAnswer';
import { shapeTriggerEvent, wantsEventType } from './eventPipeline';
import type { TriggerSettings } from './TriggerSettings';
import { holdDocumentSubscriptions } from './documentSubscriptions';
import { relayWaitAnswerFor } from './waitAnswers';
import { answerUrlOf, openAnswer, streamAnswer, wantsAnswerCard } from './answerStream';
import { itemWithAttachments, wantsAttachments } from './attachments';

// n8n-workflow >= 1.1xx adds a 4th parameter: a key n8n refuses to run twice. Older n8n ignores it.
type EmitWithKey = (
	data: INodeExecutionData[][],
	responsePromise?: IDeferredPromise<IExecuteResponsePromiseData>,
	donePromise?: IDeferredPromise<IRun>,
	deduplicationKey?: string,
) => void;

// n8n keeps the key in a unique index over all executions (2.41: execution_entity.deduplicationKey),
// so it must name the workflow and node: every workflow on the app runs the event once.
export function deduplicationKeyOf(ctx: ITriggerFunctions, envelope: FeishuEnvelope): string | undefined {
	if (envelope.eventId === undefined) return undefined;
	return `feishu:${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}:${envelope.eventId}`;
}

/** Where the ids of recent runs live in the node's static data (n8n 1.x only; see persistentDedupe). */
const RECENT_EVENTS_KEY = 'recentFeishuEventIds';

/**
 * Dedupe that survives a restart. n8n 2.x keeps the key passed to emit with every execution and
 * refuses a second run with it, so it needs nothing from us. n8n 1.x has no such key (its emit takes
 * three parameters; measured on 1.123.81): there the trigger keeps the ids of recent runs in the
 * node's static data, which n8n 1.x saves with the workflow on every emit (and at activation).
 * An id goes in once its run has ended, not before the emit: saved before n8n had written the
 * execution, a kill -9 in between would drop the event's redelivery with no execution anywhere
 * (measured: 15 of 600 events lost that way). So the ids of runs that ended after the last emit are
 * not yet saved; after a crash those events may run again (their replies are idempotent, by uuid).
 * Undefined: not needed.
 */
function persistentDedupe(ctx: ITriggerFunctions): { ranBefore(eventId: string): boolean; ran(eventId: string): void } | undefined {
	if (ctx.getMode() === 'manual' || ctx.emit.length >= 4) return undefined;
	const staticData = ctx.getWorkflowStaticData('node');
	const recent = RecentEventIds.parse(staticData[RECENT_EVENTS_KEY]);
	return {
		ranBefore: (eventId) => recent.has(eventId),
		ran(eventId) {
			recent.add(eventId);
			staticData[RECENT_EVENTS_KEY] = recent.serialize();
		},
	};
}

/** Settles (always fulfilled) as soon as either promise settles either way. */
function firstSettled(a: Promise<unknown>, b: Promise<unknown>): Promise<void> {
	const settle = () => undefined;
	return Promise.race([a.then(settle, settle), b.then(settle, settle)]);
}

/**
 * Counts a run that starts after some work (a card, a download) from now on: the returned function takes
 * the run's end once it is known; the first call counts, later ones (the work's own end) are ignored.
 */
function trackLater(trackRun: HubEventContext['trackRun']): (ended: PromiseLike<unknown>) => void {
	let settle!: (ended: PromiseLike<unknown>) => void;
	trackRun(new Promise<unknown>((resolve) => (settle = (ended) => resolve(Promise.resolve(ended).catch(() => undefined)))));
	return settle;
}

export async function startLongConnection(ctx: ITriggerFunctions, settings: TriggerSettings): Promise<ITriggerResponse> {
	const manual = ctx.getMode() === 'manual';
	// Aborted first thing on close, so events and answers still in flight stop at once.
	const closeController = new AbortController();
	let subscription: HubSubscription | undefined;
	let startup: Promise<void> | undefined;
	let started = false;
	let manualEmitted = false;
	// Ends this trigger's document subscriptions (documentSubscriptions.ts), once they are made.
	let releaseDocuments: (() => Promise<void>) | undefined;
	const dedupe = persistentDedupe(ctx);

	/** Starts a run with the event; `trackRun` is told when it ends (the hub's, or answerThenRun's). */
	const emit = (envelope: FeishuEnvelope, json: IDataObject, trackRun: HubEventContext['trackRun'], binary?: IBinaryKeyData): Promise<IDataObject | undefined> | undefined => {
		// The editor's test listener runs the workflow once, on the first matching event.
		if (manual) {
			if (manualEmitted) return undefined;
			manualEmitted = true;
		}
		if (envelope.eventId !== undefined && dedupe?.ranBefore(envelope.eventId)) {
			ctx.logger.debug('Feishu Trigger ignored an event it ran before a restart', { eventId: envelope.eventId });
			return undefined;
		}
		const data = [binary ? [{ json, binary }] : ctx.helpers.returnJsonArray([json])];
		const key = deduplicationKeyOf(ctx, envelope);
		// Read ctx.emit at call time: in manual mode n8n replaces it after trigger() returns.
		const emitFn = ctx.emit as EmitWithKey;
		// The run counts against the app's Parallel Processing Limit until n8n says it has finished
		// (as for its Kafka Trigger), whichever of its two signals comes first: the done promise, or
		// the response promise n8n resolves at the end of every run. In queue mode the done promise
		// can hang for good (it waits on Bull's job.finished(), which misses completions that land
		// while it subscribes; seen on 1.123 and 2.41 under load), while the response promise is
		// resolved by the worker's job-finished message. The test listener's single run is not counted.
		const response = ctx.helpers.createDeferredPromise<IExecuteResponsePromiseData>();
		let done: IDeferredPromise<IRun> | undefined;
		if (!manual) {
			done = ctx.helpers.createDeferredPromise<IRun>();
			const ended = firstSettled(done.promise, response.promise);
			trackRun(ended);
			const eventId = envelope.eventId;
			// Only a run n8n reports as ended counts; one that failed to start must run when Feishu redelivers.
			if (dedupe && eventId !== undefined) Promise.any([done.promise, response.promise]).then(() => dedupe.ran(eventId), () => undefined);
		}
		emitFn.call(ctx, data, response, done, key);
		if (!isCallbackEventType(envelope.eventType)) {
			// Nobody reads a plain event's response; its rejection (a run that failed to start) is not an error here.
			response.promise.catch(() => undefined);
			return undefined;
		}
		return answerWithinBudget(response.promise, settings.callbackBudgetMs, closeController.signal);
	};

	/**
	 * emit, once the message's images and files are downloaded when Download Attachments wants them
	 * (attachments.ts); the download counts as the run from the start, so the event's ack and the
	 * app's Parallel Processing Limit see it as one.
	 */
	const emitItem = (envelope: FeishuEnvelope, json: IDataObject, trackRun: HubEventContext['trackRun']): Promise<IDataObject | undefined> | undefined => {
		if (!wantsAttachments(settings, json)) return emit(envelope, json, trackRun);
		const settle = trackLater(trackRun);
		void itemWithAttachments(ctx.helpers, settings, json, ctx.logger)
			.then((item) => {
				if (!closeController.signal.aborted) emit(envelope, item.json, settle, item.binary);
			})
			.catch((error: Error) => ctx.logger.error('Feishu Trigger could not start a run with the message\'s attachments', { error: error.message, eventId: envelope.eventId }))
			.finally(() => settle(Promise.resolve()));
		return undefined;
	};

	/**
	 * Answer in a Streaming Card: the thinking card first, then the run through the answer webhook
	 * (answerStream.ts), which streams; when there is no answer webhook or it cannot be reached, the
	 * run starts here as usual with the card in its item. Tracked as one run until it has ended.
	 */
	const answerThenRun = (envelope: FeishuEnvelope, json: IDataObject, context: HubEventContext): undefined => {
		const settle = trackLater(context.trackRun);
		void (async () => {
			const opened = await openAnswer(settings, json, ctx.logger);
			const url = answerUrlOf(ctx.getWorkflow().id, ctx.getNode());
			if (url && !closeController.signal.aborted) {
				try {
					return await streamAnswer(url, settings, json, opened, ctx.logger, closeController.signal);
				} catch (error) {
					if (closeController.signal.aborted) return;
					ctx.logger.warn('Feishu Trigger could not hand the message to its answer webhook; running it without streaming', { error: (error as Error).message, eventId: envelope.eventId });
				}
			}
			if (closeController.signal.aborted) return opened?.release();
			// Send Answer closes the card and takes the working reaction off (answer_card.reaction_id).
			emitItem(envelope, opened ? { ...json, answer_card: opened.item } : json, settle);
		})()
			.catch((error: Error) => ctx.logger.error('Feishu Trigger could not answer a message', { error: error.message, eventId: envelope.eventId }))
			.finally(() => settle(Promise.resolve()));
		return undefined;
	};

	const onEvent = (envelope: FeishuEnvelope, context: HubEventContext): Promise<unknown> | undefined => {
		if (closeController.signal.aborted) return undefined;
		// An answer to a Send and Wait card goes to its waiting execution, not to this workflow.
		const waitValue = waitActionOf(envelope);
		if (waitValue) return relayWaitAnswerFor(ctx, settings, envelope, waitValue);
		if (!wantsEventType(envelope, settings)) return undefined;
		const deliver = (json: IDataObject | undefined) => {
			if (json === undefined || closeController.signal.aborted) return undefined;
			if (!manual && wantsAnswerCard(settings, json)) return answerThenRun(envelope, json, context);
			return emitItem(envelope, json, context.trackRun);
		};
		const output = shapeTriggerEvent(envelope, settings, ctx.logger);
		return output instanceof Promise ? output.then(deliver) : deliver(output);
	};

	const onFatal = (error: Error) => {
		// Our own close is not a failure; before the start succeeded, subscribeToApp rejects instead.
		if (closeController.signal.aborted || !started) return;
		ctx.logger.error('Feishu long connection lost for good', { error: error.message, appId: settings.creds.appId });
		ctx.emitError(new NodeOperationError(ctx.getNode(), error, { message: `Feishu long connection lost: ${error.message}` }));
	};

	const start = async () => {
		startup = (async () => {
			try {
				subscription = await subscribeToApp(settings.creds, { onEvent, onFatal }, {
					logger: ctx.logger,
					callbackBudgetMs: settings.callbackBudgetMs,
					maxConcurrentRuns: settings.maxConcurrentRuns,
					maxWaitingEvents: settings.maxWaitingEvents,
				});
				started = true;
			} catch (error) {
				throw new NodeOperationError(ctx.getNode(), error as Error, {
					message: `Could not connect to Feishu: ${(error as Error).message}`,
				});
			}
			// Connected: now ask Feishu for the documents' events (a refusal fails the activation).
			if (settings.documents.length > 0) {
				try {
					releaseDocuments = await holdDocumentSubscriptions(ctx.getNode(), settings.creds, settings.documents, ctx.logger);
				} catch (error) {
					const current = subscription;
					subscription = undefined;
					started = false;
					await current?.unsubscribe();
					// Already a NodeOperationError with the fix (documentSubscriptions.ts); keep its description.
					throw new NodeOperationError(ctx.getNode(), error as Error, { description: (error as { description?: string }).description });
				}
			}
		})();
		await startup;
		// Closed while connecting: the subscription made it after all, so let it go now.
		if (closeController.signal.aborted) {
			const current = subscription;
			subscription = undefined;
			await current?.unsubscribe();
			await releaseDocuments?.();
			releaseDocuments = undefined;
		}
	};

	const closeFunction = async () => {
		closeController.abort();
		// An in-flight start must finish so its subscription is released, not leaked. Its failure
		// was already reported to whoever awaited it.
		await startup?.catch(() => {});
		const current = subscription;
		subscription = undefined;
		await current?.unsubscribe();
		const release = releaseDocuments;
		releaseDocuments = undefined;
		await release?.();
	};

	if (!manual) {
		await start();
		return { closeFunction };
	}
	return { closeFunction, manualTriggerFunction: start };
}
