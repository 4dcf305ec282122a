// Errors of the long connection. `retryable` decides between "reconnect later" and "stop for good"
// (docs/ARCHITECTURE.md, "Inside n8n Cloud's rules"); `code`/`msg` carry Feishu's own values so users see them.
import { defaultTransport } from './httpTransport';
import { headerValue } from './values';


export type GatewayErrorStage = 'endpoint' | 'handshake' | 'connection' | 'reconnect';

export class FeishuGatewayError extends Error {
	/** Feishu's code: the endpoint's `code` or the handshake's `Handshake-Autherrcode`. */
	readonly code?: number;
	/** Feishu's message (endpoint `msg` or `Handshake-Msg`). */
	readonly msg?: string;
	readonly httpStatus?: number;
	readonly retryable: boolean;
	readonly stage: GatewayErrorStage;

	constructor(
		message: string,
		details: { code?: number; msg?: string; httpStatus?: number; retryable: boolean; stage: GatewayErrorStage; cause?: unknown },
	) {
		super(message, details.cause === undefined ? undefined : { cause: details.cause });
		this.name = 'FeishuGatewayError';
		this.code = details.code;
		this.msg = details.msg;
		this.httpStatus = details.httpStatus;
		this.retryable = details.retryable;
		this.stage = details.stage;
	}
}

/** Endpoint codes that mean "try again later" (docs/protocol.md, "Endpoint error codes"): 1 system busy, 1000040343 internal error. */
export const RETRYABLE_ENDPOINT_CODES: ReadonlySet<number> = new Set([1, 1000040343]);

/** Handshake refusal: 403 and 514 + 1000040350 (connection limit) stop; anything else retries. */
export function classifyHandshakeRefusal(
	status: number,
	headers: Record<string, string | string[] | undefined>,
): FeishuGatewayError {
	const handshakeStatus = Number(headerValue(headers, 'handshake-status') ?? status);
	const authErr = headerValue(headers, 'handshake-autherrcode');
	const authCode = authErr !== undefined && /^\d+$/.test(authErr) ? Number(authErr) : undefined;
	const msg = headerValue(headers, 'handshake-msg');
	const fatal = handshakeStatus === 403 || status === 403 || (handshakeStatus === 514 && authCode === 1000040350);
	const reason =
		handshakeStatus === 514 && authCode === 1000040350
			? 'the number of long connections for this app exceeded the limit'
			: handshakeStatus === 403
				? 'the gateway refused this app (forbidden)'
				: 'the gateway refused the upgrade';
	const codeText = authCode !== undefined ? ` (code ${authCode})` : '';
	return new FeishuGatewayError(
		`Feishu long connection refused: ${reason}${codeText}, HTTP ${status}, Handshake-Status ${handshakeStatus}${msg ? `: ${msg}` : ''}`,
		{ code: authCode, msg, httpStatus: status, retryable: !fatal, stage: 'handshake' },
	);
}

/**
 * Feishu's reason for a refused upgrade, read by asking the gateway URL again with a plain GET: the
 * WebSocket API reports a refusal only as "closed (1006)". The gateway answers the same checks
 * (ticket, connection limit, app state) with the same Handshake-* headers; an answer without them,
 * or no answer within `timeoutMs`, leaves the failure unexplained (undefined: retried as a network
 * error).
 */
export async function probeHandshakeRefusal(wsUrl: string, timeoutMs: number): Promise<FeishuGatewayError | undefined> {
	let url: URL;
	try {
		url = new URL(wsUrl);
	} catch {
		return undefined;
	}
	url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
	try {
		const res = await defaultTransport().send({ method: 'GET', url: url.toString(), headers: {}, timeoutMs });
		return res.headers['handshake-status'] === undefined ? undefined : classifyHandshakeRefusal(res.status, res.headers);
	} catch {
		return undefined; // unreachable now: the caller reports the original failure
	}
}
