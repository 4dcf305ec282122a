// The app's scopes (docs/protocol.md, "Scopes"): which scope lets an app call each endpoint (Feishu's
// "权限要求", any one enough), the scope list Feishu serves at GET /open-apis/application/v6/scopes,
// and the 99991672 answer when the app has none of an endpoint's scopes. Every app starts with every
// scope asked for and granted; PUT /_sandbox/apps/:app_id/scopes takes some away (never asked for) or
// leaves them pending (asked for, not granted: the version is not published, or the admin has not approved).
import type { Router } from './http';
import { ApiError, type OpenApi } from './openApi';
import type { AppRecord, SandboxState } from './state';

/**
 * Scopes by route, as the route is registered ("METHOD /path/:param"), from each endpoint's page on
 * open.feishu.cn (docs/protocol.md, "Scopes"). Routes not listed need none (the token, bot info, the
 * scope list itself). Batch send takes one of the first two and one of
 * the last two; the sandbox takes any one.
 */
export const ROUTE_SCOPES: Readonly<Record<string, readonly string[]>> = {
	// Bitable (docs/protocol.md, "Bitable"): bitable:app for everything, bitable:app:readonly for reads, or the one base:* scope.
	'DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id': ['base:table:delete', 'bitable:app'],
	'DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields/:field_id': ['base:field:delete', 'bitable:app'],
	'DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id': ['base:record:delete', 'bitable:app'],
	'DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views/:view_id': ['base:view:write_only', 'bitable:app'],
	'GET /open-apis/bitable/v1/apps/:app_token/tables': ['base:table:read', 'bitable:app', 'bitable:app:readonly'],
	'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields': ['base:field:read', 'bitable:app', 'bitable:app:readonly'],
	'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records': ['base:record:retrieve', 'bitable:app', 'bitable:app:readonly'],
	'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id': ['base:record:read', 'bitable:app', 'bitable:app:readonly'],
	'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views': ['base:view:read', 'bitable:app', 'bitable:app:readonly'],
	'GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views/:view_id': ['base:view:read', 'bitable:app', 'bitable:app:readonly'],
	// Document events (docs/protocol.md, "Document events"): delete_subscribe's list, which the sandbox uses for all three.
	'DELETE /open-apis/drive/v1/files/:file_token/delete_subscribe': ['docs:doc', 'docs:event:subscribe', 'drive:drive', 'sheets:spreadsheet'],
	'GET /open-apis/drive/v1/files/:file_token/get_subscribe': ['docs:doc', 'docs:event:subscribe', 'drive:drive', 'sheets:spreadsheet'],
	'POST /open-apis/drive/v1/files/:file_token/subscribe': ['docs:doc', 'docs:event:subscribe', 'drive:drive', 'sheets:spreadsheet'],
	// CardKit (docs/protocol.md, "CardKit: card entities and streaming"): cardkit:card:write for every card and element call.
	'DELETE /open-apis/cardkit/v1/cards/:card_id/elements/:element_id': ['cardkit:card:write'],
	'PATCH /open-apis/cardkit/v1/cards/:card_id/settings': ['cardkit:card:write'],
	'POST /open-apis/cardkit/v1/cards': ['cardkit:card:write'],
	'POST /open-apis/cardkit/v1/cards/:card_id/elements': ['cardkit:card:write'],
	'PUT /open-apis/cardkit/v1/cards/:card_id': ['cardkit:card:write'],
	'PUT /open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content': ['cardkit:card:write'],
	// Drive's folder listing (docs/protocol.md, "Drive file list").
	'GET /open-apis/drive/v1/files': ['drive:drive', 'drive:drive:readonly', 'space:document:retrieve'],
	'GET /open-apis/drive/v1/medias/:file_token/download': ['bitable:app', 'bitable:app:readonly', 'docs:document.media:download', 'drive:drive', 'drive:drive:readonly'],
	'PATCH /open-apis/bitable/v1/apps/:app_token/tables/:table_id': ['base:table:update', 'bitable:app'],
	'PATCH /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views/:view_id': ['base:view:write_only', 'bitable:app'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables': ['base:table:create', 'bitable:app'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields': ['base:field:create', 'bitable:app'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records': ['base:record:create', 'bitable:app'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_create': ['base:record:create', 'bitable:app'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_delete': ['base:record:delete', 'bitable:app'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_get': ['base:record:read', 'bitable:app', 'bitable:app:readonly'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_update': ['base:record:update', 'bitable:app'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search': ['base:record:retrieve', 'bitable:app', 'bitable:app:readonly'],
	'POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views': ['base:view:write_only', 'bitable:app'],
	'POST /open-apis/drive/v1/medias/upload_all': ['bitable:app', 'docs:doc', 'docs:document.media:upload', 'drive:drive', 'sheets:spreadsheet'],
	'PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields/:field_id': ['base:field:update', 'bitable:app'],
	'PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id': ['base:record:update', 'bitable:app'],
	// Sheets (docs/protocol.md, "Sheets"): sheets:spreadsheet or drive:drive for everything, their read-only forms for reads.
	'GET /open-apis/sheets/v2/spreadsheets/:spreadsheet_token/values/:range': ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:readonly'],
	'GET /open-apis/sheets/v3/spreadsheets/:spreadsheet_token': ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:read', 'sheets:spreadsheet:readonly'],
	'GET /open-apis/sheets/v3/spreadsheets/:spreadsheet_token/sheets/:sheet_id': ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:read', 'sheets:spreadsheet:readonly'],
	'GET /open-apis/sheets/v3/spreadsheets/:spreadsheet_token/sheets/query': ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:readonly'],
	'POST /open-apis/sheets/v2/spreadsheets/:spreadsheet_token/sheets_batch_update': ['drive:drive', 'sheets:spreadsheet'],
	'POST /open-apis/sheets/v2/spreadsheets/:spreadsheet_token/values_append': ['drive:drive', 'sheets:spreadsheet'],
	'POST /open-apis/sheets/v3/spreadsheets': ['drive:drive', 'sheets:spreadsheet', 'sheets:spreadsheet:create'],
	'POST /open-apis/sheets/v3/spreadsheets/:spreadsheet_token/sheets/:sheet_id/find': ['drive:drive', 'drive:drive:readonly', 'sheets:spreadsheet', 'sheets:spreadsheet:readonly'],
	'PUT /open-apis/sheets/v2/spreadsheets/:spreadsheet_token/values': ['drive:drive', 'sheets:spreadsheet'],
	'DELETE /open-apis/im/v1/chats/:chat_id': ['im:chat', 'im:chat:delete'],
	'DELETE /open-apis/im/v1/chats/:chat_id/members': ['im:chat', 'im:chat.members:write_only'],
	'DELETE /open-apis/im/v1/messages/:message_id': ['im:message', 'im:message:recall', 'im:message:send_as_bot'],
	'DELETE /open-apis/im/v1/messages/:message_id/reactions/:reaction_id': ['im:message', 'im:message.reactions:write_only'],
	'DELETE /open-apis/im/v1/pins/:message_id': ['im:message', 'im:message.pins:write_only', 'im:message:send_as_bot'],
	'GET /open-apis/contact/v3/departments/:department_id/children': ['contact:contact.base:readonly', 'contact:department.organize:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
	'GET /open-apis/contact/v3/users/:user_id': ['contact:contact.base:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
	'GET /open-apis/contact/v3/users/batch': ['contact:contact.base:readonly'],
	'GET /open-apis/contact/v3/users/find_by_department': ['contact:contact.base:readonly', 'contact:department.organize:readonly', 'contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'],
	'GET /open-apis/im/v1/chats': ['im:chat', 'im:chat:readonly', 'im:chat:read', 'im:chat.group_info:readonly'],
	'GET /open-apis/im/v1/chats/:chat_id': ['im:chat', 'im:chat:read', 'im:chat:readonly'],
	'GET /open-apis/im/v1/chats/:chat_id/announcement': ['im:chat', 'im:chat.announcement:read', 'im:chat:readonly'],
	'GET /open-apis/im/v1/chats/:chat_id/members': ['im:chat', 'im:chat:readonly', 'im:chat.members:read', 'im:chat.group_info:readonly'],
	'GET /open-apis/im/v1/chats/:chat_id/members/is_in_chat': ['im:chat', 'im:chat:readonly', 'im:chat.members:read', 'im:chat.group_info:readonly'],
	'GET /open-apis/im/v1/chats/search': ['im:chat', 'im:chat:readonly', 'im:chat:read', 'im:chat.group_info:readonly'],
	'GET /open-apis/im/v1/messages': ['im:message', 'im:message:readonly', 'im:message.history:readonly'],
	'GET /open-apis/im/v1/messages/:message_id': ['im:message', 'im:message:readonly'],
	'GET /open-apis/im/v1/messages/:message_id/reactions': ['im:message.reactions:read', 'im:message:readonly'],
	'GET /open-apis/im/v1/messages/:message_id/read_users': ['im:message', 'im:message:readonly', 'im:message:basic'],
	'GET /open-apis/im/v1/messages/:message_id/resources/:file_key': ['im:message', 'im:message:readonly', 'im:message.history:readonly'],
	'GET /open-apis/im/v1/pins': ['im:message', 'im:message.pins:read', 'im:message:readonly'],
	'PATCH /open-apis/im/v1/chats/:chat_id/announcement': ['im:chat', 'im:chat.announcement:write_only'],
	'PATCH /open-apis/im/v1/messages/:message_id': ['im:message', 'im:message:send_as_bot', 'im:message:update'],
	'PATCH /open-apis/im/v1/messages/:message_id/urgent_app': ['im:message.urgent', 'im:message.urgent:app_send'],
	'PATCH /open-apis/im/v1/messages/:message_id/urgent_phone': ['im:message.urgent:phone', 'im:message.urgent:phone_send'],
	'PATCH /open-apis/im/v1/messages/:message_id/urgent_sms': ['im:message.urgent:sms', 'im:message.urgent:sms_send'],
	'POST /open-apis/contact/v3/users/batch_get_id': ['contact:user.id:readonly'],
	'POST /open-apis/ephemeral/v1/delete': ['im:message', 'im:message:send_as_bot', 'im:message:update'],
	'POST /open-apis/ephemeral/v1/send': ['im:message', 'im:message:send_as_bot', 'im:message:update'],
	'POST /open-apis/im/v1/chats': ['im:chat', 'im:chat:create'],
	'POST /open-apis/im/v1/chats/:chat_id/link': ['im:chat', 'im:chat:read', 'im:chat:readonly'],
	'POST /open-apis/im/v1/chats/:chat_id/managers/add_managers': ['im:chat', 'im:chat.managers:write_only'],
	'POST /open-apis/im/v1/chats/:chat_id/managers/delete_managers': ['im:chat', 'im:chat.managers:write_only'],
	'POST /open-apis/im/v1/chats/:chat_id/members': ['im:chat', 'im:chat.members:write_only'],
	'POST /open-apis/im/v1/files': ['im:resource', 'im:resource:upload'],
	'POST /open-apis/im/v1/images': ['im:resource', 'im:resource:upload'],
	'POST /open-apis/im/v1/messages': ['im:message', 'im:message:send_as_bot', 'im:message:send'],
	'POST /open-apis/im/v1/messages/:message_id/forward': ['im:message', 'im:message:send_as_bot'],
	'POST /open-apis/im/v1/messages/:message_id/reactions': ['im:message', 'im:message.reactions:write_only'],
	'POST /open-apis/im/v1/messages/:message_id/reply': ['im:message', 'im:message:send_as_bot', 'im:message:send'],
	'POST /open-apis/im/v1/messages/merge_forward': ['im:message', 'im:message:send_as_bot'],
	'POST /open-apis/im/v1/pins': ['im:message', 'im:message.pins:write_only', 'im:message:send_as_bot'],
	'POST /open-apis/message/v4/batch_send': ['im:message', 'im:message:send_as_bot', 'im:message:send_multi_users', 'im:message:send_multi_depts'],
	'PUT /open-apis/im/v1/chats/:chat_id': ['im:chat', 'im:chat:update'],
	'PUT /open-apis/im/v1/messages/:message_id': ['im:message', 'im:message:send_as_bot', 'im:message:update'],
};

export const APP_SCOPES_PATH = '/open-apis/application/v6/scopes';

/** What the app lacks: scopes it never asked for, and scopes asked for but not granted. */
export interface ScopeSettings {
	missing: Set<string>;
	pending: Set<string>;
}

export function allScopes(): string[] {
	return [...new Set(Object.values(ROUTE_SCOPES).flat())].sort();
}

function settingsOf(state: SandboxState, appId: string): ScopeSettings {
	return state.scopeSettings.get(appId) ?? { missing: new Set(), pending: new Set() };
}

/** The app's scope list as Feishu serves it: every scope it asked for, 1 granted, 2 not. */
export function appScopeList(state: SandboxState, appId: string): { scope_name: string; grant_status: 1 | 2 }[] {
	const s = settingsOf(state, appId);
	return allScopes()
		.filter((scope) => !s.missing.has(scope))
		.map((scope) => ({ scope_name: scope, grant_status: s.pending.has(scope) ? 2 : 1 }));
}

/** Throws Feishu's 99991672 when the app has none of the route's scopes. */
export function requireScopes(state: SandboxState, app: AppRecord, baseUrl: string, route: string): void {
	const needed = ROUTE_SCOPES[route];
	if (!needed?.length) return;
	const s = settingsOf(state, app.appId);
	if (needed.some((scope) => !s.missing.has(scope) && !s.pending.has(scope))) return;
	const list = needed.join(', ');
	const url = `${baseUrl}/app/${app.appId}/auth?q=${needed.join(',')}&op_from=openapi&token_type=tenant`;
	throw new ApiError(
		400,
		99991672,
		`Access denied. One of the following scopes is required: [${list}].应用尚未开通所需的应用身份权限：[${list}]，点击链接申请并开通任一权限即可：${url}`,
		{},
		{
			permission_violations: needed.map((scope) => ({ type: 'action_privilege_required', subject: scope })),
			helps: [{ url, description: 'Click the link to apply for the required scopes' }],
		},
	);
}

export function registerAppScopesApi(router: Router, api: OpenApi, state: SandboxState): void {
	api.route(router, 'GET', APP_SCOPES_PATH, (ctx) => ({ data: { scopes: appScopeList(state, ctx.app.appId) } }));
}

/** Control: PUT /_sandbox/apps/:app_id/scopes {missing?: string[], pending?: string[]} replaces what the app lacks. */
export function parseScopeSettings(body: Record<string, unknown>): ScopeSettings | undefined {
	const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
	const missing = list(body.missing);
	const pending = list(body.pending);
	if (!missing || !pending) return undefined;
	return { missing: new Set(missing), pending: new Set(pending) };
}
