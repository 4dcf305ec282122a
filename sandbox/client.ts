// The one client for the sandbox's control API (/_sandbox/...), for tests, benchmarks and scripts.
// A fresh socket per call (no keep-alive agent): tests count the sandbox's connections and sockets,
// and a pooled socket left open would show up in those counts.
import http from 'node:http';

/** Calls the control API; resolves its JSON answer, rejects on an HTTP error or a non-JSON answer. */
export function sandboxControl<T = any>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
	const url = new URL(`/_sandbox/${path.replace(/^\//, '')}`, baseUrl);
	const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			// The sandbox wants the JSON content type on every state change, body or not.
			{ method, agent: false, headers: { 'content-type': 'application/json', ...(data ? { 'content-length': data.length } : {}) } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					if ((res.statusCode ?? 0) >= 400) return reject(new Error(`sandbox ${method} ${path} -> HTTP ${res.statusCode}: ${text}`));
					try {
						resolve(JSON.parse(text) as T);
					} catch {
						reject(new Error(`sandbox ${method} ${path}: not JSON: ${text.slice(0, 200)}`));
					}
				});
			},
		);
		req.on('error', reject);
		req.end(data);
	});
}
