// Benchmark 9: streamed AI answers in real n8n, ours vs n8n's own streaming in the same n8n.
// Ours: examples/ai-assistant.json (Feishu Trigger over the long connection with "Answer in a
// Streaming Card" -> AI Agent v3 (OpenAI Chat Model pointed at the sandbox's scripted model, Simple
// Memory) -> Send Answer). Reference: Chat Trigger (public, Embedded Chat, responseMode 'streaming')
// -> AI Agent v3 (the same model credential and options, streaming on), called over HTTP like the
// @n8n/chat widget does (POST /webhook/<webhookId>/chat, {action: 'sendMessage', sessionId,
// chatInput}) and read as the JSON lines n8n writes.
// The scripted model feeds both the same tokens at the same pace and stamps its first and last token
// (GET /_sandbox/model/requests: reply.firstTokenAt / lastTokenAt, epoch ms). Ours: model's first token
// -> the card's first accepted `content` operation, model's last token -> the accepted `update` that
// closes the card (the sandbox's CardKit entity history, epoch ms). Reference: model's first token ->
// the client reads the first `{"type":"item"}` line; model's last token -> the response ends. The
// sandbox and this client run in the bench process, so all the stamps come from one clock.
// Questions run one at a time, alternating which side goes first; every question in a fresh chat /
// chat session, so the memory holds the same (empty) history for both.
// Alone: `node --import tsx bench/aiStream.ts [--quick] [--questions N] [--write]` prints the section
// (--write also puts it into bench/RESULTS.md, replacing an earlier section 9).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_N8N_VERSION } from '../scripts/n8n/install';
import { createSandboxModelCredential, loadExample } from '../scripts/n8n/rig';
import { APP, type BenchRig, control, sleep, startBenchRig } from './lib/n8nRig';
import { fmt, median, percentile, ratio } from './lib/stats';

export interface AiStreamOptions {
	/** Measured questions per side. */
	questions: number;
	/** Unmeasured questions per side first (n8n's first executions of a workflow are slower). */
	warmup: number;
	/** Tokens (words) per answer and the model's pause between two. */
	words: number;
	delayMs: number;
}

/** One answer; every time in ms, NaN when it could not be measured. */
interface Sample {
	/** The model's first token -> the first visible update (card content / first item line). */
	first: number;
	/** The model's last token -> the answer closed (card update / end of the response). */
	close: number;
	/** The question sent -> the model's request (n8n's time to start the agent). */
	toModel: number;
	/** Updates the person saw while the model streamed (content operations / item lines). */
	updates: number;
	/** finishedAt - lastTokenAt of the model's reply (its finish chunk and [DONE] after the last token). */
	tail: number;
	/** Ours: the question sent -> the thinking card shown (its `send`); NaN for the reference. */
	shown: number;
}

interface Side {
	samples: Sample[];
	failures: string[];
}

export interface AiStreamReport {
	version: string;
	options: AiStreamOptions;
	ours: Side;
	reference: Side;
	loads: number[];
	seconds: number;
}

export const DEFAULT_AI_STREAM_OPTIONS: AiStreamOptions = { questions: 20, warmup: 1, words: 30, delayMs: 20 };
export const QUICK_AI_STREAM_OPTIONS: AiStreamOptions = { questions: 6, warmup: 1, words: 30, delayMs: 20 };

const SECTION_TITLE = '## 9. Streamed AI answers';
const GOAL_MS = 250;
const POLL_MS = 100;
const TIMEOUT_MS = 30_000;

interface ModelRequest {
	id: string;
	at: number;
	messages: unknown;
	reply: { firstTokenAt: number | null; lastTokenAt: number | null; finishedAt: number | null; error: string | null; aborted: boolean } | null;
}

interface CardOp {
	at: number;
	op: string;
	code: number;
}

/** The model's request whose conversation carries `marker`, once its reply is over. */
async function modelRequest(rig: BenchRig, marker: string, deadline: number): Promise<ModelRequest> {
	for (;;) {
		const { requests } = await control<{ requests: ModelRequest[] }>(rig, 'GET', 'model/requests');
		const mine = requests.filter((r) => JSON.stringify(r.messages).includes(marker));
		if (mine.length > 1) throw new Error(`${mine.length} model requests for one question`);
		const r = mine[0];
		if (r?.reply?.error || r?.reply?.aborted) throw new Error(`the model's reply failed: ${r.reply.error ?? 'aborted'}`);
		if (r?.reply?.finishedAt) return r;
		if (Date.now() > deadline) throw new Error(`no finished model request for ${marker}`);
		await sleep(POLL_MS);
	}
}

function script(rig: BenchRig, marker: string, o: AiStreamOptions): Promise<unknown> {
	const tokens = Array.from({ length: o.words }, (_, i) => `${i === 0 ? '' : ' '}word${i}`);
	return control(rig, 'PUT', 'model/script', { replies: [{ tokens, delayMs: o.delayMs, match: marker }] });
}

function stamps(req: ModelRequest): { firstToken: number; lastToken: number; tail: number } {
	const r = req.reply!;
	return { firstToken: r.firstTokenAt ?? NaN, lastToken: r.lastTokenAt ?? NaN, tail: (r.finishedAt ?? NaN) - (r.lastTokenAt ?? NaN) };
}

/** Ours: a message in a fresh chat; the answer card's CardKit history against the model's stamps. */
async function askOurs(rig: BenchRig, tag: string, o: AiStreamOptions): Promise<Sample> {
	const marker = `[${tag}]`;
	await script(rig, marker, o);
	const chatId = `oc_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
	const asked = Date.now();
	await control(rig, 'POST', `chats/${chatId}/messages`, { app_id: APP.appId, text: `Tell me a story ${marker}` });
	const deadline = asked + TIMEOUT_MS;
	let cardId: string | undefined;
	let history: CardOp[] = [];
	for (;;) {
		if (!cardId) {
			const { cards } = await control<{ cards: { card_id: string }[] }>(rig, 'GET', `cardkit/cards?chat_id=${chatId}`);
			cardId = cards[0]?.card_id;
		}
		if (cardId) {
			history = (await control<{ history: CardOp[] }>(rig, 'GET', `cardkit/cards/${cardId}`)).history;
			if (history.some((h) => h.op === 'update' && h.code === 0)) break;
		}
		if (Date.now() > deadline) throw new Error(cardId ? `card ${cardId} not closed within ${TIMEOUT_MS} ms` : `no answer card within ${TIMEOUT_MS} ms`);
		await sleep(POLL_MS);
	}
	const req = await modelRequest(rig, marker, deadline);
	const { firstToken, lastToken, tail } = stamps(req);
	const contents = history.filter((h) => h.op === 'content' && h.code === 0);
	const closed = history.find((h) => h.op === 'update' && h.code === 0)!;
	const sent = history.find((h) => h.op === 'send' && h.code === 0);
	return {
		shown: (sent?.at ?? NaN) - asked,
		first: (contents[0]?.at ?? NaN) - firstToken,
		close: closed.at - lastToken,
		toModel: req.at - asked,
		updates: contents.filter((h) => h.at <= lastToken).length,
		tail,
	};
}

/** Reference: the chat widget's request to the Chat Trigger, its JSON lines read as they arrive. */
async function askReference(rig: BenchRig, url: string, tag: string, o: AiStreamOptions): Promise<Sample> {
	const marker = `[${tag}]`;
	await script(rig, marker, o);
	const asked = Date.now();
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ action: 'sendMessage', sessionId: randomUUID(), chatInput: `Tell me a story ${marker}` }),
		signal: AbortSignal.timeout(TIMEOUT_MS),
	});
	if (res.status !== 200 || !res.body) throw new Error(`chat webhook answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
	const decoder = new TextDecoder();
	let buffered = '';
	const items: number[] = [];
	const types = new Set<string>();
	for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
		const now = Date.now();
		buffered += decoder.decode(chunk, { stream: true });
		let nl: number;
		while ((nl = buffered.indexOf('\n')) >= 0) {
			const line = buffered.slice(0, nl).trim();
			buffered = buffered.slice(nl + 1);
			if (!line) continue;
			let parsed: { type?: string; content?: unknown };
			try {
				parsed = JSON.parse(line);
			} catch {
				continue;
			}
			types.add(String(parsed.type));
			if (parsed.type === 'item') items.push(now);
			if (parsed.type === 'error') throw new Error(`the stream reported an error: ${line.slice(0, 300)}`);
		}
	}
	const ended = Date.now();
	if (!items.length) throw new Error(`no item line in the response (line types: ${[...types].join(', ') || 'none'})`);
	const req = await modelRequest(rig, marker, asked + TIMEOUT_MS);
	const { firstToken, lastToken, tail } = stamps(req);
	return { first: items[0] - firstToken, close: ended - lastToken, toModel: req.at - asked, updates: items.filter((t) => t <= lastToken).length, tail, shown: NaN };
}

/** The reference workflow: Chat Trigger (streaming) -> AI Agent with the example's model and memory nodes. */
function referenceWorkflow(example: any): { wf: any; webhookId: string } {
	const pick = (type: string) => JSON.parse(JSON.stringify(example.nodes.find((n: any) => n.type === type)));
	const agent = pick('@n8n/n8n-nodes-langchain.agent');
	const model = pick('@n8n/n8n-nodes-langchain.lmChatOpenAi');
	const memory = pick('@n8n/n8n-nodes-langchain.memoryBufferWindow');
	agent.parameters.text = '={{ $json.chatInput }}';
	memory.parameters.sessionKey = '={{ $json.sessionId }}';
	for (const n of [agent, model, memory]) n.id = randomUUID();
	const webhookId = randomUUID();
	const trigger = {
		parameters: { public: true, mode: 'webhook', authentication: 'none', options: { responseMode: 'streaming' } },
		id: randomUUID(),
		name: 'When chat message received',
		type: '@n8n/n8n-nodes-langchain.chatTrigger',
		typeVersion: 1.4,
		position: [0, 0],
		webhookId,
	};
	return {
		webhookId,
		wf: {
			name: 'bench reference: Chat Trigger (streaming) -> AI Agent',
			nodes: [trigger, agent, model, memory],
			connections: {
				[trigger.name]: { main: [[{ node: agent.name, type: 'main', index: 0 }]] },
				[model.name]: { ai_languageModel: [[{ node: agent.name, type: 'ai_languageModel', index: 0 }]] },
				[memory.name]: { ai_memory: [[{ node: agent.name, type: 'ai_memory', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		},
	};
}

/** The example with fresh ids and without its sticky note. */
function oursWorkflow(example: any): any {
	const wf = JSON.parse(JSON.stringify(example));
	wf.name = 'bench: AI assistant (streaming card)';
	wf.nodes = wf.nodes.filter((n: any) => n.type !== 'n8n-nodes-base.stickyNote');
	for (const n of wf.nodes) {
		n.id = randomUUID();
		if (n.webhookId) n.webhookId = randomUUID();
	}
	return wf;
}

export async function runAiStreamBench(opts: { log: (line: string) => void; quick?: boolean; options?: Partial<AiStreamOptions> }): Promise<AiStreamReport> {
	const { log } = opts;
	const o: AiStreamOptions = { ...(opts.quick ? QUICK_AI_STREAM_OPTIONS : DEFAULT_AI_STREAM_OPTIONS), ...opts.options };
	const version = process.env.FEISHU_BENCH_N8N_VERSION || DEFAULT_N8N_VERSION;
	const t0 = Date.now();
	const rig = await startBenchRig({ version, sandbox: { rateLimitPerSecond: 1e6, rateLimitPerMinute: 1e7 } });
	try {
		log(`ai stream: n8n ${version} up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		const openAiApi = await createSandboxModelCredential(rig.n8n, rig.sandbox.baseUrl);
		const credentials = { credentials: { feishuApi: rig.credential, openAiApi } };
		const example = loadExample('ai-assistant.json');
		const ours = await rig.n8n.createWorkflow(oursWorkflow(example), credentials);
		await rig.n8n.activate(ours.id);
		const ref = referenceWorkflow(example);
		const reference = await rig.n8n.createWorkflow(ref.wf, credentials);
		await rig.n8n.activate(reference.id);
		const url = rig.n8n.webhookUrl(`${ref.webhookId}/chat`);
		for (let i = 0; ; i++) {
			const { connections } = await control<{ connections: { open: boolean }[] }>(rig, 'GET', `connections?app_id=${APP.appId}`);
			if (connections.some((c) => c.open)) break;
			if (i > 300) throw new Error('the Feishu Trigger opened no long connection');
			await sleep(100);
		}
		const sides = {
			ours: (tag: string) => askOurs(rig, tag, o),
			reference: (tag: string) => askReference(rig, url, tag, o),
		};
		const report: AiStreamReport = { version, options: o, ours: { samples: [], failures: [] }, reference: { samples: [], failures: [] }, loads: [], seconds: 0 };
		const tb = Date.now();
		for (let i = 0; i < o.warmup + o.questions; i++) {
			const order = (i % 2 ? ['reference', 'ours'] : ['ours', 'reference']) as (keyof typeof sides)[];
			for (const side of order) {
				const warm = i < o.warmup;
				const tag = `${side}-${warm ? 'warm' : 'q'}${i}-${randomUUID().slice(0, 6)}`;
				report.loads.push(os.loadavg()[0]);
				try {
					const s = await sides[side](tag);
					if (!warm) report[side].samples.push(s);
					log(`ai stream ${warm ? 'warm-up' : `question ${i - o.warmup + 1}/${o.questions}`}, ${side}: first update ${s.first} ms, closed ${s.close} ms after the last token, ${s.updates} updates while streaming, question -> model ${s.toModel} ms${Number.isFinite(s.shown) ? `, thinking card ${s.shown} ms` : ''}`);
				} catch (error) {
					const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
					if (!warm) report[side].failures.push(message);
					log(`ai stream, ${side}, ${warm ? 'warm-up' : `question ${i - o.warmup + 1}`} failed: ${message}`);
				}
				await sleep(100);
			}
		}
		report.seconds = (Date.now() - tb) / 1000;
		await rig.n8n.deactivate(ours.id).catch(() => undefined);
		await rig.n8n.deactivate(reference.id).catch(() => undefined);
		return report;
	} finally {
		await rig.close();
	}
}

interface Summary {
	first: { p50: number; p99: number };
	close: { p50: number; p99: number };
	toModel: number;
	updates: number;
	tailMax: number;
	shown: number;
	n: number;
}

function summarize(side: Side): Summary {
	const of = (k: keyof Sample) => side.samples.map((s) => s[k]).filter(Number.isFinite);
	const pp = (k: keyof Sample) => ({ p50: percentile(of(k), 50), p99: percentile(of(k), 99) });
	const tails = of('tail');
	return { first: pp('first'), close: pp('close'), toModel: median(of('toModel')), updates: median(of('updates')), tailMax: tails.length ? Math.max(...tails) : NaN, shown: median(of('shown')), n: side.samples.length };
}

const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${fmt(Math.abs(v), 0)}` : 'n/a');

export function aiStreamSection(r: AiStreamReport): { lines: string[]; goals: string[] } {
	const o = r.options;
	const ours = summarize(r.ours);
	const ref = summarize(r.reference);
	const diffFirst = ours.first.p50 - ref.first.p50;
	const met = Number.isFinite(diffFirst) && diffFirst <= GOAL_MS && r.ours.failures.length === 0;
	const pq = (x: { p50: number; p99: number }) => `${fmt(x.p50, 0)} / ${fmt(x.p99, 0)}`;
	// A ratio to a reference of a few ms says nothing (its first line comes within a millisecond or two).
	const rel = (a: number, b: number) => (b >= 10 ? fmt(ratio(a, b), 2) : 'n/a');
	const tailMax = Math.max(ours.tailMax, ref.tailMax);
	const failures = (['ours', 'reference'] as const).flatMap((k) => r[k].failures.map((f) => `${k}: ${f}`));
	const lines = [
		`${SECTION_TITLE}: first visible update and close (n8n ${r.version}, ours vs n8n's Chat Trigger streaming in the same n8n)`,
		'',
		`Ours: examples/ai-assistant.json as shipped (Feishu Trigger over the long connection with "Answer in a Streaming Card" -> AI Agent v3 with the OpenAI Chat Model and Simple Memory -> Send Answer). Reference: n8n's own streaming in the same n8n, a second workflow Chat Trigger (public, Embedded Chat, response mode Streaming) -> the same AI Agent, model and memory nodes, called as the chat widget calls it (POST \`/webhook/<webhookId>/chat\`, \`{action: "sendMessage", sessionId, chatInput}\`) and its JSON lines read as they arrive. The sandbox's scripted model answers both with the same ${o.words} word tokens, ${o.delayMs} ms apart (about ${fmt(((o.words - 1) * o.delayMs) / 1000, 2)} s of streaming), and stamps its first and last token. First update = the model's first token -> the card's first accepted \`content\` operation (the sandbox's CardKit history) / the first \`{"type":"item"}\` line the client reads. Closed = the model's last token -> the accepted \`update\` that ends the card's streaming (written by Send Answer) / the end of the HTTP response (the execution's end). The sandbox and the client run in the bench process: one clock, 1 ms resolution. ${o.questions} measured questions per side after ${o.warmup} warm-up(s), one at a time, alternating which side goes first, each in a fresh chat / session; n8n's default settings; ${fmt(r.seconds, 0)} s of questions, load average (1 min) ${fmt(Math.min(...r.loads), 2)}-${fmt(Math.max(...r.loads), 2)}.`,
		'',
		'| | first update after the model\'s first token: p50 / p99 ms | closed after the model\'s last token: p50 / p99 ms | updates seen while the model streamed (median) | question -> model request, p50 ms | answers measured |',
		'|---|---:|---:|---:|---:|---:|',
		`| ours: Feishu streaming card | ${pq(ours.first)} | ${pq(ours.close)} | ${fmt(ours.updates, 0)} | ${fmt(ours.toModel, 0)} | ${ours.n}/${o.questions} |`,
		`| reference: Chat Trigger streaming response | ${pq(ref.first)} | ${pq(ref.close)} | ${fmt(ref.updates, 0)} | ${fmt(ref.toModel, 0)} | ${ref.n}/${o.questions} |`,
		`| ours − reference (p50 / p99) | ${signed(diffFirst)} / ${signed(ours.first.p99 - ref.first.p99)} | ${signed(ours.close.p50 - ref.close.p50)} / ${signed(ours.close.p99 - ref.close.p99)} | | ${signed(ours.toModel - ref.toModel)} | |`,
		`| ours / reference (p50 / p99) | ${rel(ours.first.p50, ref.first.p50)} / ${rel(ours.first.p99, ref.first.p99)} | ${rel(ours.close.p50, ref.close.p50)} / ${rel(ours.close.p99, ref.close.p99)} | | | |`,
		'',
		`p99 is by nearest rank: with ${o.questions} answers, the slowest. Ratios are left out where the reference is under 10 ms (n8n writes each chunk to the response as the agent gets it: its first line arrives within a millisecond or two of the model's token), which is why the goal is a difference. Our thinking card was shown ${fmt(ours.shown, 0)} ms (p50) after the question (the model's request came ${fmt(ours.toModel, 0)} ms after it); the first content update can wait for that card: the trigger starts a card operation at least 100 ms after the previous one's answer.`,
		'',
		`A card takes at most 10 operations a second (Feishu's rule; the trigger starts one at least 150 ms after the previous start and 100 ms after its answer, always with the newest text), where the Chat Trigger writes a line per token: that is the difference in updates seen, not a delay of the text. The model's finish chunk and \`[DONE]\` follow its last token within ${fmt(tailMax, 0)} ms (its \`finishedAt\` - \`lastTokenAt\`, largest over all answers), so "closed" counts from the end of the model's answer as well. Our close is Send Answer's run plus the card's turn: the closing update too starts at least 150 ms after the last content update started and 100 ms after its answer, where the Chat Trigger's response ends as soon as the execution does.`,
		...(failures.length ? ['', `Answers not measured: ${failures.join('; ')}.`] : []),
	];
	const goals = [
		`AI answer streaming: first card update ours − reference p50 ${signed(diffFirst)} ms ${met ? '**met**' : '**missed**'} (goal ≤ +${GOAL_MS} ms; p50 ours ${fmt(ours.first.p50, 0)} ms, n8n Chat Trigger ${fmt(ref.first.p50, 0)} ms after the model's first token; closed ${fmt(ours.close.p50, 0)} vs ${fmt(ref.close.p50, 0)} ms after its last)`,
	];
	return { lines, goals };
}

/** Puts the section into bench/RESULTS.md: replaces an earlier section 9, else goes before the next section past 8. */
function writeSection(file: string, lines: string[], goals: string[]): void {
	const md = fs.readFileSync(file, 'utf8').split('\n');
	const date = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
	const block = [...lines, '', `Run alone (\`node --import tsx bench/aiStream.ts\`) on ${date}.`, ''];
	const start = md.findIndex((l) => l.startsWith(SECTION_TITLE));
	if (start >= 0) {
		let end = md.findIndex((l, i) => i > start && l.startsWith('## '));
		if (end < 0) end = md.length;
		md.splice(start, end - start, ...block);
	} else {
		let at = md.findIndex((l) => /^## (API resource|Notes on the goals)/.test(l));
		if (at < 0) at = md.length;
		md.splice(at, 0, ...block);
	}
	const intro = md.findIndex((l) => /^(Sections? |Written by )/.test(l));
	if (intro >= 0) md[intro] = `${md[intro].replace(/ Section 9: run alone on [^.]*\./, '')} Section 9: run alone on ${date}.`;
	const goalLine = `- ${goals[0]} (section 9, run alone)`;
	const old = md.findIndex((l) => l.startsWith('- AI answer streaming:'));
	if (old >= 0) md[old] = goalLine;
	else {
		const g = md.findIndex((l) => l === '## Goals');
		if (g >= 0) {
			let end = g + 2;
			while (end < md.length && md[end].startsWith('- ')) end++;
			md.splice(end, 0, goalLine);
		}
	}
	fs.writeFileSync(file, md.join('\n'));
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const num = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
	const questions = num('--questions');
	const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);
	void runAiStreamBench({ log, quick: args.includes('--quick'), options: questions ? { questions } : {} }).then(
		(r) => {
			const s = aiStreamSection(r);
			process.stdout.write([...s.goals.map((g) => `- ${g}`), '', ...s.lines, ''].join('\n'));
			if (args.includes('--write')) {
				const file = path.join(__dirname, 'RESULTS.md');
				writeSection(file, s.lines, s.goals);
				log(`wrote section 9 into ${path.relative(process.cwd(), file)}`);
			}
		},
		(error) => {
			process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
			process.exit(1);
		},
	);
}
