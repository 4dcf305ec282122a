// The trigger's document subscriptions (docs/protocol.md, "Document events"): Feishu sends a Base's
// record changes and a file's edits only for files the app subscribed to. The trigger subscribes to
// its Documents on activation (long connection: trigger(); webhook: webhookMethods.create) and
// unsubscribes on deactivation (closeFunction; webhookMethods.delete). n8n runs these for test
// listens too, so a subscribe is safe to repeat, and a deactivation never fails: Feishu saying the
// subscription or the file is gone only means there is nothing left to end. Within one n8n process a
// file is unsubscribed only when the last trigger that needs it lets go (a Feishu subscription is per
// app and file, shared by every workflow on the app).
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import {
	DOCUMENT_EVENT_TYPES,
	type DocumentRef,
	FeishuApiClient,
	FeishuApiError,
	type FeishuAppCredentials,
	type FeishuLogger,
	isSubscribedToDocument,
	parseDocumentList,
	secretFingerprint,
	subscribeToDocument,
	unsubscribeFromDocument,
} from '../../lib/feishu';

/** Whether the selection includes an event that needs a subscription. */
export function wantsDocumentEvents(eventTypes: readonly string[]): boolean {
	return eventTypes.some((e) => DOCUMENT_EVENT_TYPES.includes(e));
}

/** The Documents parameter, checked; an error names the entry that is wrong. */
export function readDocuments(node: INode, value: unknown, eventTypes: readonly string[]): DocumentRef[] {
	if (!wantsDocumentEvents(eventTypes)) return [];
	let docs: DocumentRef[];
	try {
		docs = parseDocumentList(value);
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message);
	}
	if (docs.length === 0) {
		throw new NodeOperationError(node, 'Add the Base or spreadsheet links under Documents', {
			description: 'Feishu sends record changes and edits only for the documents the app subscribes to: paste the link of each Base (…/base/…) or spreadsheet (…/sheets/…) this trigger should watch.',
		});
	}
	return docs;
}

/** Triggers holding each (app, file) in this process. */
const holders = new Map<string, number>();

const keyOf = (creds: FeishuAppCredentials, ref: DocumentRef) => `${creds.baseUrl}|${creds.appId}|${secretFingerprint(creds.appSecret)}|${ref.fileType}:${ref.fileToken}`;

function clientFor(creds: FeishuAppCredentials, logger: FeishuLogger): FeishuApiClient {
	return new FeishuApiClient(creds, { logger, maxRetries: 1 });
}

const what = (ref: DocumentRef) => `${ref.fileType === 'bitable' ? 'Base' : ref.fileType === 'sheet' ? 'spreadsheet' : 'document'} ${ref.fileToken}`;

/** Feishu's refusal of a subscribe, with what to do about it. */
function subscribeError(node: INode, ref: DocumentRef, error: unknown): NodeOperationError {
	const code = error instanceof FeishuApiError ? error.code : undefined;
	let description: string | undefined;
	if (code === 91403 || code === 1061004 || code === 403) {
		description = `The app may not manage this ${what(ref)}. In Feishu, open it, click ··· (top right) > More > Add Document App (or Share), add your app and give it permission to manage (edit) it, then activate again.`;
	} else if (code === 99991672 || code === 99991679) {
		description = 'The app lacks the scope to subscribe to document events. In the developer console, open your app > Permissions & Scopes, enable one of docs:event:subscribe, drive:drive, docs:doc or sheets:spreadsheet (and bitable:app to receive Base record changes), then publish a version of the app.';
	} else if (code === 1061003 || code === 1061007 || code === 1254040) {
		description = `Feishu knows no ${what(ref)}: check the link under Documents.`;
	}
	return new NodeOperationError(node, `Could not subscribe to ${what(ref)}: ${(error as Error).message}`, description ? { description } : {});
}

/**
 * Subscribes to every document (in order; one refusal fails the activation with its fix) and returns
 * the release to call on deactivation. Documents subscribed before a refusal are released again.
 */
export async function holdDocumentSubscriptions(node: INode, creds: FeishuAppCredentials, docs: DocumentRef[], logger: FeishuLogger): Promise<() => Promise<void>> {
	const held: DocumentRef[] = [];
	const release = async () => {
		const client = clientFor(creds, logger);
		for (const ref of held.splice(0)) {
			const key = keyOf(creds, ref);
			const left = (holders.get(key) ?? 1) - 1;
			if (left > 0) {
				holders.set(key, left);
				continue;
			}
			holders.delete(key);
			await unsubscribeFromDocument(client, ref).catch((error: unknown) => {
				// Already gone (the file, the app's access, the subscription): nothing to end.
				logger.warn('Feishu Trigger could not unsubscribe from a document; Feishu may keep sending its events until it is unsubscribed', {
					fileToken: ref.fileToken,
					error: error instanceof Error ? error.message : String(error),
				});
			});
		}
	};
	if (docs.length === 0) return release;
	const client = clientFor(creds, logger);
	for (const ref of docs) {
		try {
			await subscribeToDocument(client, ref);
		} catch (error) {
			await release();
			throw subscribeError(node, ref, error);
		}
		held.push(ref);
		const key = keyOf(creds, ref);
		holders.set(key, (holders.get(key) ?? 0) + 1);
	}
	return release;
}

/** Webhook mode's checkExists: whether every document is subscribed already (a failed look-up: no). */
export async function documentsSubscribed(creds: FeishuAppCredentials, docs: DocumentRef[], logger: FeishuLogger): Promise<boolean> {
	const client = clientFor(creds, logger);
	for (const ref of docs) {
		const subscribed = await isSubscribedToDocument(client, ref).catch(() => false);
		if (!subscribed) return false;
	}
	return true;
}

/** Webhook mode's create: subscribe to every document (a refusal fails the activation). */
export async function subscribeDocuments(node: INode, creds: FeishuAppCredentials, docs: DocumentRef[], logger: FeishuLogger): Promise<void> {
	const client = clientFor(creds, logger);
	for (const ref of docs) {
		try {
			await subscribeToDocument(client, ref);
		} catch (error) {
			throw subscribeError(node, ref, error);
		}
	}
}

/** Webhook mode's delete: unsubscribe every document; never fails. */
export async function unsubscribeDocuments(creds: FeishuAppCredentials, docs: DocumentRef[], logger: FeishuLogger): Promise<void> {
	const client = clientFor(creds, logger);
	for (const ref of docs) {
		// Another trigger of this process still holds it (a long connection on the same app).
		if ((holders.get(keyOf(creds, ref)) ?? 0) > 0) continue;
		await unsubscribeFromDocument(client, ref).catch((error: unknown) => {
			logger.warn('Feishu Trigger could not unsubscribe from a document', { fileToken: ref.fileToken, error: error instanceof Error ? error.message : String(error) });
		});
	}
}

/** Whether a document event is about one of this trigger's documents (other events always pass). */
export function isForDocuments(eventType: string | undefined, raw: unknown, docs: DocumentRef[]): boolean {
	if (eventType === undefined || !DOCUMENT_EVENT_TYPES.includes(eventType) || docs.length === 0) return true;
	const token = (raw as { event?: { file_token?: unknown } } | undefined)?.event?.file_token;
	return docs.some((d) => d.fileToken === token);
}
