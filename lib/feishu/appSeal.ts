// HMACs keyed by an app's secret, one key per purpose: only our nodes and triggers of the same app know
// the secret, so a value sealed by one of them cannot be forged by anyone who merely sees n8n's URLs.
import { createHmac, timingSafeEqual } from 'node:crypto';

const keys = new Map<string, Buffer>();

function keyOf(appSecret: string, purpose: string): Buffer {
	const id = `${purpose}\u0000${appSecret}`;
	let key = keys.get(id);
	if (!key) {
		key = createHmac('sha256', appSecret).update(purpose).digest();
		if (keys.size >= 64) keys.clear();
		keys.set(id, key);
	}
	return key;
}

/** Hex HMAC-SHA256 of `text` under the app secret's key for `purpose`. */
export function appMac(appSecret: string, purpose: string, text: string): string {
	return createHmac('sha256', keyOf(appSecret, purpose)).update(text, 'utf8').digest('hex');
}

/** Constant-time equality of two hex strings. */
export function sameHex(a: string, b: string): boolean {
	const x = Buffer.from(a, 'utf8');
	const y = Buffer.from(b, 'utf8');
	return x.length === y.length && timingSafeEqual(x, y);
}
