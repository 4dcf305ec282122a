// The shape of Bitable's batch operations (ItemOperation.executeBatch): every input item is read and
// checked first (its table, its fields against the table's field list), items of one table are sent
// together in chunks of Feishu's batch limit (lib/feishu/bitableBatch.ts: one request at a time, a
// chunk refused for one record's value split until that record alone fails), and each item gets its
// own result. Without "Continue On Fail" an item that fails the checks stops the run before anything
// is written; with it, that item comes out as an error item and the others go ahead.
import type { IExecuteFunctions, IGetNodeParameterOptions, INodeExecutionData } from 'n8n-workflow';
import { streamBitableBatch, type BatchEntry, type BitableField, type FeishuApiClient, type TableRef } from '../../../../lib/feishu';
import { ItemFailure, type BatchContext, type BatchItemResult, type ItemContext } from '../types';
import { tableFields, tableParser } from './shared';

export interface RecordBatch<P, R> {
	/** Feishu's per-request cap. */
	size: number;
	/** The item's payload (a record's fields, its id...), checked; throws for a bad item. */
	prepare(context: ItemContext, fields: readonly BitableField[]): P;
	/** One request for one chunk; one result per payload, in order. */
	send(client: FeishuApiClient, ref: TableRef, payloads: P[], context: ItemContext): Promise<R[]>;
	/** The output item for one result. */
	output(result: R, fields: readonly BitableField[], context: ItemContext): INodeExecutionData;
}

/** Whether a saved parameter value holds an n8n expression anywhere (a string starting with "="). */
function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Whether two getNodeParameter arguments are the same value: a flat object key by key (the usual `{}` or `{extractValue: true}`), anything deeper as JSON. */
function sameArgument(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
	const x = a as Record<string, unknown>;
	const y = b as Record<string, unknown>;
	// Counted with for…in rather than Object.keys: this runs for every item's every parameter.
	let keys = 0;
	for (const k in x) {
		if (!own(x, k)) continue;
		keys++;
		if (x[k] === y[k] && own(y, k)) continue;
		if (typeof x[k] === 'object' && typeof y[k] === 'object') return JSON.stringify(a) === JSON.stringify(b);
		return false;
	}
	for (const k in y) if (own(y, k)) keys--;
	return keys === 0;
}

/**
 * `ctx` with getNodeParameter read once per batch for the parameters that are set without an
 * expression (the Base, the table, the column mapping of every item are then the same): thousands of
 * items otherwise resolve the same values thousands of times. Parameters with an expression, unset ones
 * (their default may be an expression) and failed reads go to n8n every time. Every other member is the
 * context's own, called on it.
 */
export function withStaticParameters(ctx: IExecuteFunctions): IExecuteFunctions {
	const saved = (ctx.getNode().parameters ?? {}) as Record<string, unknown>;
	// Per parameter name: null when it is read from n8n every time, else one entry per (fallback,
	// options) the operations pass for it, compared by value.
	const cache = new Map<string, { fallback: unknown; options: unknown; value: unknown }[] | null>();
	const read = ((name: string, itemIndex: number, fallback?: unknown, options?: IGetNodeParameterOptions) => {
		let entries = cache.get(name);
		if (entries === undefined) {
			const raw = Object.prototype.hasOwnProperty.call(saved, name) ? saved[name] : undefined;
			cache.set(name, (entries = raw !== undefined && !hasExpression(raw) ? [] : null));
		}
		if (entries === null) return ctx.getNodeParameter(name, itemIndex, fallback as never, options);
		for (let k = 0; k < entries.length; k++) if (sameArgument(entries[k].fallback, fallback) && sameArgument(entries[k].options, options)) return entries[k].value;
		const value = ctx.getNodeParameter(name, itemIndex, fallback as never, options);
		entries.push({ fallback, options, value });
		return value;
	}) as IExecuteFunctions['getNodeParameter'];
	return new Proxy(ctx, {
		get(target, prop) {
			if (prop === 'getNodeParameter') return read;
			const value = Reflect.get(target, prop, target) as unknown;
			return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
		},
	});
}

/** `itemIndexes`: each item's index in the node's input (default: its position in `batch.items`). */
export async function runRecordBatch<P, R>(batch: BatchContext, spec: RecordBatch<P, R>, itemIndexes?: number[]): Promise<BatchItemResult[]> {
	const { items } = batch;
	// One item (a batch of one, `execute`): nothing to share, and per-execution caches keyed by the context stay whole.
	const ctx = items.length > 1 ? withStaticParameters(batch.ctx) : batch.ctx;
	const client = batch.client;
	if (!client) throw new Error('this operation needs the Feishu API client');
	const results: BatchItemResult[] = new Array(items.length);
	// An item's context, made again for its output rather than kept (thousands of objects fewer to carry).
	const contextOf = (i: number): ItemContext => ({ ctx, i: itemIndexes?.[i] ?? i, item: items[i], client });
	// By table: tableParser gives one TableRef object per table.
	const groups = new Map<TableRef, { ref: TableRef; fields: readonly BitableField[]; first: ItemContext; entries: BatchEntry<P>[] }>();
	// Each distinct Base / table value parsed once.
	const parse = tableParser();
	for (let i = 0; i < items.length; i++) {
		const context = contextOf(i);
		try {
			const ref = parse(context);
			let group = groups.get(ref);
			// The field list is read once per table (tableFields caches it); a known table needs no await.
			if (!group) groups.set(ref, (group = { ref, fields: await tableFields(batch.ctx, client, ref), first: context, entries: [] }));
			group.entries.push({ index: i, payload: spec.prepare(context, group.fields) });
		} catch (error) {
			const failure = new ItemFailure(error, context.i);
			// Nothing has been written yet: stop here rather than write the items around a bad one.
			if (!ctx.continueOnFail()) throw failure;
			results[i] = failure;
		}
	}
	for (const group of groups.values()) {
		// Each answered chunk becomes output items while the next one is on the wire.
		await streamBitableBatch(group.entries, spec.size, (payloads) => spec.send(client, group.ref, payloads, group.first), (outcomes) => {
			for (let k = 0; k < outcomes.length; k++) {
				const o = outcomes[k];
				results[o.index] = o.ok ? spec.output(o.result, group.fields, contextOf(o.index)) : new ItemFailure(o.error, itemIndexes?.[o.index] ?? o.index);
			}
		});
	}
	return results;
}

/** `execute` for one item, through the same batch path (a batch of one). */
export async function oneOfBatch<P, R>(context: ItemContext, spec: RecordBatch<P, R>): Promise<INodeExecutionData> {
	let result: BatchItemResult;
	try {
		[result] = await runRecordBatch({ ctx: context.ctx, items: [context.item], client: context.client }, spec, [context.i]);
	} catch (error) {
		throw error instanceof ItemFailure ? error.error : error;
	}
	if (result instanceof ItemFailure) throw result.error;
	return result as INodeExecutionData;
}
