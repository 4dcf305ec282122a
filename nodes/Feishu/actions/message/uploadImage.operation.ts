import { uploadImage as uploadImageFile } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient } from '../shared';
import { binaryInput } from './shared';

export const uploadImage: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/images',
	async execute(context) {
		const image = await binaryInput(context.ctx, context.i);
		const res = await uploadImageFile(apiClient(context), { image });
		return { json: { image_key: res.image_key, file_name: image.fileName, size: image.data.length } };
	},
};
