// The one place where the action node meets the wire layer: builds a FeishuApiClient whose requests,
// the token fetch included, go through n8n's httpRequest (so n8n's proxy and logging apply), and
// turns wire errors into n8n errors. The client adds the cached tenant token itself: one look-up per
// request, and it knows which token to drop when Feishu refuses it. The credential's authenticate()
// serves n8n's HTTP Request node and the credential test.
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions, IWebhookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import {
	appCredentialsFrom,
	errorHint,
	FeishuApiClient,
	FeishuApiError,
	FeishuNetworkError,
	FeishuValidationError,
	oauthAppCredentialsFrom,
	tooLarge,
	userAuthHint,
	withDeadline,
	type CustomBotHook,
	type FeishuLogger,
	type HttpTransport,
} from '../../lib/feishu';
import { USER_AUTHENTICATION } from './descriptions/AuthenticationDescription';
import { assertIdentity, authenticationOf, type OperationRef } from './identity';

export const CREDENTIAL_TYPE = 'feishuApi';
/** The Custom Bot resource's credential (credentials/FeishuCustomBotApi.credentials.ts). */
export const CUSTOM_BOT_CREDENTIAL_TYPE = 'feishuCustomBotApi';
/** A user's authorization, for Authentication "User (OAuth2)" (credentials/FeishuOAuth2Api.credentials.ts). */
export const OAUTH2_CREDENTIAL_TYPE = 'feishuOAuth2Api';

/** What the client needs of n8n: an execution, the editor loading a list (resource locators), or the node's webhook (Send and Wait). */
type RequestContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/**
 * The API client's transport over n8n's request helpers. Like the default one: a hard total
 * deadline (n8n's `timeout` is axios' idle timeout), redirects not followed (n8n would re-send the
 * Authorization header), and errors reduced to FeishuNetworkError (n8n's NodeApiError keeps the
 * axios error, whose config holds the token). n8n's helpers buffer the whole answer, so
 * `maxResponseBytes` is checked after it arrived.
 */
export function n8nTransport(ctx: RequestContext, credentialType?: string): HttpTransport {
	return {
		send: (req) =>
			withDeadline(req, async (signal) => {
				const options: IHttpRequestOptions = {
					method: req.method,
					url: req.url,
					qs: req.query,
					// Lists as Feishu reads them: the key repeated.
					arrayFormat: 'repeat',
					headers: req.headers,
					body: req.body as IHttpRequestOptions['body'],
					encoding: 'arraybuffer',
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					disableFollowRedirect: true,
					abortSignal: signal,
					timeout: req.timeoutMs,
					json: false,
				};
				// With a credential type, n8n signs the request (an OAuth2 credential: the user's Bearer token).
				const answer = credentialType ? ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, options) : ctx.helpers.httpRequest(options);
				const res = (await answer) as {
					statusCode: number;
					headers: Record<string, unknown>;
					body: unknown;
				};
				const headers: Record<string, string | string[] | undefined> = {};
				for (const [k, v] of Object.entries(res.headers ?? {})) {
					headers[k.toLowerCase()] = Array.isArray(v) ? v.map(String) : v === undefined ? undefined : String(v);
				}
				const body = toBuffer(res.body);
				if (req.maxResponseBytes !== undefined && body.length > req.maxResponseBytes) throw tooLarge(req, req.maxResponseBytes);
				return { status: res.statusCode, headers, body };
			}),
	};
}

function toBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(JSON.stringify(body), 'utf8');
}

function loggerFor(ctx: RequestContext): FeishuLogger {
	const log = ctx.logger;
	return {
		debug: (m, meta) => log.debug(m, meta as IDataObject),
		info: (m, meta) => log.info(m, meta as IDataObject),
		warn: (m, meta) => log.warn(m, meta as IDataObject),
		error: (m, meta) => log.error(m, meta as IDataObject),
	};
}

/**
 * The API client for the node's Authentication: the app's bot (tenant token, fetched and cached by the
 * wire layer), or the user of the Feishu OAuth2 credential, whose token n8n adds to each request and
 * stores again when the client has it refreshed (Feishu answers an expired one with HTTP 400 and
 * 99991677, which n8n's own refresh-on-401 never sees: docs/protocol.md, "Acting as a user").
 * With `operation`, first checks that Feishu takes that identity's token for it.
 */
export async function getFeishuClient(ctx: IExecuteFunctions | ILoadOptionsFunctions, operation?: OperationRef): Promise<FeishuApiClient> {
	const authentication = authenticationOf(ctx);
	if (operation) assertIdentity(ctx, authentication, operation);
	if (authentication === USER_AUTHENTICATION) return await userClient(ctx);
	return await botClient(ctx);
}

/** The API client as the app's bot (the tenant token), whatever the node's Authentication. */
export async function botClient(ctx: RequestContext): Promise<FeishuApiClient> {
	const creds = appCredentialsFrom(await ctx.getCredentials(CREDENTIAL_TYPE));
	return new FeishuApiClient(creds, { transport: n8nTransport(ctx), logger: loggerFor(ctx) });
}

async function userClient(ctx: RequestContext): Promise<FeishuApiClient> {
	const fields = await ctx.getCredentials(OAUTH2_CREDENTIAL_TYPE);
	const token = fields.oauthTokenData as { access_token?: unknown } | undefined;
	if (!token || typeof token.access_token !== 'string' || !token.access_token) {
		throw new NodeOperationError(ctx.getNode(), 'The Feishu OAuth2 credential is not connected to a user yet', {
			description: 'Open the credential and click "Connect my account" (sign in to Feishu as the user the node should act as)',
		});
	}
	return new FeishuApiClient(oauthAppCredentialsFrom(fields), {
		identity: 'user',
		transport: n8nTransport(ctx, OAUTH2_CREDENTIAL_TYPE),
		logger: loggerFor(ctx),
		refreshUserToken: async () => {
			try {
				// n8n's refresh: the refresh_token grant on the credential's Access Token URL, the new
				// tokens (Feishu rotates the refresh token) stored with the credential.
				await ctx.helpers.refreshOAuth2Token.call(ctx, OAUTH2_CREDENTIAL_TYPE);
			} catch (error) {
				throw tokenEndpointError(error);
			}
		},
	});
}

/** n8n's OAuth2 client error with Feishu's token endpoint answer in `body` ({code, error, error_description}) as a FeishuApiError. */
function tokenEndpointError(error: unknown): unknown {
	const body = (error as { body?: unknown }).body;
	let answer: Record<string, unknown> | undefined;
	if (typeof body === 'string') {
		try {
			answer = JSON.parse(body) as Record<string, unknown>;
		} catch {
			answer = undefined;
		}
	} else if (body && typeof body === 'object') answer = body as Record<string, unknown>;
	const code = Number(answer?.code);
	if (!answer || !Number.isInteger(code) || code === 0) return error;
	const msg = String(answer.error_description ?? answer.error ?? 'the token endpoint refused the refresh');
	return new FeishuApiError(code, `refreshing the user's token failed: ${msg}`, { request: 'POST /open-apis/authen/v2/oauth/token', hint: userAuthHint(code) });
}

/** The custom bot of the item's credential (read per item: n8n resolves credential expressions per item). */
export async function customBotHook(ctx: IExecuteFunctions, itemIndex: number): Promise<CustomBotHook> {
	const creds = await ctx.getCredentials(CUSTOM_BOT_CREDENTIAL_TYPE, itemIndex);
	return { url: String(creds.webhookUrl ?? ''), secret: String(creds.secret ?? '') };
}

/** Feishu's error fields, for "Continue on fail" output items. */
export function errorJson(error: unknown): IDataObject {
	if (error instanceof FeishuApiError) {
		const hint = error.hint ?? errorHint(error.code);
		return { error: error.message, code: error.code, msg: error.msg, log_id: error.logId, http_status: error.httpStatus, ...(hint ? { hint } : {}) };
	}
	if (error instanceof FeishuValidationError) return { error: error.message, field: error.field };
	if (error instanceof FeishuNetworkError) return { error: error.message, code: error.code };
	const e = error as { message?: string; description?: string };
	return { error: e.message ?? String(error), ...(e.description ? { description: e.description } : {}) };
}

function hintSentence(error: FeishuApiError): string {
	const hint = error.hint ?? errorHint(error.code);
	return hint ? `${hint}. ` : '';
}

/** Wraps an error for n8n: Feishu errors keep code, msg and log_id; validation errors name the field. */
export function toNodeError(ctx: RequestContext, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof FeishuApiError) {
		const message = `Feishu error ${error.code}: ${error.msg}`;
		const nodeError = new NodeApiError(ctx.getNode(), { code: error.code, msg: error.msg, log_id: error.logId ?? null } as JsonObject, {
			itemIndex,
			message,
			description: `${hintSentence(error)}log_id: ${error.logId ?? 'n/a'}${error.httpStatus ? ` · HTTP ${error.httpStatus}` : ''}. Quote the log_id to Feishu support; look the code up at https://open.feishu.cn/search?q=${error.code}`,
			httpCode: error.httpStatus ? String(error.httpStatus) : undefined,
		});
		// NodeApiError swaps a message containing a Node error code for its own text, and Feishu's
		// messages can hold one by chance ("FieldNameNotFound" contains ENOTFOUND: "incorrect host").
		nodeError.message = message;
		return nodeError;
	}
	if (error instanceof FeishuValidationError) {
		return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: `Check the "${error.field}" field` });
	}
	if (error instanceof FeishuNetworkError) {
		// The message only: the error is ours and carries no request config, but n8n need not see more.
		return new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: `Network error ${error.code}. Check the credential's Base URL and the network` });
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}
