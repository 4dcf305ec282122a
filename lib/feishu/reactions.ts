// Emoji reactions on a message (docs/protocol.md, "Message reactions"): add one as the bot, remove one
// the bot added, list them page by page (optionally one emoji type only).
import type { FeishuApiClient } from './apiClient';
import { USER_ID_TYPES } from './chats';
import { FeishuValidationError } from './errors';
import { collectPages, type FeishuPage, pageSizeFor } from './paging';
import { pathId, requireId, seg } from './paths';

/** Feishu's largest page of reactions. */
export const REACTION_PAGE_MAX = 50;

export interface FeishuReaction {
	reaction_id: string;
	/** Who reacted: an app (operator_id is its app id) or a user (an id of the list's user_id_type). */
	operator?: { operator_id: string; operator_type: 'app' | 'user' | string };
	/** Milliseconds since the epoch, as a string. */
	action_time?: string;
	reaction_type?: { emoji_type: string };
	[key: string]: unknown;
}

const reactionsPath = (messageId: string) => `/open-apis/im/v1/messages/${seg(pathId('message_id', messageId))}/reactions`;

/** Adds an emoji reaction (emoji_type from Feishu's emoji list, e.g. THUMBSUP, case-sensitive) as the bot. */
export async function addReaction(client: FeishuApiClient, p: { messageId: string; emojiType: string }): Promise<FeishuReaction> {
	const emojiType = requireId('emoji_type', p.emojiType);
	return client.request({ method: 'POST', path: reactionsPath(p.messageId), body: { reaction_type: { emoji_type: emojiType } } });
}

/** Removes a reaction the bot added (Feishu refuses others' with 231007). */
export async function removeReaction(client: FeishuApiClient, p: { messageId: string; reactionId: string }): Promise<FeishuReaction> {
	const reactionId = pathId('reaction_id', p.reactionId);
	return client.request({ method: 'DELETE', path: `${reactionsPath(p.messageId)}/${seg(reactionId)}` });
}

function checkUserIdType(t: string | undefined): string {
	const type = t || 'open_id';
	if (!(USER_ID_TYPES as readonly string[]).includes(type)) throw new FeishuValidationError('user_id_type', `"${type}" is not one of ${USER_ID_TYPES.join(', ')}`);
	return type;
}

/** One page of a message's reactions. */
export async function listReactionsPage(
	client: FeishuApiClient,
	p: { messageId: string; emojiType?: string; userIdType?: string; pageToken?: string; pageSize?: number },
): Promise<FeishuPage<FeishuReaction>> {
	return client.request({
		method: 'GET',
		path: reactionsPath(p.messageId),
		query: { reaction_type: p.emojiType?.trim() || undefined, user_id_type: checkUserIdType(p.userIdType), page_token: p.pageToken, page_size: p.pageSize ?? REACTION_PAGE_MAX },
	});
}

/** Every reaction on a message (or of one emoji type), or the first `limit`. */
export async function listReactions(client: FeishuApiClient, p: { messageId: string; emojiType?: string; userIdType?: string; limit?: number }): Promise<FeishuReaction[]> {
	const pageSize = pageSizeFor(p.limit, REACTION_PAGE_MAX);
	return collectPages((pageToken) => listReactionsPage(client, { ...p, pageToken, pageSize }), p.limit);
}
