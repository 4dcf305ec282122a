// Send Answer: the end of "Feishu Trigger → AI Agent → Send Answer" (docs/protocol.md, "Streamed
// answers"). The trigger replied with a thinking card (its item's answer_card). When n8n runs the
// workflow in streaming mode, the trigger owns the card and streams the agent's tokens into it: this
// streams the final text as a chunk only the trigger reads (marked with the card's token), and the
// trigger closes the card with it. Otherwise this closes the card itself; with no card at all (the
// trigger's option off, or Feishu refused the card) it replies to the message with the answer.
import type { IDataObject } from 'n8n-workflow';
import { type AnswerCardItem, FeishuValidationError, finalAnswerChunk, removeReaction, StreamingAnswerCard } from '../../../../lib/feishu';
import type { ItemContext, ItemOperation } from '../types';
import { apiClient, param } from '../shared';

const TRIGGER_TYPE_SUFFIX = '.feishuTrigger';

/** The item of the Feishu Trigger this run started from (paired with this item), if any. */
function triggerItem({ ctx, i }: ItemContext): IDataObject | undefined {
	const trigger = ctx.getParentNodes(ctx.getNode().name).find((n) => n.type.endsWith(TRIGGER_TYPE_SUFFIX));
	if (!trigger) return undefined;
	try {
		const json: unknown = ctx.getWorkflowDataProxy(i).$(trigger.name).item?.json;
		return json && typeof json === 'object' && !Array.isArray(json) ? (json as IDataObject) : undefined;
	} catch {
		return undefined; // no paired item back to the trigger
	}
}

function cardOf(value: unknown): AnswerCardItem | undefined {
	const v = typeof value === 'string' && value.trim() ? JSON.parse(value) : value;
	if (!v || typeof v !== 'object') return undefined;
	const c = v as Partial<AnswerCardItem>;
	if (typeof c.card_id !== 'string' || typeof c.message_id !== 'string' || typeof c.token !== 'string' || typeof c.sequence !== 'number') {
		throw new FeishuValidationError('Answer Card', 'should be the Feishu Trigger\'s answer_card: {card_id, message_id, sequence, token}');
	}
	return c as AnswerCardItem;
}

export const sendAnswer: ItemOperation = {
	endpoint: 'PUT /open-apis/cardkit/v1/cards/:card_id, or POST /open-apis/cardkit/v1/cards, then POST /open-apis/im/v1/messages/:message_id/reply',
	scopes: ['cardkit:card:write'],
	async execute(context) {
		const { ctx, i } = context;
		const text = String(param<string>(context, 'answerText') ?? '');
		if (!text.trim()) throw new FeishuValidationError('Answer', 'is empty: map the AI Agent\'s output (for example {{ $json.output }})');
		const opts = param<IDataObject>(context, 'answerOptions', {});
		const footer = String(opts.footer ?? '').trim() || undefined;
		const given = param<unknown>(context, 'answerCard', '');
		const trigger = given === '' || given === undefined ? triggerItem(context) : undefined;
		const card = cardOf(given === '' || given === undefined ? trigger?.answer_card : given);

		if (card && ctx.isStreaming?.()) {
			// The trigger owns the card while the run streams: hand it the final text.
			await Promise.resolve(ctx.sendChunk('item', i, finalAnswerChunk(card.token, { text, ...(footer ? { footer } : {}) }) as IDataObject));
			return { json: { card_id: card.card_id, message_id: card.message_id, streamed: true, text } };
		}
		const answer = new StreamingAnswerCard(apiClient(context));
		if (card) answer.attach(card);
		else {
			const replyTo = String(opts.replyTo || trigger?.message_id || '').trim();
			if (!replyTo) throw new FeishuValidationError('Answer Card', 'none found: turn on the Feishu Trigger\'s "Answer in a Streaming Card", or map its answer_card');
			await answer.start({ replyTo });
		}
		const result = await answer.finish(text, { footer });
		// The trigger's working reaction: whoever closes the card takes it off.
		if (card?.reaction_id) await removeReaction(apiClient(context), { messageId: card.reply_to || card.message_id, reactionId: card.reaction_id }).catch(() => undefined);
		return { json: { ...result, streamed: false, text } as IDataObject };
	},
};
