// Bitable > Upload Attachment: the item's binary file goes into the Base (drive/v1/medias/upload_all,
// parent_type bitable_image for images, bitable_file otherwise), then into the record's attachment
// field, after the attachments already there unless told to replace them.
import type { IDataObject } from 'n8n-workflow';
import { FeishuValidationError, getBitableRecord, updateBitableRecord, uploadBitableMedia } from '../../../../lib/feishu';
import { binaryInput } from '../message/shared';
import type { ItemOperation } from '../types';
import { apiClient, options, param } from '../shared';
import { fieldsOf, recordItem, simplifyOf, tableOf } from './shared';

export const uploadAttachment: ItemOperation = {
	endpoint: 'POST /open-apis/drive/v1/medias/upload_all, then PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id',
	scopes: ['bitable:app'],
	async execute(context) {
		const ref = tableOf(context);
		const fields = await fieldsOf(context, ref);
		const name = param<string>(context, 'attachmentField', '').trim();
		const field = fields.find((f) => f.field_name === name);
		if (!field) throw new FeishuValidationError('Attachment Field', `the table has no field "${name}"`);
		if (field.type !== 17) throw new FeishuValidationError('Attachment Field', `"${name}" is not an attachment field`);
		const recordId = param<string>(context, 'recordId', '');
		const client = apiClient(context);
		const file = await binaryInput(context.ctx, context.i);
		const keep = options(context).append !== false;
		// Read the record first: a record that does not exist fails before anything is uploaded.
		const current = await getBitableRecord(client, { ...ref, recordId });
		const { file_token: fileToken } = await uploadBitableMedia(client, { appToken: ref.appToken, file: { data: file.data, fileName: file.fileName, contentType: file.contentType }, image: /^image\//.test(file.contentType ?? '') });
		const existing = keep && Array.isArray(current.fields[name]) ? (current.fields[name] as IDataObject[]).map((a) => ({ file_token: String(a.file_token) })) : [];
		const record = await updateBitableRecord(client, { ...ref, recordId, fields: { [name]: [...existing, { file_token: fileToken }] } });
		const item = recordItem(record, fields, simplifyOf(context));
		return { json: { ...item.json, file_token: fileToken } };
	},
};
