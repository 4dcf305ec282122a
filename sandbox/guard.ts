// Keeps web pages the developer visits out of the sandbox. With DNS rebinding a page on evil.example
// reaches 127.0.0.1 under its own name, so whatever exposes secrets or state answers only a loopback
// Host. Without rebinding a page can still send "simple" cross-site requests (text/plain or form bodies,
// or none) with no CORS preflight, so state-changing control requests must say application/json, which
// needs a preflight that the sandbox never grants (it sends no Access-Control-* headers at all).

const LOOPBACK_NAME = /^(localhost|\[::1\]|127\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d))$/;

const LOOPBACKS = 'localhost, 127.x.x.x or [::1], any port';
export const CONTROL_NOT_LOOPBACK = `sandbox control API only answers requests for a loopback Host (${LOOPBACKS})`;
export const OPEN_PLATFORM_NOT_LOOPBACK = `sandbox listens on loopback and only answers requests for a loopback Host (${LOOPBACKS})`;
export const NOT_JSON = 'sandbox control requests that change state need Content-Type: application/json';

/** True for a Host header naming a loopback address, with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
	const m = /^(\[[^\]]*\]|[^:[\]]+)(:\d{1,5})?$/.exec(host?.trim() ?? '');
	return !!m && LOOPBACK_NAME.test(m[1].toLowerCase());
}

/** True for an address given to listen() that only this machine can reach. */
export function isLoopbackAddress(address: string): boolean {
	return isLoopbackHost(address.includes(':') && !address.startsWith('[') ? `[${address}]` : address);
}

/** The paths a Feishu client (the product) or n8n's model node calls; everything else is the control API or the chat page. */
export function isOpenPlatformPath(path: string): boolean {
	// /oauth/v3/token: the OAuth token endpoint of Feishu's accounts host (sandbox/oauthApi.ts); /openai/:
	// the scripted chat model n8n's OpenAI Chat Model node calls (sandbox/modelApi.ts).
	return path.startsWith('/open-apis/') || path.startsWith('/openai/') || path === '/callback/ws/endpoint' || path === '/ws/v2' || path === '/oauth/v3/token';
}

export function isJsonContentType(contentType: string | undefined): boolean {
	return contentType?.split(';')[0].trim().toLowerCase() === 'application/json';
}

export function changesState(method: string | undefined): boolean {
	return method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
}
