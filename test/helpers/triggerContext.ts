// Minimal but faithful n8n contexts for driving the Feishu Trigger outside n8n:
// - ITriggerFunctions: emit/emitError are recorded; manual mode swaps emit after trigger() returns,
//   as n8n-core's TriggersAndPollers does, so the node must read this.emit at call time. An emit's
//   done promise is settled as n8n does once the run has finished: at once, or when the test says
//   so (holdRuns).
// - IWebhookFunctions over a real loopback HTTP server: the request gets rawBody (as n8n's body
//   parser leaves it), the response gets express's status()/json(), and the webhook() result is
//   handled the way n8n's webhook helpers do (noWebhookResponse, workflowData, and the response
//   mode the node's webhook description resolves to: onReceived or responseNode).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IDeferredPromise,
	IExecuteResponsePromiseData,
	INode,
	INodeExecutionData,
	INodeType,
	IRun,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { createDeferredPromise, NodeHelpers } from 'n8n-workflow';

export interface Emitted {
	data: INodeExecutionData[][];
	json: IDataObject;
	response?: IDeferredPromise<IExecuteResponsePromiseData>;
	done?: IDeferredPromise<IRun>;
	deduplicationKey?: string;
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, verbose() {} };

function baseContext(node: INodeType, parameters: IDataObject, credentials: Credentials, mode: string, nodeId: string, workflowId: string, onRead = () => {}) {
	const nodeObj: INode = {
		id: nodeId,
		name: 'Feishu Trigger',
		type: 'n8n-nodes-feishu-bot.feishuTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
	};
	// Parameters as n8n's Workflow resolves them on load: defaults in, hidden ones out.
	const params = (NodeHelpers.getNodeParameters(node.description.properties, nodeObj.parameters, true, false, nodeObj, node.description) ?? {}) as IDataObject;
	nodeObj.parameters = params as INode['parameters'];
	return {
		getMode: () => mode,
		getActivationMode: () => 'activate',
		getNode: () => nodeObj,
		getWorkflow: () => ({ id: workflowId, name: 'test', active: true }),
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getCredentials: async () => {
			onRead();
			return typeof credentials === 'function' ? credentials() : credentials;
		},
		logger: silent,
		helpers: {
			returnJsonArray: (json: IDataObject | IDataObject[]) => (Array.isArray(json) ? json : [json]).map((j) => ({ json: j })),
			createDeferredPromise,
		},
	};
}

export interface TriggerHarness {
	ctx: ITriggerFunctions;
	emitted: Emitted[];
	errors: Error[];
	/** Resolves once `count` items were emitted in total (rejects after `timeoutMs`). */
	waitForEmits(count: number, timeoutMs?: number): Promise<Emitted[]>;
	run(): Promise<ITriggerResponse>;
}

/** The credential n8n hands out: fixed, or read anew on every getCredentials (to change it mid-test). */
type Credentials = ICredentialDataDecryptedObject | (() => ICredentialDataDecryptedObject);

export interface HarnessOptions {
	node: INodeType;
	parameters: IDataObject;
	credentials: Credentials;
	mode?: 'trigger' | 'manual';
	nodeId?: string;
	workflowId?: string;
	/** Runs stay "running" (their done promise unsettled) until the test resolves `emitted[i].done`. */
	holdRuns?: boolean;
	/** n8n 1.x's emit: three parameters, no deduplication key (n8n 2.x's takes four). */
	emitWithoutKey?: boolean;
	/** The workflow's static data (n8n keeps and saves it); pass the same object to simulate a restart. */
	staticData?: IDataObject;
}

export function createTriggerHarness(opts: HarnessOptions): TriggerHarness {
	const emitted: Emitted[] = [];
	const errors: Error[] = [];
	const waiters: (() => void)[] = [];
	const notify = () => waiters.splice(0).forEach((w) => w());
	const record = (data: INodeExecutionData[][], response?: IDeferredPromise<IExecuteResponsePromiseData>, done?: IDeferredPromise<IRun>, deduplicationKey?: string) => {
		emitted.push({ data, json: data[0][0].json, response, done, deduplicationKey });
		if (done && !opts.holdRuns) queueMicrotask(() => done.resolve({} as IRun));
		notify();
	};
	const staticData = opts.staticData ?? {};
	const ctx = {
		...baseContext(opts.node, opts.parameters, opts.credentials, opts.mode ?? 'trigger', opts.nodeId ?? 'node-1', opts.workflowId ?? 'wf-1'),
		// The arity is what the trigger sees of n8n's major: 1.x's emit has no key parameter.
		emit: opts.emitWithoutKey
			? (data: INodeExecutionData[][], response?: IDeferredPromise<IExecuteResponsePromiseData>, done?: IDeferredPromise<IRun>) => record(data, response, done)
			: (data: INodeExecutionData[][], response?: IDeferredPromise<IExecuteResponsePromiseData>, done?: IDeferredPromise<IRun>, deduplicationKey?: string) =>
					record(data, response, done, deduplicationKey),
		getWorkflowStaticData: (type: string) => ((staticData[type] as IDataObject | undefined) ?? (staticData[type] = {})) as IDataObject,
		emitError(error: Error) {
			errors.push(error);
			notify();
		},
	} as unknown as ITriggerFunctions;
	return {
		ctx,
		emitted,
		errors,
		waitForEmits(count, timeoutMs = 5000) {
			return new Promise((resolve, reject) => {
				const check = () => {
					if (emitted.length >= count) {
						clearTimeout(timer);
						resolve(emitted.slice());
						return true;
					}
					return false;
				};
				const timer = setTimeout(() => reject(new Error(`only ${emitted.length} of ${count} emits after ${timeoutMs} ms`)), timeoutMs);
				const loop = () => {
					if (!check()) waiters.push(loop);
				};
				loop();
			});
		},
		run: () => (opts.node.trigger as (this: ITriggerFunctions) => Promise<ITriggerResponse>).call(ctx),
	};
}

/**
 * n8n's manual-mode wiring: trigger(), then emit/emitError replaced by the resolver of the
 * "first emitted data" promise, then manualTriggerFunction().
 */
export async function runManual(h: TriggerHarness): Promise<{ response: ITriggerResponse; first: Promise<INodeExecutionData[][]> }> {
	const response = await h.run();
	const first = new Promise<INodeExecutionData[][]>((resolve, reject) => {
		const ctx = h.ctx as unknown as { emit: (d: INodeExecutionData[][]) => void; emitError: (e: Error) => void };
		const original = ctx.emit;
		ctx.emit = (data: INodeExecutionData[][], ...rest: unknown[]) => {
			(original as (...a: unknown[]) => void)(data, ...rest);
			resolve(data);
		};
		ctx.emitError = (error: Error) => reject(error);
	});
	await response.manualTriggerFunction?.();
	return { response, first };
}

// ---------------------------------------------------------------- webhook side

export interface WebhookRun {
	status: number;
	result?: IWebhookResponseData;
	error?: Error;
}

export interface WebhookServer {
	url: string;
	/** Executions started (workflowData of each webhook() that returned some). */
	executions: IDataObject[];
	runs: WebhookRun[];
	/** What the workflow's "Respond to Card Action" answers (n8n responseNode); undefined = no answer. */
	cardAnswer: (json: IDataObject) => Promise<IExecuteResponsePromiseData | undefined>;
	/** onReceived: n8n could not take the next this-many runs (WorkflowRunner.run threw: it answers 500). */
	refuseRuns: number;
	/** onReceived: how long n8n takes to store (queue) a run before it answers, ms. */
	storeRunMs: number;
	/** How often webhook() asked n8n for the credential. */
	credentialReads: number;
	close(): Promise<void>;
}

export async function startWebhookServer(opts: HarnessOptions & { cardAnswer?: WebhookServer['cardAnswer'] }): Promise<WebhookServer> {
	const executions: IDataObject[] = [];
	const runs: WebhookRun[] = [];
	const state: WebhookServer = {
		url: '',
		executions,
		runs,
		cardAnswer: opts.cardAnswer ?? (async () => undefined),
		refuseRuns: 0,
		storeRunMs: 0,
		credentialReads: 0,
		close: async () => {},
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
	});

	async function handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: Buffer) {
		// express's additions, as n8n's webhook server has them
		type ExpressLike = http.ServerResponse & { status(c: number): ExpressLike; json(b: unknown): ExpressLike };
		const xres = res as ExpressLike;
		xres.status = (code: number) => {
			res.statusCode = code;
			return xres;
		};
		xres.json = (body: unknown) => {
			res.setHeader('content-type', 'application/json; charset=utf-8');
			res.end(body === undefined ? '' : JSON.stringify(body));
			return xres;
		};
		const xreq = Object.assign(req, { rawBody, body: safeJson(rawBody) });
		const ctx = {
			...baseContext(opts.node, opts.parameters, opts.credentials, opts.mode === 'manual' ? 'manual' : 'webhook', opts.nodeId ?? 'node-1', opts.workflowId ?? 'wf-1', () => state.credentialReads++),
			getRequestObject: () => xreq,
			getResponseObject: () => xres,
			getHeaderData: () => req.headers,
			getBodyData: () => xreq.body,
			getWebhookName: () => 'default',
		} as unknown as IWebhookFunctions;
		const run: WebhookRun = { status: 0 };
		runs.push(run);
		try {
			const result = await (opts.node.webhook as (this: IWebhookFunctions) => Promise<IWebhookResponseData>).call(ctx);
			run.result = result;
			const item = result.workflowData?.[0]?.[0]?.json;
			if (item && responseModeOf(opts.node, ctx.getNode().parameters as IDataObject) === 'onReceived') {
				// n8n 2.x: the run is stored (queued) first, then webhook()'s webhookResponse is sent.
				if (state.storeRunMs > 0) await new Promise((r) => setTimeout(r, state.storeRunMs));
				if (state.refuseRuns > 0) {
					state.refuseRuns--;
					xres.status(500).json({ code: 0, message: 'There was a problem executing the workflow' });
					return;
				}
				executions.push(item);
				if (!result.noWebhookResponse) xres.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
				return;
			}
			if (item) executions.push(item);
			if (result.noWebhookResponse) return;
			if (item) {
				// responseNode: the run's "Respond to Card Action" answer, or an empty body when it ends without one
				// (n8n sends response.body of what sendResponse got; a late write after the node's own
				// budget answer must be harmless, so it is attempted regardless).
				const answer = await state.cardAnswer(item);
				xres.status(200).json(answer === undefined ? undefined : (answer as { body?: unknown }).body);
				return;
			}
			xres.status(200).json(result.webhookResponse ?? { message: 'Webhook call received' });
		} catch (error) {
			run.error = error as Error;
			if (!res.headersSent) xres.status(500).json({ message: (error as Error).message });
		} finally {
			run.status = res.statusCode;
		}
	}

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
	state.close = () =>
		new Promise<void>((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return state;
}

/** The response mode n8n 2.x resolves from the node's webhook description (its native resolver). */
function responseModeOf(node: INodeType, parameters: IDataObject): unknown {
	const description = node.description.webhooks?.[0] as unknown as Record<string | symbol, any> | undefined;
	const resolver = description?.[Symbol.for('n8n.webhookDescriptionResolvers')]?.responseMode;
	return resolver ? resolver.resolve(parameters) : description?.responseMode;
}

function safeJson(raw: Buffer): unknown {
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		return {};
	}
}
