// Identifier formats as Feishu shows them: om_ messages, oc_ chats, ou_/on_ users, t- tokens, and the
// x-tt-logid format (timestamp + hex).
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

export const newMessageId = (): string => `om_${hex(16)}`;
export const newThreadId = (): string => `omt_${hex(8)}`;
export const newEventId = (): string => hex(16);
export const newUuid = (): string => randomUUID();
export const newTenantToken = (): string => `t-g${hex(20)}`;
export const newImageKey = (): string => `img_v3_${hex(4)}_${randomUUID()}`;
export const newFileKey = (): string => `file_v3_${hex(4)}_${randomUUID()}`;

/** A stable id derived from a seed, so the same user/chat always gets the same id. */
export function stableHex(seed: string, length = 32): string {
	return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** x-tt-logid: yyyymmddhhmmss + 18 hex upper-case characters, like Feishu's. */
export function newLogId(): string {
	const d = new Date();
	const pad = (n: number) => String(n).padStart(2, '0');
	const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
	return stamp + hex(9).toUpperCase();
}

/** A positive uint64 as a decimal string (frame SeqID/LogID). */
export function randomUint63(): string {
	return (randomBytes(8).readBigUInt64BE() >> 1n).toString();
}
