// POST /open-apis/auth/v3/tenant_access_token/internal (docs/protocol.md, "tenant_access_token"). Wrong credentials answer
// like Feishu: HTTP 200 with code 10003 "invalid param" / 10014 "app secret invalid".
import type { Router } from './http';
import type { OpenApi } from './openApi';
import type { SandboxState } from './state';
import type { TokenStore } from './tokens';

export function registerAuthApi(router: Router, api: OpenApi, state: SandboxState, tokens: TokenStore): void {
	const handler = async (ctx: Parameters<Parameters<OpenApi['publicRoute']>[3]>[0]) => {
		let b: any;
		try {
			b = await ctx.json();
		} catch {
			state.stats.rejected_requests++;
			return { status: 400, body: { code: 9499, msg: 'Bad Request' } };
		}
		const app = typeof b?.app_id === 'string' ? state.apps.get(b.app_id) : undefined;
		if (!app || typeof b.app_secret !== 'string') {
			state.stats.rejected_requests++;
			return { body: { code: 10003, msg: 'invalid param' } };
		}
		if (b.app_secret !== app.appSecret) {
			state.stats.rejected_requests++;
			return { body: { code: 10014, msg: 'app secret invalid' }, app };
		}
		state.stats.token_fetches[app.appId] = (state.stats.token_fetches[app.appId] ?? 0) + 1;
		const { token, expire } = tokens.issue(app.appId);
		return { body: { code: 0, msg: 'ok', tenant_access_token: token, expire }, app };
	};
	api.publicRoute(router, 'POST', '/open-apis/auth/v3/tenant_access_token/internal', handler);
	// The app_access_token twin some SDK paths call; same rules.
	api.publicRoute(router, 'POST', '/open-apis/auth/v3/app_access_token/internal', async (ctx) => {
		const r = await handler(ctx);
		if (r.body.code === 0) return { ...r, body: { code: 0, msg: 'ok', app_access_token: r.body.tenant_access_token, tenant_access_token: r.body.tenant_access_token, expire: r.body.expire } };
		return r;
	});
}
