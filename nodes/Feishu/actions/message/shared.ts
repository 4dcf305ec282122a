// Pieces several message operations share (those of every resource are in ../shared.ts).
import type { IDataObject, IExecuteFunctions, IWorkflowDataProxyData } from 'n8n-workflow';
import { eventSendUuid, type FeishuMessage, uploadFile, uploadImage } from '../../../../lib/feishu';
import { UPLOADABLE } from '../../descriptions/ContentDescription';
import { readContent } from '../content';
import { apiClient, locatorValue, param } from '../shared';
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

/** The "Idempotency Key" option as the user set it (undefined when empty). */
export function userUuid(options: IDataObject): string | undefined {
	const v = options.uuid;
	return v === undefined || v === null || v === '' ? undefined : String(v);
}

/**
 * The uuid Send and Reply post with: the user's; else, for an item that descends from a Feishu
 * event, one derived from that event and this step (so re-running the workflow for the same event
 * posts once); else undefined, and lib/feishu picks a random one.
 */
export function idempotentUuid(context: ItemContext, options: IDataObject): string | undefined {
	const mine = userUuid(options);
	if (mine !== undefined) return mine;
	const { ctx, i } = context;
	const proxy = dataProxy(ctx, i);
	const eventId = pairedEventId(ctx, proxy) ?? eventIdOf(context.item.json);
	if (eventId === undefined) return undefined;
	const node = ctx.getNode();
	const runIndex = typeof proxy?.$runIndex === 'number' ? proxy.$runIndex : 0;
	return eventSendUuid({ eventId, workflowId: workflowId(ctx), nodeId: node.id || node.name, runIndex, itemIndex: i });
}

function eventIdOf(json: unknown): string | undefined {
	const id = json && typeof json === 'object' ? (json as IDataObject).event_id : undefined;
	return typeof id === 'string' && id !== '' ? id : undefined;
}

/** n8n's expression data for item i ($(), $runIndex), or undefined where the context has none. */
function dataProxy(ctx: IExecuteFunctions, i: number): IWorkflowDataProxyData | undefined {
	try {
		return typeof ctx.getWorkflowDataProxy === 'function' ? ctx.getWorkflowDataProxy(i) : undefined;
	} catch {
		return undefined;
	}
}

function workflowId(ctx: IExecuteFunctions): string {
	try {
		return String(ctx.getWorkflow().id ?? '');
	} catch {
		return '';
	}
}

/**
 * The event id of the Feishu Trigger item this item pairs back to ($('<trigger>').item), following
 * n8n's paired items through nodes that reshape the item (Set, Code, AI Agent...). Undefined when no
 * Feishu Trigger is upstream or pairing fails (not executed, ambiguous after a merge, no pairing):
 * a default must never fail the send.
 */
function pairedEventId(ctx: IExecuteFunctions, proxy: IWorkflowDataProxyData | undefined): string | undefined {
	if (!proxy || typeof proxy.$ !== 'function') return undefined;
	try {
		const self = ctx.getNode();
		// Our own package's trigger, whatever name the package is installed under.
		const triggerType = self.type.replace(/[^.]*$/, 'feishuTrigger');
		for (const parent of ctx.getParentNodes(self.name)) {
			if (parent.type !== triggerType || parent.disabled) continue;
			try {
				const id = eventIdOf((proxy.$(parent.name) as { item?: { json?: unknown } }).item?.json);
				if (id !== undefined) return id;
			} catch {
				// This trigger did not produce the item; another one may have.
			}
		}
	} catch {
		// No workflow graph in this context.
	}
	return undefined;
}

export async function binaryInput(ctx: IExecuteFunctions, i: number) {
	const field = ctx.getNodeParameter('binaryPropertyName', i) as string;
	const meta = ctx.helpers.assertBinaryData(i, field);
	const data = await ctx.helpers.getBinaryDataBuffer(i, field);
	return { data, fileName: meta.fileName ?? field, contentType: meta.mimeType };
}

/**
 * Who Send and Forward deliver to. Version 1 has one text field for every kind of ID; from version 2
 * chats and users are picked with resource locators, the other kinds stay text.
 */
export function recipient(context: ItemContext): { receiveIdType: string; receiveId: string } {
	const receiveIdType = param<string>(context, 'receiveIdType');
	if (context.ctx.getNode().typeVersion >= 2) {
		if (receiveIdType === 'chat_id') return { receiveIdType, receiveId: locatorValue(context, 'chatId') };
		if (receiveIdType === 'open_id') return { receiveIdType, receiveId: locatorValue(context, 'userId') };
	}
	return { receiveIdType, receiveId: param<string>(context, 'receiveId') };
}

/**
 * The content Send and Reply post. From version 2 an image, file, audio or video can come from an n8n
 * binary: it is uploaded first (audio as opus, video as mp4, as Feishu requires) and sent by its key.
 */
export async function sendableContent(context: ItemContext, msgType: string): Promise<Record<string, unknown>> {
	const { ctx, i } = context;
	const fromBinary = ctx.getNode().typeVersion >= 2 && UPLOADABLE.includes(msgType) && param<string>(context, 'uploadFrom', 'binary') === 'binary';
	if (!fromBinary) return readContent(ctx, i, msgType);
	const file = await binaryInput(ctx, i);
	if (msgType === 'image') return { image_key: (await uploadImage(apiClient(context), { image: file })).image_key };
	const fileType = msgType === 'audio' ? 'opus' : msgType === 'media' ? 'mp4' : undefined;
	const { file_key } = await uploadFile(apiClient(context), { file, fileType });
	const cover = msgType === 'media' ? param<string>(context, 'coverImageKey', '') : '';
	return { file_key, ...(cover ? { image_key: cover } : {}) };
}
