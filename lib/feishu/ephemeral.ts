// Ephemeral cards (docs/protocol.md, "Ephemeral cards"): a card in a group that only one member sees
// ("only visible to you"), `POST /open-apis/ephemeral/v1/send`, and its removal, `…/delete`. Groups in
// chat mode only (not topic groups, not one-to-one chats); the user gets no notification, and only
// clients online at the time show it.
import type { FeishuApiClient } from './apiClient';
import { FeishuValidationError } from './errors';
import { serializeContent } from './messageContent';
import { requireId } from './paths';

export const EPHEMERAL_USER_ID_TYPES = ['open_id', 'user_id', 'email'] as const;
export type EphemeralUserIdType = (typeof EPHEMERAL_USER_ID_TYPES)[number];

/** Shows `card` (card JSON, or a card-builder template) in `chatId` to the one user named by `userIdType`. */
export async function sendEphemeralCard(
	client: FeishuApiClient,
	p: { chatId: string; userId: string; userIdType?: EphemeralUserIdType | string; card: unknown },
): Promise<{ message_id: string; chat_id: string }> {
	const chatId = requireId('chat_id', p.chatId);
	if (!chatId.startsWith('oc_')) throw new FeishuValidationError('chat_id', `"${chatId}" is not a chat ID (oc_…): ephemeral cards go to a group`);
	const type = p.userIdType || 'open_id';
	if (!(EPHEMERAL_USER_ID_TYPES as readonly string[]).includes(type)) throw new FeishuValidationError('user_id_type', `"${type}" is not one of ${EPHEMERAL_USER_ID_TYPES.join(', ')}`);
	const userId = requireId(type, p.userId);
	// The card checks and 30 KB limit of a card message.
	serializeContent('interactive', p.card);
	// Not repeated on its own: Feishu takes no idempotency key here, and a repeat shows a second card.
	const data = await client.request<{ message_id?: string }>({
		method: 'POST',
		path: '/open-apis/ephemeral/v1/send',
		body: { chat_id: chatId, [type]: userId, msg_type: 'interactive', card: p.card },
	});
	return { message_id: String(data?.message_id ?? ''), chat_id: chatId };
}

/** Removes an ephemeral card (leaving no trace on the user's devices); Feishu answers 18051 once it is gone. */
export async function deleteEphemeralCard(client: FeishuApiClient, p: { messageId: string }): Promise<{ message_id: string; deleted: true }> {
	const messageId = requireId('message_id', p.messageId);
	await client.request({ method: 'POST', path: '/open-apis/ephemeral/v1/delete', body: { message_id: messageId } });
	return { message_id: messageId, deleted: true };
}
