// Reads the content parameters of one item into the msg_type content object Feishu expects.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { buildCard, buildPostContent, buildTemplateCard, buildTextContent, FeishuValidationError, parseJsonField } from '../../../lib/feishu';

function jsonParam(ctx: IExecuteFunctions, name: string, i: number, field: string): unknown {
	return parseJsonField(field, ctx.getNodeParameter(name, i));
}

/** The card of the parameters; `linkButtonsOnly` for a custom bot's card, whose buttons have no value. */
export function readCard(ctx: IExecuteFunctions, i: number, { linkButtonsOnly = false } = {}): Record<string, unknown> {
	const source = ctx.getNodeParameter('cardSource', i) as string;
	if (source === 'json') {
		const card = jsonParam(ctx, 'cardJson', i, 'Card JSON');
		if (typeof card !== 'object' || card === null || Array.isArray(card)) throw new FeishuValidationError('Card JSON', 'should be a JSON object');
		return card as Record<string, unknown>;
	}
	if (source === 'template') {
		const vars = jsonParam(ctx, 'templateVariables', i, 'Template Variables');
		return buildTemplateCard(ctx.getNodeParameter('templateId', i) as string, (vars ?? {}) as Record<string, unknown>);
	}
	const buttons = ((ctx.getNodeParameter('cardButtons', i, {}) as IDataObject).button ?? []) as IDataObject[];
	return buildCard({
		title: ctx.getNodeParameter('cardTitle', i, '') as string,
		template: ctx.getNodeParameter('cardTemplate', i, 'blue') as string,
		markdown: ctx.getNodeParameter('cardMarkdown', i, '') as string,
		buttons: buttons.map((b, n) => ({
			text: String(b.text ?? ''),
			value: linkButtonsOnly ? undefined : ((parseJsonField(`Buttons[${n}].Value`, b.value ?? '{}') ?? {}) as Record<string, unknown>),
			url: b.url ? String(b.url) : undefined,
			type: (b.type as 'default' | 'primary' | 'danger') ?? 'default',
		})),
	});
}

export function readContent(ctx: IExecuteFunctions, i: number, msgType: string): Record<string, unknown> {
	switch (msgType) {
		case 'text': {
			const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
			const ids = String(options.mentionUserIds ?? '')
				.split(',')
				.map((s) => s.trim())
				.filter(Boolean);
			return buildTextContent(ctx.getNodeParameter('text', i) as string, ids.map((userId) => ({ userId })), options.mentionAll === true);
		}
		case 'post': {
			if (ctx.getNodeParameter('postInput', i) === 'json') {
				return jsonParam(ctx, 'postJson', i, 'Post JSON') as Record<string, unknown>;
			}
			return buildPostContent(
				ctx.getNodeParameter('postText', i, '') as string,
				ctx.getNodeParameter('postLocale', i, 'zh_cn') as string,
				ctx.getNodeParameter('postTitle', i, '') as string,
			);
		}
		case 'image':
			return { image_key: ctx.getNodeParameter('imageKey', i) };
		case 'file':
		case 'audio':
		case 'sticker':
			return { file_key: ctx.getNodeParameter('fileKey', i) };
		case 'media': {
			const cover = ctx.getNodeParameter('coverImageKey', i, '') as string;
			return { file_key: ctx.getNodeParameter('fileKey', i), ...(cover ? { image_key: cover } : {}) };
		}
		case 'interactive':
			return readCard(ctx, i);
		// Text in version 1, a resource locator from version 2: extractValue reads either.
		case 'share_chat':
			return { chat_id: ctx.getNodeParameter('shareChatId', i, '', { extractValue: true }) };
		case 'share_user':
			return { user_id: ctx.getNodeParameter('shareUserId', i, '', { extractValue: true }) };
		default:
			throw new FeishuValidationError('Message Type', `unknown type "${msgType}"`);
	}
}
