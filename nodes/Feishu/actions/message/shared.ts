// Pieces several message operations share (those of every resource are in ../shared.ts).
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { type FeishuMessage, uploadFile, uploadImage } from '../../../../lib/feishu';
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
