// A small but real n8n execution context for running a node's execute() outside n8n. Parameters are
// resolved by n8n-workflow's own getNodeParameters (defaults, displayOptions), `={{ … }}` expressions
// are evaluated as plain JavaScript over $json, and helpers.httpRequest performs the request with
// axios the way n8n-core's does (qs, encoding, returnFullResponse, ignoreHttpStatusErrors).
// getParentNodes and getWorkflowDataProxy ($('Node').item, $runIndex) are n8n-workflow's own Workflow
// and WorkflowDataProxy over the run so far (`upstream`), built the way n8n-core builds them.
// Covers the IExecuteFunctions members our nodes use, nothing more.
import axios from 'axios';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	INodeListSearchResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IConnections,
	IExecuteData,
	IRunData,
	IRunExecutionData,
	ResourceMapperFields,
} from 'n8n-workflow';
import { NodeApiError, NodeHelpers, NodeOperationError, Workflow, WorkflowDataProxy } from 'n8n-workflow';

/** A node that ran before the one under test, and the items it output. */
export interface UpstreamNode {
	name: string;
	type: string;
	/** Its output items; each one's pairedItem points into the output of the node before it. */
	output: INodeExecutionData[];
	disabled?: boolean;
}

/**
 * An OAuth2 credential as n8n holds it once a user connected it: its fields (clientId, clientSecret,
 * accessTokenUrl, ...) and `oauthTokenData` (access_token, refresh_token, ...). The context signs
 * httpRequestWithAuthentication(name, ...) with its Bearer token and refreshes it with
 * helpers.refreshOAuth2Token(name) as n8n-core does (@n8n/client-oauth2: a form-encoded refresh_token
 * grant, client id and secret in the body for `authentication: 'body'`, the answer merged into
 * oauthTokenData). The object is updated in place, as n8n stores the credential again.
 */
export interface OAuth2Credential {
	name: string;
	data: ICredentialDataDecryptedObject & { oauthTokenData?: IDataObject };
	/** Refreshes done (counted by the context). */
	refreshes?: number;
}

export interface RunOptions {
	node: INodeType;
	parameters: IDataObject;
	items?: INodeExecutionData[];
	credentialType?: ICredentialType;
	credentials?: ICredentialDataDecryptedObject;
	/** An OAuth2 credential besides (or instead of) `credentialType` / `credentials`. */
	oauth2?: OAuth2Credential;
	continueOnFail?: boolean;
	name?: string;
	/** The node's typeVersion (default 1, what saved workflows of version 1 hold). */
	typeVersion?: number;
	/**
	 * The nodes that ran before this one, in a chain from the workflow's start; the input items pair
	 * back into the last one's output (default: none, the node is the workflow's first).
	 */
	upstream?: UpstreamNode[];
	/** The node's id (default 'test-node'), the workflow's id (default 'test-workflow'), the node's run index (default 0). */
	nodeId?: string;
	workflowId?: string;
	runIndex?: number;
}

export interface RunResult {
	output?: INodeExecutionData[][];
	error?: Error;
	responses: IDataObject[]; // everything passed to sendResponse
	requests: IHttpRequestOptions[]; // every request the node made through n8n, token fetches included
}

/** Node parameters as n8n's Workflow computes them on load (n8n-workflow's own getNodeParameters). */
export function resolveParameters(node: INode, description: INodeTypeDescription): IDataObject {
	return (NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {}) as IDataObject;
}

function evaluate(value: unknown, json: IDataObject): unknown {
	if (typeof value === 'string' && value.startsWith('=')) {
		const src = value.slice(1);
		const whole = /^\s*\{\{([\s\S]*?)\}\}\s*$/.exec(src);
		const run = (expr: string) => new Function('$json', `return (${expr});`)(json);
		if (whole) return run(whole[1]);
		return src.replace(/\{\{([\s\S]*?)\}\}/g, (_, expr: string) => String(run(expr) ?? ''));
	}
	if (Array.isArray(value)) return value.map((v) => evaluate(v, json));
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, json)]));
	return value;
}

/** qs.stringify(params, { arrayFormat: 'repeat' }) for flat params: a list is its key repeated. */
function repeatParams(params: Record<string, unknown>): string {
	const out = new URLSearchParams();
	for (const [k, v] of Object.entries(params ?? {})) {
		if (Array.isArray(v)) for (const item of v) out.append(k, String(item));
		else if (v !== undefined && v !== null) out.append(k, String(v));
	}
	return out.toString();
}

/** The request n8n-core's httpRequest would make, done with axios. */
async function n8nHttpRequest(options: IHttpRequestOptions): Promise<unknown> {
	const res = await axios.request({
		method: options.method ?? 'GET',
		url: options.url,
		baseURL: options.baseURL,
		params: options.qs,
		// n8n-core serializes qs with qs.stringify and the request's arrayFormat.
		paramsSerializer: options.arrayFormat === 'repeat' ? repeatParams : undefined,
		headers: { 'User-Agent': 'n8n', ...(options.headers as Record<string, string>) },
		data: options.method === 'GET' ? undefined : options.body,
		responseType: (options.encoding as 'arraybuffer' | 'json' | undefined) ?? 'json',
		timeout: options.timeout,
		validateStatus: options.ignoreHttpStatusErrors ? () => true : undefined,
		maxBodyLength: Infinity,
		maxContentLength: Infinity,
	});
	if (options.returnFullResponse) return { body: res.data, headers: res.headers, statusCode: res.status, statusMessage: res.statusText };
	return res.data;
}

/** n8n-core's refresh of an OAuth2 credential (requestOAuth2 / refreshOAuth2Token over @n8n/client-oauth2). */
async function refreshOAuth2(cred: OAuth2Credential): Promise<IDataObject> {
	const data = cred.data;
	const token = (data.oauthTokenData ?? {}) as IDataObject;
	if (!token.refresh_token) throw new Error('OAuth access token expired and no refresh token is available. Please reconnect the credentials.');
	const body: Record<string, string> = { refresh_token: String(token.refresh_token), grant_type: 'refresh_token' };
	const headers: Record<string, string> = { Accept: 'application/json, application/x-www-form-urlencoded', 'Content-Type': 'application/x-www-form-urlencoded' };
	if (data.authentication === 'body') {
		body.client_id = String(data.clientId);
		body.client_secret = String(data.clientSecret);
	} else headers.Authorization = `Basic ${Buffer.from(`${data.clientId}:${data.clientSecret}`).toString('base64')}`;
	const res = await axios.request({ method: 'POST', url: String(data.accessTokenUrl), data: new URLSearchParams(body).toString(), headers, validateStatus: () => true, transformResponse: (r) => r });
	const parsed = JSON.parse(String(res.data)) as IDataObject;
	if (res.status >= 400) throw Object.assign(new Error(String(parsed.error_description ?? parsed.error ?? `HTTP status ${res.status}`)), { body: parsed, code: 'EAUTH' });
	data.oauthTokenData = { ...token, ...parsed };
	cred.refreshes = (cred.refreshes ?? 0) + 1;
	return data.oauthTokenData;
}

/**
 * What n8n-core's getNodeParameter gives with `extractValue`: a resource locator's value, through
 * its mode's `extractValue` regex when it has one (an error when the value does not match).
 */
function locatorValue(description: INodeTypeDescription, node: INode, name: string, value: unknown): unknown {
	if (!value || typeof value !== 'object' || !('__rl' in value)) return value;
	const rl = value as unknown as { mode: string; value: unknown };
	const property = description.properties.find((p) => p.name === name && p.type === 'resourceLocator' && NodeHelpers.displayParameter(node.parameters, p, node, description));
	const mode = property?.modes?.find((m) => m.name === rl.mode);
	const extract = mode?.extractValue;
	if (!extract || extract.type !== 'regex') return rl.value;
	const match = new RegExp(extract.regex).exec(String(rl.value));
	if (!match) throw new NodeOperationError(node, `ERROR: ${property?.displayName} parameter's value is invalid. Please enter a valid ${mode?.displayName}.`);
	return match[1];
}

// No node types: n8n-workflow's Workflow then keeps the parameters as given, which is all the graph
// and the paired-item look-ups need.
const NO_NODE_TYPES = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;

/**
 * The workflow so far as n8n-core holds it while running `node`: the graph (upstream nodes chained
 * into `node`), their run data, and `node`'s execute data (its input and where it came from).
 */
function runSoFar(node: INode, items: INodeExecutionData[], upstream: UpstreamNode[], workflowId: string) {
	const nodes: INode[] = upstream.map((u, k) => ({ id: `upstream-${k}`, name: u.name, type: u.type, typeVersion: 1, position: [0, 0], parameters: {}, disabled: u.disabled }));
	const chain = [...nodes.map((n) => n.name), node.name];
	const connections: IConnections = {};
	for (let k = 0; k + 1 < chain.length; k++) connections[chain[k]] = { main: [[{ node: chain[k + 1], type: 'main', index: 0 }]] };
	const runData: IRunData = {};
	upstream.forEach((u, k) => {
		const source = k === 0 ? [] : [{ previousNode: upstream[k - 1].name, previousNodeOutput: 0, previousNodeRun: 0 }];
		runData[u.name] = [{ startTime: 0, executionTime: 0, executionIndex: k, source, data: { main: [u.output] } }];
	});
	const last = upstream[upstream.length - 1];
	const executeData: IExecuteData = {
		node,
		data: { main: [items] },
		source: last ? { main: [{ previousNode: last.name, previousNodeOutput: 0, previousNodeRun: 0 }] } : null,
	};
	const workflow = new Workflow({ id: workflowId, name: 'test', nodes: [...nodes, { ...node }], connections, active: false, nodeTypes: NO_NODE_TYPES });
	const runExecutionData = { resultData: { runData } } as unknown as IRunExecutionData;
	return { workflow, runExecutionData, executeData };
}

/** The context object runNode runs execute() in; the editor's list loaders get the same members. */
function nodeContext(opts: RunOptions) {
	const node: INode = {
		id: opts.nodeId ?? 'test-node',
		name: opts.name ?? 'Feishu',
		type: `n8n-nodes-feishu-bot.${opts.node.description.name}`,
		typeVersion: opts.typeVersion ?? 1,
		position: [0, 0],
		parameters: opts.parameters as INode['parameters'],
	};
	const items: INodeExecutionData[] = opts.items ?? [{ json: {} }];
	const responses: IDataObject[] = [];
	const requests: IHttpRequestOptions[] = [];
	const resolved = resolveParameters(node, opts.node.description);
	const log = () => undefined;
	const workflowId = opts.workflowId ?? 'test-workflow';
	const run = runSoFar(node, items, opts.upstream ?? [], workflowId);

	const ctx = {
		getInputData: () => items,
		getNode: () => node,
		getWorkflow: () => ({ id: workflowId, name: 'test', active: false }),
		// As n8n-core's NodeExecutionContext.getParentNodes.
		getParentNodes(nodeName: string) {
			return run.workflow.getParentNodes(nodeName).map((name) => {
				const n = run.workflow.nodes[name];
				return { name: n.name, type: n.type, typeVersion: n.typeVersion, disabled: n.disabled ?? false };
			});
		},
		// As n8n-core's BaseExecuteContext.getWorkflowDataProxy.
		getWorkflowDataProxy(itemIndex: number) {
			return new WorkflowDataProxy(run.workflow, run.runExecutionData, opts.runIndex ?? 0, itemIndex, node.name, items, {}, 'manual', {}, run.executeData).getDataProxy();
		},
		continueOnFail: () => opts.continueOnFail === true,
		getMode: () => 'manual',
		logger: { debug: log, info: log, warn: log, error: log },
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown, options?: { extractValue?: boolean }) {
			if (!(name in resolved)) {
				if (fallback !== undefined) return fallback;
				throw new NodeOperationError(node, `Could not get parameter "${name}"`);
			}
			const value = evaluate(resolved[name], items[itemIndex]?.json ?? {});
			return options?.extractValue ? locatorValue(opts.node.description, node, name, value) : value;
		},
		// As n8n-core's LoadOptionsContext: the editor's current value (resource locators extracted on request).
		getCurrentNodeParameter(name: string, options?: { extractValue?: boolean }) {
			const value = resolved[name];
			return options?.extractValue ? locatorValue(opts.node.description, node, name, value) : value;
		},
		async getCredentials(type: string) {
			if (opts.oauth2?.name === type) return opts.oauth2.data;
			if (!opts.credentials || opts.credentialType?.name !== type) throw new NodeOperationError(node, `Node does not have credentials of type ${type}`);
			return opts.credentials;
		},
		sendResponse(data: IDataObject) {
			responses.push(data);
		},
		helpers: {
			async httpRequest(options: IHttpRequestOptions) {
				try {
					requests.push(options);
					return await n8nHttpRequest(options);
				} catch (error) {
					if (error instanceof NodeApiError) throw error;
					throw new NodeApiError(node, error as never);
				}
			},
			// As n8n-core's requestOAuth2 (isN8nRequest): the request signed with the stored Bearer token;
			// a thrown 401 refreshes the token and sends it once more.
			async httpRequestWithAuthentication(type: string, options: IHttpRequestOptions) {
				const cred = opts.oauth2;
				if (!cred || cred.name !== type) throw new NodeOperationError(node, `Node does not have credentials of type ${type}`);
				if (!cred.data.oauthTokenData) throw new Error('OAuth credentials not connected');
				const signed = () => ({ ...options, headers: { ...(options.headers ?? {}), Authorization: `Bearer ${String(cred.data.oauthTokenData?.access_token)}` } });
				try {
					return await ctx.helpers.httpRequest(signed());
				} catch (error) {
					if ((error as { cause?: { response?: { status?: number } } }).cause?.response?.status !== 401) throw error;
					await refreshOAuth2(cred);
					return await ctx.helpers.httpRequest(signed());
				}
			},
			async refreshOAuth2Token(type: string) {
				if (!opts.oauth2 || opts.oauth2.name !== type) throw new NodeOperationError(node, `Node does not have credentials of type ${type}`);
				return await refreshOAuth2(opts.oauth2);
			},
			assertBinaryData(itemIndex: number, field: string): IBinaryData {
				const b = items[itemIndex]?.binary?.[field];
				if (!b) throw new NodeOperationError(node, `This operation expects the node's input data to contain a binary file '${field}', but none was found`, { itemIndex });
				return b;
			},
			async getBinaryDataBuffer(itemIndex: number, field: string): Promise<Buffer> {
				return Buffer.from(ctx.helpers.assertBinaryData(itemIndex, field).data, 'base64');
			},
			async prepareBinaryData(data: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData> {
				const ext = fileName?.includes('.') ? fileName.split('.').pop() : undefined;
				return {
					data: data.toString('base64'),
					mimeType: mimeType ?? 'application/octet-stream',
					fileName,
					fileExtension: ext,
					fileSize: `${data.length} B`,
				};
			},
		},
	};

	return { ctx, responses, requests };
}

export async function runNode(opts: RunOptions): Promise<RunResult> {
	const { ctx, responses, requests } = nodeContext(opts);
	try {
		const output = await opts.node.execute!.call(ctx as unknown as IExecuteFunctions);
		return { output: output as INodeExecutionData[][], responses, requests };
	} catch (error) {
		return { error: error as Error, responses, requests };
	}
}

/**
 * Calls one of the node's listSearch methods (a resource locator's "From List") as the editor does,
 * with the node's credential; resolves what the editor would list.
 */
export async function listSearch(opts: Omit<RunOptions, 'parameters'> & { parameters?: IDataObject }, method: string, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const { ctx } = nodeContext({ ...opts, parameters: opts.parameters ?? {} });
	const fn = opts.node.methods?.listSearch?.[method];
	if (!fn) throw new Error(`the node has no listSearch method ${method}`);
	return fn.call(ctx as unknown as ILoadOptionsFunctions, filter, paginationToken);
}

/** Calls one of the node's resourceMapping methods (a resource mapper's fields) as the editor does, with the node's current parameters. */
export async function resourceMapping(opts: Omit<RunOptions, 'parameters'> & { parameters?: IDataObject }, method: string): Promise<ResourceMapperFields> {
	const { ctx } = nodeContext({ ...opts, parameters: opts.parameters ?? {} });
	const fn = opts.node.methods?.resourceMapping?.[method];
	if (!fn) throw new Error(`the node has no resourceMapping method ${method}`);
	return fn.call(ctx as unknown as ILoadOptionsFunctions);
}

/** An n8n binary item from raw bytes. */
export function binaryItem(data: Buffer, fileName: string, mimeType: string, json: IDataObject = {}): INodeExecutionData {
	return { json, binary: { data: { data: data.toString('base64'), mimeType, fileName } } };
}
