import { uploadFile as uploadFileData } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { binaryInput } from './shared';

export const uploadFile: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/files',
	async execute(context) {
		const file = await binaryInput(context.ctx, context.i);
		const opts = options(context);
		const res = await uploadFileData(apiClient(context), {
			file,
			fileType: param<string>(context, 'fileType', '') || undefined,
			fileName: (opts.fileName as string) || undefined,
			durationMs: (opts.durationMs as number) || undefined,
		});
		return { json: { file_key: res.file_key, file_name: (opts.fileName as string) || file.fileName, size: file.data.length } };
	},
};
