// Message operations: parameters in, one lib/feishu call, one output item out.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	downloadMessageResource,
	editMessage,
	FeishuValidationError,
	forwardMessage,
	getMessage,
	recallMessage,
	replyMessage,
	sendMessage,
	updateCard,
	uploadFile,
	uploadImage,
	type FeishuApiClient,
	type FeishuMessage,
} from '../wire';
import { readCard, readContent } from './content';

/** The message as Feishu returned it, plus `content` parsed from body.content for convenience. */
function messageJson(m: FeishuMessage): IDataObject {
	let content: unknown;
	try {
		content = m.body?.content ? JSON.parse(m.body.content) : undefined;
	} catch {
		content = m.body?.content;
	}
	return { ...(m as IDataObject), ...(content !== undefined ? { content: content as IDataObject } : {}) };
}

/** The "Idempotency Key" option; without it lib/feishu generates one per item (per logical send). */
function userUuid(options: IDataObject): string | undefined {
	const v = options.uuid;
	return v === undefined || v === null || v === '' ? undefined : String(v);
}

async function binaryInput(ctx: IExecuteFunctions, i: number) {
	const field = ctx.getNodeParameter('binaryPropertyName', i) as string;
	const meta = ctx.helpers.assertBinaryData(i, field);
	const data = await ctx.helpers.getBinaryDataBuffer(i, field);
	return { data, fileName: meta.fileName ?? field, contentType: meta.mimeType };
}

export async function executeMessage(
	ctx: IExecuteFunctions,
	client: FeishuApiClient,
	operation: string,
	i: number,
	item: INodeExecutionData,
): Promise<INodeExecutionData> {
	const p = <T>(name: string, fallback?: T) => ctx.getNodeParameter(name, i, fallback as never) as T;
	const options = () => p<IDataObject>('options', {});

	switch (operation) {
		case 'send': {
			const msgType = p<string>('msgType');
			const res = await sendMessage(client, {
				receiveIdType: p<string>('receiveIdType'),
				receiveId: p<string>('receiveId'),
				msgType,
				content: readContent(ctx, i, msgType),
				uuid: userUuid(options()),
			});
			return { json: messageJson(res) };
		}
		case 'reply': {
			const msgType = p<string>('msgType');
			const opts = options();
			const res = await replyMessage(client, {
				messageId: p<string>('messageId'),
				msgType,
				content: readContent(ctx, i, msgType),
				replyInThread: opts.replyInThread === true,
				uuid: userUuid(opts),
			});
			return { json: messageJson(res) };
		}
		case 'edit': {
			const msgType = p<string>('msgType');
			const res = await editMessage(client, { messageId: p<string>('messageId'), msgType, content: readContent(ctx, i, msgType) });
			return { json: messageJson(res) };
		}
		case 'updateCard': {
			const messageId = p<string>('messageId');
			await updateCard(client, { messageId, card: readCard(ctx, i) });
			return { json: { message_id: messageId, updated: true } };
		}
		case 'recall': {
			const messageId = p<string>('messageId');
			await recallMessage(client, { messageId });
			return { json: { message_id: messageId, recalled: true } };
		}
		case 'get':
			return { json: messageJson(await getMessage(client, { messageId: p<string>('messageId') })) };
		case 'forward': {
			const res = await forwardMessage(client, {
				messageId: p<string>('messageId'),
				receiveIdType: p<string>('receiveIdType'),
				receiveId: p<string>('receiveId'),
				uuid: userUuid(options()),
			});
			return { json: messageJson(res) };
		}
		case 'downloadResource': {
			const messageId = p<string>('messageId');
			const key = p<string>('resourceKey');
			// 'auto' (the default, also when absent): what the former default expression
			// `$json.message_type === "image" ? "image" : "file"` gave, so saved workflows keep their meaning.
			const chosen = p<string>('resourceType', 'auto');
			const type = chosen === 'auto' ? (item.json.message_type === 'image' ? 'image' : 'file') : chosen;
			const res = await downloadMessageResource(client, { messageId, fileKey: key, type });
			const field = p<string>('binaryPropertyName', 'data');
			const fileName = res.fileName ?? (type === 'image' ? `${key}.${(res.contentType ?? '').split('/')[1]?.split(';')[0] || 'png'}` : key);
			const binary = await ctx.helpers.prepareBinaryData(res.data, fileName, res.contentType?.split(';')[0]);
			return {
				json: { ...item.json, message_id: messageId, resource_key: key, resource_type: type, file_name: fileName, size: res.data.length },
				binary: { ...(item.binary ?? {}), [field]: binary },
			};
		}
		case 'uploadImage': {
			const image = await binaryInput(ctx, i);
			const res = await uploadImage(client, { image });
			return { json: { image_key: res.image_key, file_name: image.fileName, size: image.data.length } };
		}
		case 'uploadFile': {
			const file = await binaryInput(ctx, i);
			const opts = options();
			const res = await uploadFile(client, {
				file,
				fileType: p<string>('fileType', '') || undefined,
				fileName: (opts.fileName as string) || undefined,
				durationMs: (opts.durationMs as number) || undefined,
			});
			return { json: { file_key: res.file_key, file_name: (opts.fileName as string) || file.fileName, size: file.data.length } };
		}
		default:
			throw new FeishuValidationError('Operation', `unknown message operation "${operation}"`);
	}
}
