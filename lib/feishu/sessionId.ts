// The conversation a message belongs to, as one string n8n's memory nodes can key on ("Session ID").
// Direct messages: the chat (one person, one conversation). Groups: a topic thread, or else the root
// of the reply chain (the message that started it, when this one replies), so that people talking
// to the bot in one group keep separate conversations and a reply to the bot's answer continues its
// own. The trigger's Conversation Key option can widen it to the whole chat or narrow it to each
// sender in a chat.

export const SESSION_KEYS = ['auto', 'chat', 'chatSender'] as const;
export type SessionKey = (typeof SESSION_KEYS)[number];

export interface SessionFields {
	chat_id?: string;
	chat_type?: string;
	message_id?: string;
	thread_id?: string;
	root_id?: string;
	sender?: { open_id?: string; user_id?: string; union_id?: string };
}

/** The session id of a message event's shaped fields, or undefined without a chat. */
export function sessionIdOf(m: SessionFields, key: SessionKey = 'auto'): string | undefined {
	const chat = m.chat_id;
	if (!chat) return undefined;
	if (key === 'chat') return chat;
	const sender = m.sender?.open_id ?? m.sender?.user_id ?? m.sender?.union_id;
	if (key === 'chatSender') return sender ? `${chat}:${sender}` : chat;
	if (m.chat_type === 'p2p') return chat;
	return m.thread_id ?? m.root_id ?? m.message_id ?? chat;
}
