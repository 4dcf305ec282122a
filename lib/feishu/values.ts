// Reads of untyped input from outside (parsed JSON, HTTP headers), shared so every layer draws the
// same line between "an object" and anything else.

/** A JSON object: not null, not an array (Feishu's payloads never use arrays where objects belong). */
export function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A header's first value, whatever the case of its name. Node and the transports give lower-case
 * names, so the direct look-up nearly always hits; other names are scanned only on a miss.
 */
export function headerValue(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
	const wanted = name.toLowerCase();
	let value = headers[wanted];
	if (value === undefined) {
		for (const key of Object.keys(headers)) {
			if (key.toLowerCase() === wanted) {
				value = headers[key];
				break;
			}
		}
	}
	return Array.isArray(value) ? value[0] : value;
}
