// Urgent (buzz) notifications (docs/protocol.md, "Urgent notifications") for a message the bot sent:
// in the app, by SMS or by phone call, to users in the message's chat. SMS and phone use the tenant's
// paid quota, so a request is never repeated on its own (`repeatable: false`).
import type { FeishuApiClient } from './apiClient';
import { USER_ID_TYPES } from './chats';
import { FeishuValidationError } from './errors';
import { pathId, seg } from './paths';

export const URGENT_TYPES = ['app', 'sms', 'phone'] as const;
export type UrgentType = (typeof URGENT_TYPES)[number];

export async function sendUrgent(
	client: FeishuApiClient,
	p: { messageId: string; type: UrgentType | string; userIds: readonly string[]; userIdType?: string },
): Promise<{ message_id: string; urgent_type: string; invalid_user_id_list: string[] }> {
	const id = pathId('message_id', p.messageId);
	if (!(URGENT_TYPES as readonly string[]).includes(p.type)) throw new FeishuValidationError('urgent_type', `"${p.type}" is not one of ${URGENT_TYPES.join(', ')}`);
	const userIdType = p.userIdType || 'open_id';
	if (!(USER_ID_TYPES as readonly string[]).includes(userIdType)) throw new FeishuValidationError('user_id_type', `"${userIdType}" is not one of ${USER_ID_TYPES.join(', ')}`);
	const userIds = [...new Set((p.userIds ?? []).map((u) => String(u).trim()).filter(Boolean))];
	if (userIds.length === 0) throw new FeishuValidationError('user_id_list', 'needs at least one user ID');
	const data = await client.request<{ invalid_user_id_list?: string[] }>({
		method: 'PATCH',
		path: `/open-apis/im/v1/messages/${seg(id)}/urgent_${p.type}`,
		query: { user_id_type: userIdType },
		body: { user_id_list: userIds },
		// A retried SMS or phone buzz may reach (and bill) the user twice.
		repeatable: false,
	});
	return { message_id: id, urgent_type: p.type, invalid_user_id_list: data.invalid_user_id_list ?? [] };
}
