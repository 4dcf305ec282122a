// Which access token each endpoint takes (docs/protocol.md, "Acting as a user"): the app's
// tenant_access_token (the node's "Bot" authentication), the signed-in user's user_access_token
// ("User"), or either. From the `accessTokens` Feishu's own lark-mcp tool data gives each endpoint
// (sandbox/schemas/*.json; test/nodes/Feishu/oauth2.test.ts checks the two agree), and the endpoint's
// page where lark-mcp has no entry. Keyed by the operations' `endpoint` strings; an endpoint not
// listed is not checked here (Feishu answers for itself).

export type AccessTokenType = 'tenant' | 'user';

const BOTH: readonly AccessTokenType[] = ['tenant', 'user'];
const TENANT: readonly AccessTokenType[] = ['tenant'];
const USER: readonly AccessTokenType[] = ['user'];

export const ENDPOINT_TOKEN_TYPES: Readonly<Record<string, readonly AccessTokenType[]>> = {
	// Messages
	// CardKit card entities (docs/protocol.md, "CardKit: card entities and streaming"): our answer cards are the app's.
	'POST /open-apis/cardkit/v1/cards': TENANT,
	'PUT /open-apis/cardkit/v1/cards/:card_id': TENANT,
	'POST /open-apis/im/v1/messages': TENANT,
	'POST /open-apis/im/v1/messages/:message_id/reply': TENANT,
	'PUT /open-apis/im/v1/messages/:message_id': TENANT,
	'PATCH /open-apis/im/v1/messages/:message_id': BOTH,
	'DELETE /open-apis/im/v1/messages/:message_id': BOTH,
	'GET /open-apis/im/v1/messages': TENANT,
	'GET /open-apis/im/v1/messages/:message_id': TENANT,
	'POST /open-apis/im/v1/messages/:message_id/forward': TENANT,
	'POST /open-apis/im/v1/messages/merge_forward': TENANT,
	'GET /open-apis/im/v1/messages/:message_id/read_users': TENANT,
	'PATCH /open-apis/im/v1/messages/:message_id/urgent_{app,sms,phone}': TENANT,
	'POST /open-apis/im/v1/messages/:message_id/reactions': BOTH,
	'GET /open-apis/im/v1/messages/:message_id/reactions': BOTH,
	'DELETE /open-apis/im/v1/messages/:message_id/reactions/:reaction_id': BOTH,
	'POST /open-apis/im/v1/pins': BOTH,
	'DELETE /open-apis/im/v1/pins/:message_id': BOTH,
	'GET /open-apis/im/v1/pins': BOTH,
	// Chats
	'POST /open-apis/im/v1/chats': TENANT,
	'GET /open-apis/im/v1/chats': BOTH,
	'GET /open-apis/im/v1/chats/:chat_id': BOTH,
	'PUT /open-apis/im/v1/chats/:chat_id': BOTH,
	'DELETE /open-apis/im/v1/chats/:chat_id': BOTH,
	'POST /open-apis/im/v1/chats/:chat_id/link': BOTH,
	'GET /open-apis/im/v1/chats/:chat_id/announcement': BOTH,
	'POST /open-apis/im/v1/chats/:chat_id/members': BOTH,
	'DELETE /open-apis/im/v1/chats/:chat_id/members': BOTH,
	'GET /open-apis/im/v1/chats/:chat_id/members': BOTH,
	'GET /open-apis/im/v1/chats/:chat_id/members/is_in_chat': BOTH,
	// Contacts
	'GET /open-apis/contact/v3/users/:user_id': BOTH,
	'GET /open-apis/contact/v3/users/batch': BOTH,
	'POST /open-apis/contact/v3/users/batch_get_id': TENANT,
	'GET /open-apis/contact/v3/users/find_by_department': BOTH,
	'GET /open-apis/contact/v3/departments/:department_id/children': BOTH,
	// Sheets: every page's Authorization is tenant_access_token or user_access_token.
	'POST /open-apis/sheets/v3/spreadsheets': BOTH,
	'GET /open-apis/sheets/v3/spreadsheets/:spreadsheet_token': BOTH,
	'GET /open-apis/sheets/v3/spreadsheets/:spreadsheet_token/sheets/query': BOTH,
	'POST /open-apis/sheets/v3/spreadsheets/:spreadsheet_token/sheets/:sheet_id/find': BOTH,
	'POST /open-apis/sheets/v2/spreadsheets/:spreadsheet_token/sheets_batch_update': BOTH,
	'GET /open-apis/sheets/v2/spreadsheets/:spreadsheetToken/values/:range': BOTH,
	'PUT /open-apis/sheets/v2/spreadsheets/:spreadsheetToken/values': BOTH,
	'POST /open-apis/sheets/v2/spreadsheets/:spreadsheetToken/values_append': BOTH,
	'POST /open-apis/im/v1/chats/:chat_id/managers/add_managers': BOTH,
	'POST /open-apis/im/v1/chats/:chat_id/managers/delete_managers': BOTH,
	'GET /open-apis/im/v1/chats/search': BOTH,
	'PATCH /open-apis/im/v1/chats/:chat_id/announcement': BOTH,
	// Batch messages and ephemeral cards are the bot's own; uploads and message resources: the pages'
	// request header is a tenant_access_token only (lark-mcp has no entry for the multipart uploads).
	'POST /open-apis/message/v4/batch_send/': TENANT,
	'GET /open-apis/im/v1/batch_messages/:batch_message_id/get_progress': TENANT,
	'DELETE /open-apis/im/v1/batch_messages/:batch_message_id': TENANT,
	'POST /open-apis/ephemeral/v1/send': TENANT,
	'POST /open-apis/ephemeral/v1/delete': TENANT,
	'POST /open-apis/im/v1/images': TENANT,
	'POST /open-apis/im/v1/files': TENANT,
	'GET /open-apis/im/v1/messages/:message_id/resources/:file_key': TENANT,
	// Bitable and Drive uploads: either token (lark-mcp's bitable_v1 data, the upload_all page).
	'POST /open-apis/bitable/v1/apps/:app_token/tables': BOTH,
	'GET /open-apis/bitable/v1/apps/:app_token/tables': BOTH,
	'DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id': BOTH,
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields': BOTH,
	'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields': BOTH,
	'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views': BOTH,
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records': BOTH,
	'PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id': BOTH,
	'DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id': BOTH,
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search': BOTH,
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_get': BOTH,
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_create': BOTH,
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_update': BOTH,
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_delete': BOTH,
	'POST /open-apis/drive/v1/medias/upload_all': BOTH,
	// Search Users: the Lark page's request header is a user_access_token only.
	'GET /open-apis/search/v1/user': USER,
};

/** The token types an endpoint takes, when known. */
export function acceptedTokenTypes(endpoint: string): readonly AccessTokenType[] | undefined {
	return Object.hasOwn(ENDPOINT_TOKEN_TYPES, endpoint) ? ENDPOINT_TOKEN_TYPES[endpoint] : undefined;
}

/**
 * The token types every call of an operation takes: its `endpoint` may name several calls ("POST /a,
 * then PUT /b"); each one written out in full is looked up (an abbreviated "…/records" repeats one
 * already named), and a token type counts only when every known call takes it. Undefined when none is known.
 */
export function operationTokenTypes(endpoints: string): readonly AccessTokenType[] | undefined {
	const calls = endpoints.split(/,? then |,? or /).map((e) => e.trim());
	let accepted: readonly AccessTokenType[] | undefined;
	for (const call of calls) {
		const types = acceptedTokenTypes(call);
		if (types) accepted = accepted ? accepted.filter((t) => types.includes(t)) : types;
	}
	return accepted;
}
