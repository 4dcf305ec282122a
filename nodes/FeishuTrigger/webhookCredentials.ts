// Webhook mode needs the credential (Encrypt Key, Verification Token) for every request. n8n reads
// it from its database each time and, on 2.x with its default expression engine, creates an
// expression isolate for it: measured under a burst of 100 events that was half of n8n's isolates
// and a third of its database queries per request. So a webhook keeps the decrypted credential
// briefly. A request the kept copy refuses is checked again against a fresh read (webhookRequest.ts),
// so a rotated Encrypt Key or Verification Token works at once; the old one is accepted for at most
// KEEP_MS after the change.
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';
import type { SettingsSource } from './TriggerSettings';

export const KEEP_MS = 60_000;
const MAX_ENTRIES = 1_000;

// The read itself is kept, so a burst arriving together (or at expiry) shares one read.
const kept = new Map<string, { read: Promise<ICredentialDataDecryptedObject>; at: number }>();

/**
 * The webhook's context as TriggerSettings reads it, with getCredentials served from the kept copy
 * (`fresh`: read it from n8n and keep that). `served` tells afterwards whether a kept copy was used.
 */
export function webhookSettingsSource(ctx: IWebhookFunctions, fresh: boolean): SettingsSource & { served: 'kept' | 'n8n' } {
	const source = {
		served: 'n8n' as 'kept' | 'n8n',
		getNode: () => ctx.getNode(),
		getNodeParameter: (name: string, fallback?: unknown) => ctx.getNodeParameter(name, fallback as never),
		async getCredentials(type: string): Promise<ICredentialDataDecryptedObject> {
			const node = ctx.getNode();
			// Per workflow and node as well as per credential: a workflow only ever sees what it read itself.
			const key = `${ctx.getWorkflow().id ?? ''}|${node.id}|${type}|${node.credentials?.[type]?.id ?? ''}`;
			const entry = kept.get(key);
			if (!fresh && entry && Date.now() - entry.at < KEEP_MS) {
				source.served = 'kept';
				return await entry.read;
			}
			const read = ctx.getCredentials(type);
			kept.delete(key);
			if (kept.size >= MAX_ENTRIES) kept.delete(kept.keys().next().value as string);
			kept.set(key, { read, at: Date.now() });
			// A failed read is not kept: the next request asks n8n again.
			read.catch(() => {
				if (kept.get(key)?.read === read) kept.delete(key);
			});
			return await read;
		},
	};
	return source;
}

/** For tests: forget every kept credential. */
export function clearKeptCredentials(): void {
	kept.clear();
}
