import { uploadImage as uploadImageFile } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient } from '../shared';
import { uploadInput } from './urlSource';

export const uploadImage: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/images',
	scopes: ['im:resource', 'im:resource:upload'],
	async execute(context) {
		// The input binary (the default), or a download of the URL (Source: URL).
		const image = await uploadInput(context, 'image');
		const res = await uploadImageFile(apiClient(context), { image });
		return { json: { image_key: res.image_key, file_name: image.fileName, size: image.data.length } };
	},
};
