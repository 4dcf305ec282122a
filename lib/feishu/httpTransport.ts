// The HTTP seam of the API client: raw bytes in and out, no Feishu knowledge. axios by default
// (standalone use, tests, the trigger); n8n nodes plug in a transport over n8n's request helpers.
import axios from 'axios';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportRequest {
	method: HttpMethod;
	url: string; // absolute, without query
	query?: Record<string, string>;
	headers: Record<string, string>;
	body?: Buffer | object;
	timeoutMs: number;
}

export interface TransportResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>; // lower-case names
	body: Buffer;
}

export interface HttpTransport {
	/** True when the transport sets the Authorization header itself (n8n's credential authenticate). */
	readonly appliesAuth?: boolean;
	send(req: TransportRequest): Promise<TransportResponse>;
}

export function axiosTransport(): HttpTransport {
	return {
		async send(req) {
			const res = await axios.request({
				method: req.method,
				url: req.url,
				params: req.query,
				headers: req.headers,
				data: req.body,
				timeout: req.timeoutMs,
				responseType: 'arraybuffer',
				validateStatus: () => true,
				maxBodyLength: Infinity,
				maxContentLength: Infinity,
			});
			const headers: Record<string, string | string[] | undefined> = {};
			for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = v as string | string[];
			return { status: res.status, headers, body: Buffer.from(res.data as ArrayBuffer) };
		},
	};
}
