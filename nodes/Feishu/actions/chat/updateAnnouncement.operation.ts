import type { IDataObject } from 'n8n-workflow';
import { FeishuValidationError, getChatAnnouncement, parseJsonField, setChatAnnouncementText, updateChatAnnouncement } from '../../../../lib/feishu';
import type { ItemOperation } from '../types';
import { apiClient, locatorValue, param } from '../shared';

export const updateAnnouncement: ItemOperation = {
	endpoint: 'PATCH /open-apis/im/v1/chats/:chat_id/announcement',
	scopes: ['im:chat', 'im:chat.announcement:write_only'],
	async execute(context) {
		const client = apiClient(context);
		const chatId = locatorValue(context, 'chatId');
		if (param<string>(context, 'announcementInput', 'text') === 'raw') {
			const requests = parseJsonField('Requests (JSON)', param(context, 'announcementRequests', '[]'));
			if (!Array.isArray(requests)) throw new FeishuValidationError('Requests (JSON)', 'should be a JSON array of edit requests');
			// No revision given: the one the announcement has now.
			const revision = String(param(context, 'announcementRevision', '') ?? '').trim() || ((await getChatAnnouncement(client, { chatId })).revision ?? '0');
			return { json: (await updateChatAnnouncement(client, { chatId, revision, requests })) as IDataObject };
		}
		const result = await setChatAnnouncementText(client, {
			chatId,
			text: param<string>(context, 'announcementText', ''),
			title: param<string>(context, 'announcementTitle', '') || undefined,
			mode: param<string>(context, 'announcementMode', 'replace') === 'append' ? 'append' : 'replace',
		});
		return { json: result as IDataObject };
	},
};
