// Logging for the long connection: the API layer's FeishuLogger, under the names this module has
// always exported. Gateway URLs carry a single-use ticket and access key in their query
// (docs/protocol.md, "Gateway URL"), so they are only ever logged through redactGatewayUrl.
import { type FeishuLogger, silentLogger } from './logger';

/** The same interface as FeishuLogger (kept so existing imports of this name keep working). */
export type GatewayLogger = FeishuLogger;
export const silentGatewayLogger: GatewayLogger = silentLogger;

/** The URL without credentials: scheme, host, path and the two ids that are safe to show. */
export function redactGatewayUrl(url: string): string {
	try {
		const parsed = new URL(url);
		const safe = ['device_id', 'service_id']
			.filter((key) => parsed.searchParams.has(key))
			.map((key) => `${key}=${encodeURIComponent(parsed.searchParams.get(key) ?? '')}`);
		const hidden = [...parsed.searchParams.keys()].some((key) => key !== 'device_id' && key !== 'service_id');
		const query = [...safe, ...(hidden ? ['…'] : [])].join('&');
		return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query ? `?${query}` : ''}`;
	} catch {
		return '<unparseable url>';
	}
}

/** Removes known secret values from a message (e.g. an error text echoing a request). */
export function redactSecrets(text: string, secrets: (string | undefined)[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('<redacted>');
	}
	// Any gateway-looking query string (ticket, access_key) that slipped into a message.
	return out.replace(/([?&](?:ticket|access_key)=)[^&\s"']+/gi, '$1<redacted>');
}
