// The lists behind the resource locators' "From List" mode: the editor calls these while the user
// types, with the search text as `filter` and the previous answer's token to load more.
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { LARK_BASE_URL, listDepartmentUsersPage, searchChatsPage, type FeishuUser } from '../../../lib/feishu';
import { getFeishuClient, toNodeError } from '../GenericFunctions';

/** How many pages of users one search reads at most before answering (the rest loads on scroll). */
const USER_PAGES_PER_SEARCH = 5;

function appLinkHost(baseUrl: string): string {
	return baseUrl === LARK_BASE_URL ? 'https://applink.larksuite.com' : 'https://applink.feishu.cn';
}

export async function searchChats(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const client = await getFeishuClient(this);
		const page = await searchChatsPage(client, { query: filter, pageToken: paginationToken, pageSize: 50 });
		const host = appLinkHost(client.creds.baseUrl);
		const results: INodeListSearchItems[] = (page.items ?? []).map((chat) => ({
			name: chat.name || chat.chat_id,
			value: chat.chat_id,
			url: `${host}/client/chat/open?openChatId=${encodeURIComponent(chat.chat_id)}`,
		}));
		return { results, paginationToken: page.has_more ? page.page_token : undefined };
	} catch (error) {
		throw toNodeError(this, error, 0);
	}
}

function matches(user: FeishuUser, filter: string): boolean {
	return [user.name, user.en_name, user.email].some((v) => typeof v === 'string' && v.toLowerCase().includes(filter));
}

/**
 * The tenant's users (the root department, within the app's contact scope). Feishu has no user search
 * for a tenant token, so a search reads a few pages and keeps those whose name or email matches.
 */
export async function searchUsers(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const client = await getFeishuClient(this);
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = [];
		let token = paginationToken;
		for (let pages = 0; pages < USER_PAGES_PER_SEARCH; pages++) {
			const page = await listDepartmentUsersPage(client, { pageToken: token });
			for (const user of page.items ?? []) {
				if (!wanted || matches(user, wanted)) results.push({ name: user.email ? `${user.name ?? user.open_id} (${user.email})` : (user.name ?? user.open_id), value: user.open_id });
			}
			token = page.has_more ? page.page_token : undefined;
			if (!token || (!wanted && results.length > 0)) break;
		}
		return { results, paginationToken: token };
	} catch (error) {
		throw toNodeError(this, error, 0);
	}
}
