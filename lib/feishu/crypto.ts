// Webhook security primitives (docs/protocol.md, "Encryption" and "Request signature"): AES-256-CBC with SHA-256 of the
// Encrypt Key and a 16-byte IV prefix, and the X-Lark-Signature over the raw body bytes.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export class FeishuDecryptError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FeishuDecryptError';
	}
}

// Every request of an app uses the same key: derive it once (a hash per request otherwise).
const derivedKeys = new Map<string, Buffer>();

function keyOf(encryptKey: string): Buffer {
	let key = derivedKeys.get(encryptKey);
	if (!key) {
		key = createHash('sha256').update(encryptKey, 'utf8').digest();
		if (derivedKeys.size >= 64) derivedKeys.clear(); // bounded: a handful of apps per process
		derivedKeys.set(encryptKey, key);
	}
	return key;
}

export function encryptPayload(encryptKey: string, plaintext: string, iv: Buffer = randomBytes(16)): string {
	const cipher = createCipheriv('aes-256-cbc', keyOf(encryptKey), iv);
	return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

export function decryptPayload(encryptKey: string, encrypted: string): string {
	if (typeof encrypted !== 'string' || encrypted.length === 0) {
		throw new FeishuDecryptError('The "encrypt" field is empty or not a string');
	}
	const raw = Buffer.from(encrypted, 'base64');
	if (raw.length < 32 || (raw.length - 16) % 16 !== 0) {
		throw new FeishuDecryptError('The "encrypt" field is not valid AES-256-CBC ciphertext (wrong length)');
	}
	try {
		const decipher = createDecipheriv('aes-256-cbc', keyOf(encryptKey), raw.subarray(0, 16));
		return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
	} catch {
		throw new FeishuDecryptError('Could not decrypt the body: check that the Encrypt Key matches the Feishu console');
	}
}

/** lowercase hex SHA-256 of timestamp + nonce + encryptKey + raw body bytes. */
export function computeSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer | string): string {
	// Two updates hash the same bytes as one over the concatenation, without copying the body.
	const hash = createHash('sha256').update(timestamp + nonce + encryptKey, 'utf8');
	return (Buffer.isBuffer(rawBody) ? hash.update(rawBody) : hash.update(rawBody, 'utf8')).digest('hex');
}

export function verifySignature(
	timestamp: string,
	nonce: string,
	encryptKey: string,
	rawBody: Buffer | string,
	signature: string,
): boolean {
	const expected = Buffer.from(computeSignature(timestamp, nonce, encryptKey, rawBody), 'utf8');
	const given = Buffer.from(String(signature).toLowerCase(), 'utf8');
	return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Constant-time string equality: both sides are hashed first, so neither length nor content leaks. */
export function safeEqual(a: string, b: string): boolean {
	const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
	return timingSafeEqual(digest(a), digest(b));
}

/** A short, non-reversible name for a secret: cache keys tell secrets apart without holding them. */
export function secretFingerprint(secret: string): string {
	return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 32);
}
