// Download Attachments: a message's images and files as the item's binary data (attachment_0,
// attachment_1, …) and a note per attachment in its json (`attachments`), made where the item is made:
// the long connection's emit, webhook mode, and the answer webhook of a streamed answer (whose
// execution is the one that runs). n8n's AI Agent passes every image/* binary of its input item to the
// model ("Automatically Passthrough Binary Images", on by default), whatever the property's name, so
// an image is stored once. The downloads are lib/feishu messageAttachments.ts; a failure is a warning
// and a note, never a run that does not start.
import type { IBinaryData, IBinaryKeyData, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { downloadMessageAttachments, type FeishuLogger, isMessageEventType, listMessageAttachments } from '../../lib/feishu';
import type { TriggerSettings } from './TriggerSettings';

/** The part of n8n's helpers this needs (trigger and webhook contexts both have it). */
export interface BinaryHelpers {
	prepareBinaryData(binaryData: Buffer, filePath?: string, mimeType?: string): Promise<IBinaryData>;
}

/** Whether this item gets attachments: the option is on and it is a message that names some. */
export function wantsAttachments(settings: Pick<TriggerSettings, 'attachments'>, json: IDataObject): boolean {
	return settings.attachments?.enabled === true && isMessageEventType(json.event_type as string | undefined) && listMessageAttachments(json).length > 0;
}

/** The item for `json`: with its attachments when they are wanted, else the json alone. */
export async function itemWithAttachments(helpers: BinaryHelpers, settings: Pick<TriggerSettings, 'attachments' | 'creds'>, json: IDataObject, logger: FeishuLogger): Promise<INodeExecutionData> {
	if (!wantsAttachments(settings, json)) return { json };
	try {
		const { binaries, notes } = await downloadMessageAttachments(settings.creds, json, { maxBytes: settings.attachments.maxBytes, logger });
		const binary: IBinaryKeyData = {};
		for (const b of binaries) {
			const note = notes[b.note];
			try {
				// A generic type is left to n8n, which tells it from the name or the bytes.
				binary[b.propertyName] = await helpers.prepareBinaryData(b.data, b.fileName, b.mimeType === 'application/octet-stream' ? undefined : b.mimeType);
			} catch (error) {
				delete note.binary;
				note.skipped = `n8n could not store it: ${(error as Error).message}`;
				logger.warn(`Feishu Trigger could not store attachment ${note.key}`, { error: (error as Error).message });
			}
		}
		// Names without gaps, in the message's order, even when one could not be stored.
		const stored: IBinaryKeyData = {};
		for (const [i, note] of notes.filter((n) => n.binary && binary[n.binary]).entries()) {
			stored[`attachment_${i}`] = binary[note.binary!];
			note.binary = `attachment_${i}`;
		}
		const out: INodeExecutionData = { json: { ...json, attachments: notes as unknown as IDataObject[] } };
		if (Object.keys(stored).length > 0) out.binary = stored;
		return out;
	} catch (error) {
		// downloadMessageAttachments notes each attachment's own failure; this is anything else.
		logger.warn('Feishu Trigger could not download the message\'s attachments', { error: (error as Error).message, messageId: json.message_id });
		return { json: { ...json, attachments: listMessageAttachments(json).map((a) => ({ key: a.key, type: a.type, skipped: `the download failed: ${(error as Error).message}` })) } };
	}
}
