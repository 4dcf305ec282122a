// Logging for the long connection. The shape matches the API layer's FeishuLogger so either can be
// passed. Gateway URLs carry a single-use ticket and access key in their query (docs/protocol.md,
// "Gateway URL"), so they are only ever logged through redactGatewayUrl.

export interface GatewayLogger {
	debug(message: string, meta?: object): void;
	info(message: string, meta?: object): void;
	warn(message: string, meta?: object): void;
	error(message: string, meta?: object): void;
}

export const silentGatewayLogger: GatewayLogger = {
	debug() {},
	info() {},
	warn() {},
	error() {},
};

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
