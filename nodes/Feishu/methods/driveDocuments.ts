// "From List" for a document (the Base, the Spreadsheet): the documents of one type in the root of the
// caller's Drive space — the app's own with the Bot authentication, the user's My Space with User —
// whose name contains the typed text. A document only shared with the app is not there: it is picked
// by its link (docs/protocol.md, "Drive file list").
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { findDriveDocuments } from '../../../lib/feishu';
import { getFeishuClient, toNodeError } from '../GenericFunctions';

export async function searchDriveDocuments(ctx: ILoadOptionsFunctions, type: 'bitable' | 'sheet', filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const client = await getFeishuClient(ctx);
		const found = await findDriveDocuments(client, { type, name: filter, pageToken: paginationToken });
		const results: INodeListSearchItems[] = found.files.map((f) => ({ name: f.name || f.token, value: f.token, ...(f.url ? { url: f.url } : {}) }));
		return { results, paginationToken: found.nextPageToken };
	} catch (error) {
		throw toNodeError(ctx, error, 0);
	}
}
