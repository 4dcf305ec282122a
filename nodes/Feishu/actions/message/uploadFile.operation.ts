import { uploadFile as uploadFileData } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { uploadInput } from './urlSource';

export const uploadFile: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/files',
	scopes: ['im:resource', 'im:resource:upload'],
	async execute(context) {
		// The input binary (the default), or a download of the URL (Source: URL).
		const file = await uploadInput(context, 'file');
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
