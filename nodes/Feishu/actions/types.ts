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
	execute(context: ItemContext): Promise<INodeExecutionData | INodeExecutionData[]> | INodeExecutionData | INodeExecutionData[];
}

/** A resource's operations, by the `operation` parameter's value. */
export interface ResourceOperations {
	/** Whether its operations call the Open API (and so need the API client). */
	usesApi: boolean;
	operations: Record<string, ItemOperation>;
}
