import { downloadMessageResource } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, param } from '../shared';

export const downloadResource: ItemOperation = {
	endpoint: 'GET /open-apis/im/v1/messages/:message_id/resources/:file_key',
	scopes: ['im:message', 'im:message:readonly', 'im:message.history:readonly'],
	async execute(context) {
		const { ctx, item } = context;
		const messageId = param<string>(context, 'messageId');
		const key = param<string>(context, 'resourceKey');
		// 'auto' (the default, also when absent): what the former default expression
		// `$json.message_type === "image" ? "image" : "file"` gave, so saved workflows keep their meaning.
		const chosen = param<string>(context, 'resourceType', 'auto');
		const type = chosen === 'auto' ? (item.json.message_type === 'image' ? 'image' : 'file') : chosen;
		const res = await downloadMessageResource(apiClient(context), { messageId, fileKey: key, type });
		const field = param<string>(context, 'binaryPropertyName', 'data');
		const fileName = res.fileName ?? (type === 'image' ? `${key}.${(res.contentType ?? '').split('/')[1]?.split(';')[0] || 'png'}` : key);
		const binary = await ctx.helpers.prepareBinaryData(res.data, fileName, res.contentType?.split(';')[0]);
		return {
			json: { ...item.json, message_id: messageId, resource_key: key, resource_type: type, file_name: fileName, size: res.data.length },
			binary: { ...(item.binary ?? {}), [field]: binary },
		};
	},
};
