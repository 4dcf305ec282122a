// The one place where the action node meets the wire layer: builds a FeishuApiClient whose requests,
// the token fetch included, go through n8n's httpRequest (so n8n's proxy and logging apply), and
// turns wire errors into n8n errors. The client adds the cached tenant token itself: one look-up per
// request, and it knows which token to drop when Feishu refuses it. The credential's authenticate()
// serves n8n's HTTP Request node and the credential test.
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import {
	appCredentialsFrom,
	errorHint,
	FeishuApiClient,
	FeishuApiError,
	FeishuNetworkError,
	FeishuValidationError,
	tooLarge,
	withDeadline,
	type CustomBotHook,
	type FeishuLogger,
	type HttpTransport,
} from '../../lib/feishu';

export const CREDENTIAL_TYPE = 'feishuApi';
/** The Custom Bot resource's credential (credentials/FeishuCustomBotApi.credentials.ts). */
export const CUSTOM_BOT_CREDENTIAL_TYPE = 'feishuCustomBotApi';

/** What the client needs of n8n: an execution, or the editor loading a list (resource locators). */
type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

/**
 * The API client's transport over n8n's request helpers. Like the default one: a hard total
 * deadline (n8n's `timeout` is axios' idle timeout), redirects not followed (n8n would re-send the
 * Authorization header), and errors reduced to FeishuNetworkError (n8n's NodeApiError keeps the
 * axios error, whose config holds the token). n8n's helpers buffer the whole answer, so
 * `maxResponseBytes` is checked after it arrived.
 */
export function n8nTransport(ctx: RequestContext): HttpTransport {
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
				const res = (await ctx.helpers.httpRequest(options)) as {
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

export async function getFeishuClient(ctx: RequestContext): Promise<FeishuApiClient> {
	const creds = appCredentialsFrom(await ctx.getCredentials(CREDENTIAL_TYPE));
	return new FeishuApiClient(creds, { transport: n8nTransport(ctx), logger: loggerFor(ctx) });
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
		return new NodeApiError(ctx.getNode(), { code: error.code, msg: error.msg, log_id: error.logId ?? null } as JsonObject, {
			itemIndex,
			message: `Feishu error ${error.code}: ${error.msg}`,
			description: `${hintSentence(error)}log_id: ${error.logId ?? 'n/a'}${error.httpStatus ? ` · HTTP ${error.httpStatus}` : ''}. Quote the log_id to Feishu support; look the code up at https://open.feishu.cn/search?q=${error.code}`,
			httpCode: error.httpStatus ? String(error.httpStatus) : undefined,
		});
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
