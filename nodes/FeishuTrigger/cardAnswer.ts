// The answer to a card action (card.action.trigger) comes from the workflow: the Feishu node's
// "Respond to Card Action" calls sendResponse, which resolves the response promise the trigger
// passed to emit. Feishu waits at most 3 s, so the trigger waits only a budget, then answers empty.
import type { IDataObject } from 'n8n-workflow';
import { isObject, TIMED_OUT, within } from '../../lib/feishu';

/**
 * The answer body from what sendResponse gave: either the answer itself ({toast, card}) or an n8n
 * full HTTP response ({body, headers, statusCode}, the shape webhook mode needs).
 */
export function unwrapCardAnswer(response: unknown): IDataObject | undefined {
	if (!isObject(response)) return undefined;
	if ('body' in response && ('statusCode' in response || 'headers' in response)) {
		const body = response.body;
		if (typeof body === 'string') {
			try {
				const parsed: unknown = JSON.parse(body);
				return isObject(parsed) ? (parsed as IDataObject) : undefined;
			} catch {
				return undefined;
			}
		}
		return isObject(body) ? (body as IDataObject) : undefined;
	}
	return response as IDataObject;
}

/** Resolves to the answer, or undefined once `budgetMs` passed or `signal` aborted. Never rejects. */
export function answerWithinBudget(answer: Promise<unknown>, budgetMs: number, signal?: AbortSignal): Promise<IDataObject | undefined> {
	const unwrapped = answer.then(unwrapCardAnswer, () => undefined);
	return within(unwrapped, budgetMs, signal).then((value) => (value === TIMED_OUT ? undefined : value));
}
