// Message > Send and Wait for Response (docs/protocol.md, "Send and Wait"): sends the card, whose
// buttons or form carry this execution's signed resume URL sealed with the app's secret, and puts the
// execution to wait; the app's Feishu Trigger relays the answer to that URL and the node's webhook
// (sendAndWait/waitWebhook.ts) resumes it. As n8n's own send-and-wait operations: one card, for the
// first input item, and the items go on unchanged when the time limit passes (the card then says it
// expired: lib/feishu/waitExpiry.ts). Without a Feishu Trigger of the app in this process (or when
// asked to) the card's buttons open n8n's page instead (answersOnPage).
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';
import { appCredentialsFrom, findUserIds, hasCallbackReceiver, pendingWaitCard, scheduleWaitExpiry, sendMessage, WAIT_EXPIRY_GRACE_MS, waitActionValue } from '../../../../lib/feishu';
import { authenticationOf } from '../../identity';
import { USER_AUTHENTICATION } from '../../descriptions/AuthenticationDescription';
import { readWaitRequest, shownTime, waitCardOf, waitLinkCardOf, waitTillOf } from '../../sendAndWait/waitRequest';
import { apiClient, options } from '../shared';
import type { ItemContext, ItemOperation } from '../types';
import { recipient } from './shared';

/** The resume URL's query, signed by n8n with the URL: what the webhook checks the answer against. */
export interface WaitUrlQuery {
	approved?: 'true' | 'false';
	/** When the card was sent (ms). */
	sent: string;
	/** When the wait ends (ms), if it does. */
	until?: string;
	/** Who may answer: open_ids. */
	approvers?: string;
	/** The chat the card was sent to (its answers come from there). */
	chat?: string;
	/** The user it was sent to, when no approvers are named (only they may answer). */
	user?: string;
	/** '1': answered on n8n's page (the card's buttons open it), not in the card. */
	page?: '1';
}

/** Options > Answer On. */
export const ANSWER_ON = { feishu: 'feishu', feishuOrPage: 'feishuOrPage', page: 'n8nPage' } as const;

/** Whether the answer is given on n8n's page; says why when it falls back to it, and refuses what the page cannot check. */
function answersOnPage(context: ItemContext, answerOn: string, appId: string, approvers: string[]): boolean {
	const { ctx } = context;
	const fallback = answerOn === ANSWER_ON.feishuOrPage && !hasCallbackReceiver(appId);
	if (answerOn !== ANSWER_ON.page && !fallback) return false;
	const why = fallback ? `No Feishu Trigger for app ${appId} is active in this n8n, so nothing would take the answers given in the card` : undefined;
	if (approvers.length) {
		throw new NodeOperationError(ctx.getNode(), why ? `${why}, and Approvers can only be checked there` : 'Approvers can only be checked when the answer is given in Feishu', {
			description:
				'Activate a workflow with a Feishu Trigger for this app (the console\'s card callback subscription goes to it: see the README, "Approvals and forms in Feishu"). In queue mode the workers cannot see the main\'s triggers: set Options > Answer On to "Feishu Card".',
		});
	}
	if (why) ctx.logger.warn(`Feishu Send and Wait: ${why}; the card's buttons open n8n's page instead`, { node: ctx.getNode().name, appId });
	return true;
}

async function approverOpenIds(context: ItemContext, approvers: string[]): Promise<string[]> {
	const emails = approvers.filter((a) => a.includes('@'));
	const ids = approvers.filter((a) => !a.includes('@'));
	for (const id of ids) if (!id.startsWith('ou_')) throw new NodeOperationError(context.ctx.getNode(), `Approver "${id}" is neither an open_id (ou_…) nor an email`);
	if (emails.length) {
		const found = await findUserIds(apiClient(context), { emails, userIdType: 'open_id' });
		for (const email of emails) {
			const match = found.find((m) => m.email === email && m.user_id);
			if (!match) throw new NodeOperationError(context.ctx.getNode(), `Approver ${email} is not a user the app can see`, { description: 'Check the email, and that the app\'s contact scope includes them ("Permissions & Scopes" > data range)' });
			ids.push(String(match.user_id));
		}
	}
	return [...new Set(ids)];
}

function formatDeadline(ctx: IExecuteFunctions, at: Date): string {
	const zone = ctx.getTimezone();
	return `Answer by ${shownTime(at, zone)} (${zone})`;
}

async function sendAndWaitOnce(context: ItemContext): Promise<void> {
	const { ctx } = context;
	if (authenticationOf(ctx) === USER_AUTHENTICATION) {
		throw new NodeOperationError(ctx.getNode(), 'Send and Wait for Response runs as the bot', { description: 'Set Authentication to "Bot (App Credential)": the answers come back as the app\'s card callbacks' });
	}
	const read = <T>(name: string, fallback: T) => ctx.getNodeParameter(name, 0, fallback as never) as T;
	const request = readWaitRequest(read);
	const o: IDataObject = options(context);
	const waitTill = waitTillOf(o);
	const to = recipient(context);
	const query: WaitUrlQuery = { sent: String(Date.now()) };
	if (waitTill.getTime() !== WAIT_INDEFINITELY.getTime()) query.until = String(waitTill.getTime());
	const approvers = await approverOpenIds(context, request.approvers);
	if (approvers.length) query.approvers = approvers.join(',');
	if (to.receiveIdType === 'chat_id') query.chat = to.receiveId;
	else if (to.receiveIdType === 'open_id' && !approvers.length) query.user = to.receiveId;
	const { appId, appSecret } = appCredentialsFrom(await ctx.getCredentials('feishuApi'));
	if (answersOnPage(context, String(o.answerOn ?? ANSWER_ON.feishuOrPage), appId, approvers)) query.page = '1';
	const url = (extra: Partial<WaitUrlQuery>) => ctx.getSignedResumeUrl({ ...query, ...extra } as Record<string, string>);
	const deadline = query.until ? formatDeadline(ctx, waitTill) : undefined;
	const double = request.responseType === 'approval' && request.approval.double;
	const card = pendingWaitCard(
		query.page
			? waitLinkCardOf(request, request.responseType === 'approval' ? { approve: url({ approved: 'true' }), decline: double ? url({ approved: 'false' }) : undefined } : { approve: url({}) }, deadline)
			: waitCardOf(
					request,
					request.responseType === 'approval'
						? { approve: waitActionValue(appSecret, url({ approved: 'true' })), decline: double ? waitActionValue(appSecret, url({ approved: 'false' })) : undefined }
						: { approve: waitActionValue(appSecret, url({})) },
					deadline,
				),
	);
	// n8n 1.x checks the URL's signature only when asked to; n8n 2.x always does and has no such method.
	(ctx as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
	const sent = await sendMessage(apiClient(context), { ...to, msgType: 'interactive', content: card });
	if (!query.until) return await ctx.putExecutionToWait(waitTill);
	// At the limit this process marks the card expired through the webhook; n8n's own timeout follows.
	const node = ctx.getNode().name;
	scheduleWaitExpiry({
		at: waitTill.getTime(),
		resumeUrl: url({}),
		appSecret,
		messageId: sent.message_id,
		onProblem: (message) => ctx.logger.warn(`Feishu Send and Wait: ${message}`, { node, messageId: sent.message_id }),
	});
	await ctx.putExecutionToWait(new Date(waitTill.getTime() + WAIT_EXPIRY_GRACE_MS));
}

export const sendAndWait: ItemOperation = {
	endpoint: 'POST /open-apis/im/v1/messages',
	scopes: ['im:message', 'im:message:send_as_bot', 'im:message:send'],
	async execute(context) {
		await sendAndWaitOnce(context);
		return context.item;
	},
	// One card for all the items (the first one's parameters), which go on as they came once answered.
	async executeBatch({ ctx, items, client }) {
		if (items.length === 0) return [];
		await sendAndWaitOnce({ ctx, i: 0, item: items[0], client });
		return items;
	},
};
