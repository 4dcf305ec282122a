// POST /_sandbox/faults: break things on purpose, per app (or for all apps without app_id).
import { appFrom, type ControlDeps } from './controlContext';
import { sendJson, type Router } from './http';
import type { AppRecord } from './state';

export function registerFaults(router: Router, d: ControlDeps): void {
	const { state } = d;
	const appOf = (ctx: Parameters<typeof appFrom>[1], id?: unknown) => appFrom(state, ctx, id);
	router.add('POST', '/_sandbox/faults', async (ctx) => {
		const b = await ctx.json();
		const targets = b.app_id ? [appOf(ctx, b.app_id)] : [...state.apps.values()];
		if (targets.some((a) => !a)) return;
		const applied: string[] = [];
		for (const app of targets as AppRecord[]) {
			const f = state.faultsFor(app.appId);
			if (b.refuse_next_upgrade) {
				const r = b.refuse_next_upgrade === true ? { status: 514, autherrcode: '1000040350' } : b.refuse_next_upgrade;
				f.refuseNextUpgrade = { status: Number(r.status) || 514, autherrcode: r.autherrcode === undefined ? undefined : String(r.autherrcode), msg: r.msg };
				applied.push('refuse_next_upgrade');
			}
			if (b.fail_next_api) {
				const r = b.fail_next_api;
				f.failNextApi = { count: Number(r.count ?? 1), code: Number(r.code ?? 99991400), httpStatus: Number(r.http_status ?? 400), msg: r.msg };
				applied.push('fail_next_api');
			}
			if (b.latency_ms !== undefined) {
				f.latencyMs = Math.max(0, Number(b.latency_ms) || 0);
				applied.push('latency_ms');
			}
			if (b.redelivery !== undefined) {
				f.redelivery = b.redelivery !== false;
				applied.push('redelivery');
			}
			if (b.fragment_bytes !== undefined) {
				f.fragmentBytes = Number(b.fragment_bytes) > 0 ? Number(b.fragment_bytes) : undefined;
				applied.push('fragment_bytes');
			}
			if (b.malformed_frames) {
				for (const conn of d.gateway.openConnections(app.appId)) {
					for (let i = 0; i < Math.min(100, Number(b.malformed_frames) || 0); i++) d.gateway.sendRaw(conn, Buffer.from([0x08, 0x96, 0xff, 0xff, 0x0a, 0x01]));
				}
				applied.push('malformed_frames');
			}
			if (b.silent_drop) {
				for (const conn of d.gateway.openConnections(app.appId)) conn.silent = true;
				applied.push('silent_drop');
			}
			if (b.expire_tokens) {
				d.tokens.expireAll(app.appId);
				applied.push('expire_tokens');
			}
			if (b.drop_connections) {
				// true: the TCP connection just dies (1006 on the client); {close_code}: a clean close frame.
				d.gateway.dropConnections(app.appId, typeof b.drop_connections === 'object' ? Number(b.drop_connections.close_code) || 1000 : undefined);
				applied.push('drop_connections');
			}
		}
		if (b.client_config && typeof b.client_config === 'object') {
			Object.assign(d.gateway.clientConfig, b.client_config);
			applied.push('client_config');
		}
		d.log.info(`faults: ${applied.join(', ') || 'none'}`);
		sendJson(ctx.res, 200, { ok: true, applied });
	});

}
