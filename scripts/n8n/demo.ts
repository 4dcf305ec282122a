// `npm run demo`: a real n8n (pinned, cached) with this package installed like a user installs it,
// the Feishu sandbox, and the example workflows active, so a newcomer can talk to the echo bot in a
// browser within minutes, and to the AI assistant (examples/ai-assistant.json, its OpenAI Chat Model
// pointed at the sandbox's scripted model) whose answer streams into a card. With FEISHU_APP_ID /
// FEISHU_APP_SECRET set it connects to real Feishu/Lark instead (no sandbox, long-connection echo bot
// only). Ctrl-C stops everything.
//
// Options (flags or environment):
//   --no-wait / FEISHU_DEMO_NO_WAIT=1   start, check the echo bots and the AI assistant answer (sandbox mode), print, stop, exit
//   --n8n-version=X / FEISHU_DEMO_N8N_VERSION   2.41.1 (default, on Node 24) or 1.123.81 (Node 22)
//   FEISHU_DEMO_N8N_PORT (default 5678), FEISHU_SANDBOX_PORT (default 9800); 0 picks a free port
//   FEISHU_DEMO_DIR: folder for the demo's n8n user folder and demo-state.json (default: the install cache)
import fs from 'node:fs';
import path from 'node:path';
import { N8n, OWNER } from './boot';
import { createSandboxCredential, createSandboxModelCredential } from './rig';
import { cacheRoot, DEFAULT_N8N_VERSION, isSupportedVersion, N8N_VERSIONS, recommendedN8nEnv } from './install';
import { sandboxControl } from '../../sandbox/client';
import { startSandbox, DEMO_APP, DEMO_GROUP_CHAT, type Sandbox } from '../../sandbox/server';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Second sandbox app: a Feishu app has one delivery mode, so the webhook echo bot gets its own. */
export const WEBHOOK_APP = {
	appId: 'cli_0a1b2c3d4e5f6071',
	appSecret: 'sandbox-webhook-app-secret',
	encryptKey: 'sandbox-webhook-encrypt-key',
	verificationToken: 'sandbox-webhook-verification-token',
	botName: 'Sandbox Webhook Bot',
	botOpenId: 'ou_sandbox_webhook_bot_00000000000',
	delivery: { mode: 'long_connection' as const },
};

/** Third sandbox app: the AI assistant answers every message too, so it gets a bot of its own. */
export const AI_APP = {
	appId: 'cli_a9b8c7d6e5f40312',
	appSecret: 'sandbox-ai-app-secret',
	encryptKey: 'sandbox-ai-encrypt-key',
	verificationToken: 'sandbox-ai-verification-token',
	botName: 'Sandbox AI Bot',
	botOpenId: 'ou_sandbox_ai_bot_0000000000000000',
	delivery: { mode: 'long_connection' as const },
};

/**
 * The scripted model's pace and wording in the demo: a friendly Markdown answer (what it is, what it
 * remembers) at 60 ms a word after half a second of "Thinking…", so the card visibly fills in.
 */
export const DEMO_MODEL = { delayMs: 60, firstTokenDelayMs: 500, reply: 'demo' as const };

export interface DemoState {
	mode: 'sandbox' | 'feishu';
	n8nVersion: string;
	editorUrl: string;
	login: { email: string; password: string };
	sandboxUrl?: string;
	userFolder: string;
	workflows: { id: string; name: string; active: boolean; app?: string }[];
	pid: number;
}

/** Where the demo keeps its n8n user folder and state file (env FEISHU_DEMO_DIR; default the install cache). */
export function demoDir(): string {
	return process.env.FEISHU_DEMO_DIR || cacheRoot();
}

export function demoStateFile(): string {
	return path.join(demoDir(), 'demo-state.json');
}

function arg(name: string): string | undefined {
	const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
	return eq?.slice(name.length + 3);
}

function example(name: string): any {
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8'));
}

function say(line = ''): void {
	process.stdout.write(`${line}\n`);
}

export async function runDemo(): Promise<void> {
	const noWait = process.argv.includes('--no-wait') || process.env.FEISHU_DEMO_NO_WAIT === '1';
	const version = arg('n8n-version') ?? process.env.FEISHU_DEMO_N8N_VERSION ?? DEFAULT_N8N_VERSION;
	if (!isSupportedVersion(version)) throw new Error(`n8n version ${version} is not supported here (choose one of ${N8N_VERSIONS.join(', ')})`);
	const n8nPort = Number(process.env.FEISHU_DEMO_N8N_PORT ?? 5678);
	const sandboxPort = Number(process.env.FEISHU_SANDBOX_PORT ?? 9800);
	const real = process.env.FEISHU_APP_ID && process.env.FEISHU_APP_SECRET;

	// A fresh user folder each run: the demo state is the examples, nothing left from last time.
	const userFolder = path.join(demoDir(), `demo-n8n-${version}`);
	fs.rmSync(userFolder, { recursive: true, force: true });

	let sandbox: Sandbox | undefined;
	let n8n: N8n | undefined;
	let stopping = false;
	const stopAll = async () => {
		if (stopping) return;
		stopping = true;
		await n8n?.stop();
		await sandbox?.close();
		fs.rmSync(demoStateFile(), { force: true });
	};
	const onSignal = () => {
		say('\nStopping n8n and the sandbox ...');
		void stopAll().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	try {
		if (!real) {
			say(`Starting the Feishu sandbox on 127.0.0.1:${sandboxPort} ...`);
			sandbox = await startSandbox({
				port: sandboxPort,
				quiet: true,
				apps: [DEMO_APP, WEBHOOK_APP, AI_APP],
				// Quicker reconnects than Feishu's defaults, so a restarted n8n is back at once.
				clientConfig: { ReconnectInterval: 3, ReconnectNonce: 2 },
			});
		}
		say(`Preparing n8n ${version} (installed once into ${cacheRoot()}; the first run takes a few minutes) ...`);
		// Started as docs/queue-mode.md recommends ("Webhook bursts"): the demo's webhook echo bot is one.
		n8n = new N8n({ version, userFolder, port: n8nPort === 0 ? undefined : n8nPort, env: recommendedN8nEnv(version, 'regular') });
		await n8n.boot();

		const workflows: DemoState['workflows'] = [];
		const add = async (file: string, credential: { id: string; name: string }, activate: boolean, app?: string, more: Record<string, { id: string; name: string }> = {}) => {
			const wf = await n8n!.createWorkflow(example(file), { credentials: { feishuApi: credential, ...more } });
			if (activate) await n8n!.activate(wf.id);
			workflows.push({ id: wf.id, name: wf.name, active: activate, app });
			return wf;
		};

		if (real) {
			const domain = process.env.FEISHU_DOMAIN ?? 'feishu';
			const cred = await n8n.createCredential({
				name: `Feishu app ${process.env.FEISHU_APP_ID}`,
				type: 'feishuApi',
				data: {
					appId: process.env.FEISHU_APP_ID!,
					appSecret: process.env.FEISHU_APP_SECRET!,
					domain,
					...(domain === 'custom' ? { baseUrl: process.env.FEISHU_BASE_URL ?? '' } : {}),
					encryptKey: process.env.FEISHU_ENCRYPT_KEY ?? '',
					verificationToken: process.env.FEISHU_VERIFICATION_TOKEN ?? '',
				},
			});
			await add('echo-bot-long-connection.json', cred, true, process.env.FEISHU_APP_ID);
			await add('send-message.json', cred, false);
		} else {
			const sandboxCred = await createSandboxCredential(n8n, sandbox!.baseUrl, DEMO_APP);
			const webhookCred = await createSandboxCredential(n8n, sandbox!.baseUrl, WEBHOOK_APP, 'Feishu sandbox (webhook app)');
			await add('echo-bot-long-connection.json', sandboxCred, true, `${DEMO_APP.botName} (${DEMO_APP.appId}, long connection)`);
			const hook = await add('echo-bot-webhook.json', webhookCred, true, `${WEBHOOK_APP.botName} (${WEBHOOK_APP.appId}, webhook)`);
			await add('card-callback.json', sandboxCred, true, `${DEMO_APP.botName} (card actions)`);
			await add('send-message.json', sandboxCred, false);
			// Imported, not active: it answers every message, as the echo bot does.
			await add('approval.json', sandboxCred, false);
			// The AI assistant on its own app, its OpenAI Chat Model on the sandbox's scripted model.
			await sandboxControl(sandbox!.baseUrl, 'PUT', 'model/defaults', DEMO_MODEL);
			const aiCred = await createSandboxCredential(n8n, sandbox!.baseUrl, AI_APP, 'Feishu sandbox (AI app)');
			const openAiApi = await createSandboxModelCredential(n8n, sandbox!.baseUrl);
			await add('ai-assistant.json', aiCred, true, `${AI_APP.botName} (${AI_APP.appId}, long connection, scripted model)`, { openAiApi: { id: openAiApi.id, name: openAiApi.name } });
			// The group the send-message example posts to, with the bot in it (as a person would set up).
			await sandboxControl(sandbox!.baseUrl, 'POST', 'chats', { app_id: DEMO_APP.appId, chat_id: DEMO_GROUP_CHAT, name: 'Demo group' });
			// Like saving the Request URL in the Feishu console: the sandbox sends the challenge first.
			const trigger = hook.nodes.find((n: any) => n.type === 'n8n-nodes-feishu-bot.feishuTrigger');
			const url = n8n.webhookUrl(`${trigger.webhookId}/webhook`);
			const res = await fetch(`${sandbox!.baseUrl}/_sandbox/apps/${WEBHOOK_APP.appId}/delivery`, {
				method: 'PUT',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ mode: 'webhook', url }),
			});
			const verdict = (await res.json()) as { challenge_passed?: boolean; error?: string; status?: number };
			if (!verdict.challenge_passed) throw new Error(`the sandbox's URL check against ${url} failed: ${JSON.stringify(verdict)}`);
		}

		const state: DemoState = {
			mode: real ? 'feishu' : 'sandbox',
			n8nVersion: version,
			editorUrl: n8n.baseUrl,
			login: { email: OWNER.email, password: OWNER.password },
			sandboxUrl: sandbox ? `${sandbox.baseUrl}/` : undefined,
			userFolder,
			workflows,
			pid: process.pid,
		};
		fs.mkdirSync(path.dirname(demoStateFile()), { recursive: true });
		fs.writeFileSync(demoStateFile(), JSON.stringify(state, null, 2));

		say('');
		say(`n8n ${version} editor:  ${n8n.baseUrl}/`);
		say(`  login:              ${OWNER.email} / ${OWNER.password}`);
		if (sandbox) {
			say(`Feishu sandbox chat:  ${sandbox.baseUrl}/`);
			say(`  pick "${DEMO_APP.botName}" (long connection) or "${WEBHOOK_APP.botName}" (webhook) at the top, open a chat and say something: the bot echoes it.`);
			say(`  pick "${AI_APP.botName}" and ask something: the AI Agent's answer streams into a card (the sandbox's scripted model, ${DEMO_MODEL.delayMs} ms a word).`);
		} else {
			say(`Connected to the real Feishu/Lark app ${process.env.FEISHU_APP_ID} (${process.env.FEISHU_DOMAIN ?? 'feishu'}): message the bot in Feishu and it echoes.`);
		}
		say('Workflows:');
		for (const w of workflows) say(`  ${w.active ? 'active  ' : 'inactive'} ${w.name}${w.app ? `  [${w.app}]` : ''}  ${n8n.baseUrl}/workflow/${w.id}`);

		if (noWait) {
			if (sandbox) {
				await selfCheck(sandbox.baseUrl);
				await selfCheckAssistant(sandbox.baseUrl);
			}
			await stopAll();
			say('--no-wait: stopped everything.');
			return;
		}
		say('');
		say('Press Ctrl-C to stop n8n and the sandbox.');
		await new Promise<never>(() => {
			/* until a signal */
		});
	} catch (err) {
		await stopAll();
		throw err;
	}
}

/** Says hello to both echo bots through the sandbox and waits for their replies. */
async function selfCheck(baseUrl: string): Promise<void> {
	for (const app of [DEMO_APP, WEBHOOK_APP]) {
		const chatId = `oc_demo_selfcheck_${app.appId.slice(-4)}`;
		const text = `self-check ${Date.now()}`;
		const sent = (await (
			await fetch(`${baseUrl}/_sandbox/chats/${chatId}/messages`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ text, app_id: app.appId }),
			})
		).json()) as { message_id: string };
		const deadline = Date.now() + 30_000;
		let reply: any;
		while (!reply && Date.now() < deadline) {
			const { messages } = (await (await fetch(`${baseUrl}/_sandbox/chats/${chatId}/messages`)).json()) as { messages: any[] };
			reply = messages.find((m) => m.from === 'bot' && m.parent_id === sent.message_id);
			if (!reply) await new Promise((r) => setTimeout(r, 250));
		}
		if (!reply) throw new Error(`self-check: no echo from ${app.botName} within 30 s`);
		say(`self-check: ${app.botName} answered "${reply.content?.text}"`);
	}
}

/** The markdown of a card's element by id (CardKit card JSON 2.0). */
function elementContent(card: any, id: string): string | undefined {
	const walk = (els: any[] | undefined): any => (els ?? []).map((e) => (e?.element_id === id ? e : walk(e?.elements))).find(Boolean);
	return walk(card?.body?.elements)?.content;
}

/** Asks the AI assistant through the sandbox and waits for its answer card to stream and close. */
async function selfCheckAssistant(baseUrl: string): Promise<void> {
	const chatId = `oc_demo_selfcheck_${AI_APP.appId.slice(-4)}`;
	const sent = await sandboxControl<{ message_id: string }>(baseUrl, 'POST', `chats/${chatId}/messages`, { text: 'What can you do?', app_id: AI_APP.appId });
	const deadline = Date.now() + 90_000;
	let entity: any;
	while (Date.now() < deadline) {
		const { messages } = await sandboxControl<{ messages: any[] }>(baseUrl, 'GET', `chats/${chatId}/messages`);
		const reply = messages.find((m) => m.from === 'bot' && m.msg_type === 'interactive' && m.parent_id === sent.message_id);
		if (reply) {
			const { cards } = await sandboxControl<{ cards: any[] }>(baseUrl, 'GET', `cardkit/cards?app_id=${AI_APP.appId}`);
			const card = cards.find((c) => c.message_id === reply.message_id);
			const e = card && (await sandboxControl<any>(baseUrl, 'GET', `cardkit/cards/${card.card_id}`));
			if (e && e.streaming_mode === false && e.history.some((h: any) => h.op === 'update' && h.code === 0)) {
				entity = e;
				break;
			}
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	if (!entity) throw new Error(`self-check: no closed answer card from ${AI_APP.botName} within 90 s`);
	const updates = entity.history.filter((h: any) => h.op === 'content' && h.code === 0).length;
	const first = (elementContent(entity.card, 'answer') ?? '').split('\n')[0].slice(0, 60);
	say(`self-check: ${AI_APP.botName} answered in a card streamed in ${updates} updates: "${first}…"`);
}
