// IM endpoints (filled in step 2).
import type { Router } from './http';
import type { OpenApi } from './openApi';
import type { SandboxState } from './state';

export function registerImApi(router: Router, api: OpenApi, state: SandboxState): void {
	api.route(router, 'GET', '/open-apis/bot/v3/info', (ctx) => ({
		msg: 'ok',
		extra: { bot: { activate_status: 2, app_name: ctx.app.botName, avatar_url: '', ip_white_list: [], open_id: ctx.app.botOpenId } },
	}));
	void state;
}
