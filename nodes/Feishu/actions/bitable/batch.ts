// The shape of Bitable's batch operations (ItemOperation.executeBatch): every input item is read and
// checked first (its table, its fields against the table's field list), items of one table are sent
// together in chunks of Feishu's batch limit (lib/feishu/bitableBatch.ts: one request at a time, a
// chunk refused for one record's value split until that record alone fails), and each item gets its
// own result. Without "Continue On Fail" an item that fails the checks stops the run before anything
// is written; with it, that item comes out as an error item and the others go ahead.
import type { INodeExecutionData } from 'n8n-workflow';
import { runBitableBatch, type BatchEntry, type BitableField, type FeishuApiClient, type TableRef } from '../../../../lib/feishu';
import { ItemFailure, type BatchContext, type BatchItemResult, type ItemContext } from '../types';
import { tableFields, tableOf } from './shared';

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

/** `itemIndexes`: each item's index in the node's input (default: its position in `batch.items`). */
export async function runRecordBatch<P, R>(batch: BatchContext, spec: RecordBatch<P, R>, itemIndexes?: number[]): Promise<BatchItemResult[]> {
	const { ctx, items } = batch;
	const client = batch.client;
	if (!client) throw new Error('this operation needs the Feishu API client');
	const results: BatchItemResult[] = new Array(items.length);
	const groups = new Map<string, { ref: TableRef; fields: readonly BitableField[]; first: ItemContext; entries: BatchEntry<P>[]; contexts: Map<number, ItemContext> }>();
	for (let i = 0; i < items.length; i++) {
		const context: ItemContext = { ctx, i: itemIndexes?.[i] ?? i, item: items[i], client };
		try {
			const ref = tableOf(context);
			const fields = await tableFields(ctx, client, ref);
			const key = `${ref.appToken}/${ref.tableId}`;
			let group = groups.get(key);
			if (!group) groups.set(key, (group = { ref, fields, first: context, entries: [], contexts: new Map() }));
			group.entries.push({ index: i, payload: spec.prepare(context, fields) });
			group.contexts.set(i, context);
		} catch (error) {
			const failure = new ItemFailure(error, context.i);
			// Nothing has been written yet: stop here rather than write the items around a bad one.
			if (!ctx.continueOnFail()) throw failure;
			results[i] = failure;
		}
	}
	for (const group of groups.values()) {
		const outcomes = await runBitableBatch(group.entries, spec.size, (payloads) => spec.send(client, group.ref, payloads, group.first));
		for (const o of outcomes) {
			const context = group.contexts.get(o.index)!;
			results[o.index] = o.ok ? spec.output(o.result, group.fields, context) : new ItemFailure(o.error, context.i);
		}
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
