// Benchmark 2, webhook handling: decrypt + verify signature + parse, per event, on the same signed
// and encrypted bodies. Ours: lib/feishu/webhook.ts handleWebhookRequest (raw body bytes in). The
// official SDK: what its HTTP adapters do per request (JSON.parse of the body, headers attached as
// the prototype, EventDispatcher.invoke with the signature check on). Both end in the same trivial
// async handler, awaited. Runs alternate between the two; the figure is the median of the runs.
import * as lark from '@larksuiteoapi/node-sdk';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { computeSignature, encryptPayload } from '../lib/feishu/crypto';
import { handleWebhookRequest } from '../lib/feishu/webhook';
import { median } from './lib/stats';

const ENCRYPT_KEY = 'bench-encrypt-key';
const TOKEN = 'bench-verification-token';

interface SignedRequest {
	rawBody: Buffer;
	headers: Record<string, string>;
}

export interface WebhookOptions {
	runs: number;
	events: number;
	textBytes: number;
	log?: (line: string) => void;
}

export const DEFAULT_WEBHOOK: WebhookOptions = { runs: 7, events: 5_000, textBytes: 200 };

export interface WebhookReport {
	options: WebhookOptions;
	bodyBytes: number;
	ours: { perSec: number[]; median: number; usPerEvent: number };
	official: { perSec: number[]; median: number; usPerEvent: number };
}

function signedRequests(count: number, textBytes: number): SignedRequest[] {
	const out: SignedRequest[] = [];
	const ts = String(Math.floor(Date.now() / 1000));
	for (let i = 0; i < count; i++) {
		const eventId = randomUUID().replace(/-/g, '');
		const plain = JSON.stringify({
			schema: '2.0',
			header: { event_id: eventId, token: TOKEN, create_time: String(Date.now()), event_type: 'im.message.receive_v1', tenant_key: 'bench', app_id: 'cli_b1b2c3d4e5f60718' },
			event: {
				sender: { sender_id: { open_id: 'ou_bench_user' }, sender_type: 'user', tenant_key: 'bench' },
				message: { message_id: `om_${eventId}`, chat_id: 'oc_bench', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text: 'x'.repeat(textBytes) }) },
			},
		});
		// Feishu's body is exactly this JSON text, and the signature covers these bytes.
		const rawBody = Buffer.from(JSON.stringify({ encrypt: encryptPayload(ENCRYPT_KEY, plain) }));
		const nonce = randomUUID();
		out.push({
			rawBody,
			headers: {
				'content-type': 'application/json; charset=utf-8',
				'x-lark-request-timestamp': ts,
				'x-lark-request-nonce': nonce,
				'x-lark-signature': computeSignature(ts, nonce, ENCRYPT_KEY, rawBody),
			},
		});
	}
	return out;
}

export async function runWebhookBench(partial: Partial<WebhookOptions> = {}): Promise<WebhookReport> {
	const o = { ...DEFAULT_WEBHOOK, ...partial };
	const log = o.log ?? (() => undefined);
	let handled = 0;
	const handler = async (_event: unknown): Promise<void> => {
		handled++;
	};
	const dispatcher = new lark.EventDispatcher({ encryptKey: ENCRYPT_KEY, verificationToken: TOKEN, loggerLevel: lark.LoggerLevel.error }).register({
		'im.message.receive_v1': handler,
	});

	const ours = async (reqs: SignedRequest[]) => {
		for (const req of reqs) {
			const r = handleWebhookRequest({ method: 'POST', headers: req.headers, rawBody: req.rawBody }, { encryptKey: ENCRYPT_KEY, verificationToken: TOKEN });
			if (r.kind !== 'event') throw new Error(`ours rejected a valid body: ${JSON.stringify(r)}`);
			await handler(r.envelope);
		}
	};
	const official = async (reqs: SignedRequest[]) => {
		for (const req of reqs) {
			// As adaptDefault / adaptExpress: parse the body, attach the headers, invoke.
			const data = Object.assign(Object.create({ headers: req.headers }), JSON.parse(req.rawBody.toString('utf8')));
			await dispatcher.invoke(data);
		}
	};

	const measure = async (fn: (r: SignedRequest[]) => Promise<void>, reqs: SignedRequest[]) => {
		const before = handled;
		const t0 = performance.now();
		await fn(reqs);
		const ms = performance.now() - t0;
		if (handled - before !== reqs.length) throw new Error(`only ${handled - before} of ${reqs.length} events reached the handler`);
		return (reqs.length / ms) * 1000;
	};

	// Warm-up for both.
	const warm = signedRequests(1_000, o.textBytes);
	await measure(ours, warm);
	await measure(official, warm);

	const oursRates: number[] = [];
	const officialRates: number[] = [];
	for (let r = 0; r < o.runs; r++) {
		const reqs = signedRequests(o.events, o.textBytes);
		const first = r % 2 === 0 ? ours : official;
		const second = first === ours ? official : ours;
		const a = await measure(first, reqs);
		const b = await measure(second, reqs);
		const [mine, theirs] = first === ours ? [a, b] : [b, a];
		oursRates.push(mine);
		officialRates.push(theirs);
		log(`webhook run ${r + 1}/${o.runs}: ours ${mine.toFixed(0)}/s, official ${theirs.toFixed(0)}/s`);
	}
	const om = median(oursRates);
	const fm = median(officialRates);
	return {
		options: o,
		bodyBytes: signedRequests(1, o.textBytes)[0].rawBody.length,
		ours: { perSec: oursRates, median: om, usPerEvent: 1e6 / om },
		official: { perSec: officialRates, median: fm, usPerEvent: 1e6 / fm },
	};
}

if (require.main === module) {
	void runWebhookBench({ log: (l) => console.log(l), ...(process.argv.includes('--quick') ? { runs: 3, events: 2_000 } : {}) }).then((r) =>
		console.log(JSON.stringify({ ours: r.ours.median, official: r.official.median, bodyBytes: r.bodyBytes })),
	);
}
