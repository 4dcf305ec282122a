import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { FeishuApiClient } from '../../../lib/feishu';

/** What an operation gets for one input item. */
export interface ItemContext {
	ctx: IExecuteFunctions;
	/** The item's index, for getNodeParameter and binary data. */
	i: number;
	item: INodeExecutionData;
	/** Set for resources that call Feishu's Open API (built once per execution). */
	client?: FeishuApiClient;
}

/** One operation of a resource: turns one input item into one output item (a list: into several). */
export interface ItemOperation {
	/** The Feishu API it calls, e.g. `POST /open-apis/im/v1/chats` (the README's node reference lists it). */
	endpoint: string;
	/**
	 * The scopes that let the app call it, any one of them being enough (Feishu's "权限要求" on the
	 * endpoint's page). The credential test names the ones the app lacks.
	 */
	scopes?: readonly string[];
	execute(context: ItemContext): Promise<INodeExecutionData | INodeExecutionData[]> | INodeExecutionData | INodeExecutionData[];
	/**
	 * For operations over batch APIs: takes every input item in one call instead of `execute` per item,
	 * and answers one result per input item, in order (its output item or items, or an ItemFailure).
	 * The router pairs each result with its item and applies "Continue On Fail" to the failures one by
	 * one, as for `execute`; throwing an ItemFailure stops the run at that item.
	 */
	executeBatch?(context: BatchContext): Promise<BatchItemResult[]>;
}

/** What a batch operation gets: all input items at once. */
export interface BatchContext {
	ctx: IExecuteFunctions;
	items: INodeExecutionData[];
	client?: FeishuApiClient;
}

/** One input item's failure in a batch (its index in the input, for a thrown one). */
export class ItemFailure {
	constructor(
		readonly error: unknown,
		readonly itemIndex = 0,
	) {}
}

export type BatchItemResult = INodeExecutionData | INodeExecutionData[] | ItemFailure;

/** A resource's operations, by the `operation` parameter's value. */
export interface ResourceOperations {
	/** Whether its operations call the Open API (and so need the API client). */
	usesApi: boolean;
	operations: Record<string, ItemOperation>;
}
