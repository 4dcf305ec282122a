// What every control-API module shares: its dependencies and two small answer helpers.
import type { DeliveryEngine } from './delivery';
import type { Gateway } from './gateway';
import { sendJson, type RouteContext } from './http';
import type { SandboxLog } from './log';
import type { AppRecord, SandboxState } from './state';
import type { TokenStore } from './tokens';

export interface ControlDeps {
	state: SandboxState;
	delivery: DeliveryEngine;
	gateway: Gateway;
	tokens: TokenStore;
	log: SandboxLog;
	challengeTimeoutMs: number;
	callbackWaitMs: number;
	/** More state to clear on POST /_sandbox/reset (the scripted model's). */
	onReset?: () => void;
}

export function bad(ctx: RouteContext, msg: string, status = 400): void {
	sendJson(ctx.res, status, { ok: false, error: msg });
}

/** The app named in the body/query (default: the first app); answers 404 itself when unknown. */
export function appFrom(state: SandboxState, ctx: RouteContext, id?: unknown): AppRecord | undefined {
	const appId = typeof id === 'string' && id ? id : ctx.query.get('app_id') || undefined;
	const app = appId ? state.apps.get(appId) : state.firstApp();
	if (!app) bad(ctx, appId ? `unknown app_id ${appId}` : 'no app configured', 404);
	return app;
}
