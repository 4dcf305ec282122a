// Pieces the operations of every resource share: reading the item's parameters (ID lists too), the API client.
import type { IDataObject } from 'n8n-workflow';
import type { FeishuApiClient } from '../../../lib/feishu';
import type { ItemContext } from './types';

/** IDs from "a, b c" text or an array (an expression such as {{ $json.ids }}). */
export function idsFrom(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[\s,]+/);
	return parts.map((id) => id.trim()).filter(Boolean);
}

/** A parameter of this item. */
export function param<T>({ ctx, i }: ItemContext, name: string, fallback?: T): T {
	return ctx.getNodeParameter(name, i, fallback as never) as T;
}

/** The "Options" collection of this item. */
export function options(context: ItemContext): IDataObject {
	return param<IDataObject>(context, 'options', {});
}

/** The client the operations of an API resource call Feishu with (the router sets it). */
export function apiClient(context: ItemContext): FeishuApiClient {
	if (!context.client) throw new Error('this operation needs the Feishu API client');
	return context.client;
}

/** A resource locator's value (the ID, whichever mode the user picked it in). */
export function locatorValue({ ctx, i }: ItemContext, name: string): string {
	return String(ctx.getNodeParameter(name, i, '', { extractValue: true }) ?? '');
}
