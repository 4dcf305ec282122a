// Pieces several message operations share.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { FeishuApiClient, FeishuMessage } from '../../../../lib/feishu';
import type { ItemContext } from '../types';

/** The message as Feishu returned it, plus `content` parsed from body.content for convenience. */
export function messageJson(m: FeishuMessage): IDataObject {
	let content: unknown;
	try {
		content = m.body?.content ? JSON.parse(m.body.content) : undefined;
	} catch {
		content = m.body?.content;
	}
	return { ...(m as IDataObject), ...(content !== undefined ? { content: content as IDataObject } : {}) };
}

/** The "Idempotency Key" option; without it lib/feishu generates one per item (per logical send). */
export function userUuid(options: IDataObject): string | undefined {
	const v = options.uuid;
	return v === undefined || v === null || v === '' ? undefined : String(v);
}

export async function binaryInput(ctx: IExecuteFunctions, i: number) {
	const field = ctx.getNodeParameter('binaryPropertyName', i) as string;
	const meta = ctx.helpers.assertBinaryData(i, field);
	const data = await ctx.helpers.getBinaryDataBuffer(i, field);
	return { data, fileName: meta.fileName ?? field, contentType: meta.mimeType };
}

/** A parameter of this item. */
export function param<T>({ ctx, i }: ItemContext, name: string, fallback?: T): T {
	return ctx.getNodeParameter(name, i, fallback as never) as T;
}

/** The "Options" collection of this item. */
export function options(context: ItemContext): IDataObject {
	return param<IDataObject>(context, 'options', {});
}

/** The client every message operation calls Feishu with (the router sets it for this resource). */
export function apiClient(context: ItemContext): FeishuApiClient {
	if (!context.client) throw new Error('message operations need the Feishu API client');
	return context.client;
}
