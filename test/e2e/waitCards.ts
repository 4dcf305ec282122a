// What the Send and Wait e2e tests share: the workflow (a Feishu Trigger, the node waiting, a No
// Operation after it), reading the card the bot sent, clicking it as a person, and n8n's state.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chatMessages, control, type Rig, tenantToken, triggerOnly, waitFor, type SandboxMessage } from './harness';

const ACTION_TYPE = 'n8n-nodes-feishu-bot.feishu';

export function waitWorkflow(name: string, parameters: Record<string, unknown>): any {
	const node = {
		parameters: {
			resource: 'message',
			operation: 'sendAndWait',
			receiveIdType: 'chat_id',
			chatId: { __rl: true, mode: 'id', value: '={{ $json.chat_id }}' },
			...parameters,
		},
		id: randomUUID(),
		name: 'Ask',
		type: ACTION_TYPE,
		typeVersion: 2,
		position: [260, 0],
		credentials: { feishuApi: { id: 'x', name: 'Feishu sandbox' } },
	};
	const done = { parameters: {}, id: randomUUID(), name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [520, 0] };
	return triggerOnly(name, [node, done]);
}

/** Every element of a card JSON 2.0, nested ones included. */
export function elementsOf(card: any): any[] {
	const out: any[] = [];
	const walk = (list: any[] | undefined) => {
		for (const el of list ?? []) {
			out.push(el);
			walk(el.elements);
			for (const col of el.columns ?? []) walk(col.elements);
		}
	};
	walk(card?.body?.elements);
	return out;
}

export const buttonsOf = (card: any) => elementsOf(card).filter((e) => e.tag === 'button');
export const valueOf = (button: any) => button.behaviors.find((b: any) => b.type === 'callback').value;
export const markdownOf = (card: any) => elementsOf(card).filter((e) => e.tag === 'markdown').map((e) => e.content).join('\n');

export async function cardIn(rig: Rig, chatId: string): Promise<SandboxMessage> {
	return waitFor('the bot\'s card', async () => (await chatMessages(rig, chatId)).find((m) => m.from === 'bot' && m.msg_type === 'interactive'));
}

/** The bot sends a card through the Open API, as any workflow of the app could. */
export async function botSends(rig: Rig, chatId: string, card: unknown): Promise<{ message_id: string }> {
	const res = await fetch(`${rig.sandbox.baseUrl}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${await tenantToken(rig)}` },
		body: JSON.stringify({ receive_id: chatId, msg_type: 'interactive', content: JSON.stringify(card) }),
	});
	const body: any = await res.json();
	assert.equal(body.code, 0, JSON.stringify(body));
	return body.data;
}

/** The execution a card's button resumes (its id is in the resume URL). */
export function executionOf(button: any): string {
	return /webhook-waiting\/(\d+)\//.exec(String(valueOf(button).u))![1];
}

/** Until that execution waits; says what it is otherwise. */
export async function untilWaiting(rig: Rig, executionId: string): Promise<void> {
	let last: unknown;
	try {
		await waitFor('the execution waiting', async () => {
			last = await rig.n8n.api<{ status: string }>('GET', `/executions/${executionId}`).catch((error: Error) => error.message);
			return (last as { status?: string })?.status === 'waiting';
		});
	} catch (error) {
		throw new Error(`${(error as Error).message}: ${JSON.stringify(last).slice(0, 500)}`);
	}
}

export async function click(rig: Rig, messageId: string, body: Record<string, unknown>): Promise<any> {
	return control(rig, 'POST', `cards/${messageId}/click`, body);
}

