// The time limit of a Send and Wait card (docs/protocol.md, "Send and Wait"). n8n resumes a timed-out
// execution without calling the node, so nothing of ours would redraw the card. Instead the process
// that sent the card keeps a timer: at the limit it posts a sealed expiry to the execution's resume
// URL, a little before n8n's own timeout. n8n hands it to the node's webhook only while the execution
// still waits, so it can never mark an answered card expired; the webhook redraws the card and leaves
// the execution to n8n's timeout. The timer lives in memory: if that process stops before the limit,
// the card keeps its buttons (a click then says the request no longer waits).
import { sealWaitExpiry } from './waitSignature';
import { after, type Timer } from './timers';

/** n8n's own timeout comes this long after the card's limit, so the expiry is taken while the execution waits. */
export const WAIT_EXPIRY_GRACE_MS = 5_000;

/** Feishu updates only messages sent in the last 14 days (im/v1 message patch, "使用限制"). */
export const CARD_UPDATE_WINDOW_MS = 14 * 86_400_000;

const POST_TIMEOUT_MS = 10_000;

export interface WaitExpiryOptions {
	/** The card's limit (ms). */
	at: number;
	/** One of the execution's signed resume URLs. */
	resumeUrl: string;
	appSecret: string;
	messageId: string;
	/** Logs why the expiry could not be posted. */
	onProblem?: (message: string) => void;
}

/**
 * Posts the card's expiry to the resume URL at `at`; undefined (nothing scheduled) when `at` is past
 * Feishu's window for updating the message.
 */
export function scheduleWaitExpiry(o: WaitExpiryOptions, now = Date.now()): Timer | undefined {
	if (o.at - now > CARD_UPDATE_WINDOW_MS) return undefined;
	return after(o.at - now, () => void postExpiry(o));
}

async function postExpiry(o: WaitExpiryOptions): Promise<void> {
	const controller = new AbortController();
	const timer = after(POST_TIMEOUT_MS, () => controller.abort());
	try {
		const res = await fetch(o.resumeUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify(sealWaitExpiry(o.appSecret, o.messageId)),
			redirect: 'manual',
			signal: controller.signal,
		});
		const text = await res.text();
		// 2xx: marked expired, or n8n's "no action required" page (answered already, or no longer waiting).
		if (res.status >= 300) o.onProblem?.(`n8n answered HTTP ${res.status} to the card's expiry: ${text.slice(0, 200)}`);
	} catch (error) {
		o.onProblem?.(`could not post the card's expiry to n8n: ${controller.signal.aborted ? `no answer within ${POST_TIMEOUT_MS} ms` : (error as Error).message}`);
	} finally {
		timer.cancel();
	}
}
