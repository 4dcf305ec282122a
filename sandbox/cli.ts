// `npm run sandbox [-- --port N] [--quiet] [--model-delay-ms N] [--model-reply demo]`: a local Feishu Open
// Platform; prints how to use it. The model flags pace the scripted OpenAI-compatible model's replies (ms
// between tokens, so a streamed answer card fills in visibly) and make its unscripted reply the demo's.
import { sandboxControl } from './client';
import { isLoopbackAddress } from './guard';
import { defaultsProblem, MODEL_API_BASE, type ModelDefaults } from './modelApi';
import { startSandbox, DEMO_APP, type SandboxAppConfig } from './server';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	if (i >= 0) return process.argv[i + 1];
	const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
	return eq?.slice(name.length + 3);
}

async function main(): Promise<void> {
	const port = Number(arg('port') ?? process.env.FEISHU_SANDBOX_PORT ?? 9800);
	// Loopback by default: the sandbox has no auth and hands out app secrets.
	const host = arg('host') ?? process.env.FEISHU_SANDBOX_HOST ?? '127.0.0.1';
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		console.error(`invalid port: ${port}`);
		process.exit(2);
	}
	// FEISHU_SANDBOX_APPS: a JSON array of {appId, appSecret, encryptKey?, verificationToken?, botName?, delivery?}.
	let apps: SandboxAppConfig[] | undefined;
	if (process.env.FEISHU_SANDBOX_APPS) {
		try {
			apps = JSON.parse(process.env.FEISHU_SANDBOX_APPS);
			if (!Array.isArray(apps) || !apps.every((a) => typeof a?.appId === 'string' && typeof a?.appSecret === 'string')) throw new Error('each app needs appId and appSecret');
		} catch (error) {
			console.error(`FEISHU_SANDBOX_APPS is not a valid JSON array of apps: ${(error as Error).message}`);
			process.exit(2);
		}
	}
	// FEISHU_SANDBOX_MODEL_DELAY_MS / --model-delay-ms, FEISHU_SANDBOX_MODEL_REPLY / --model-reply (echo or demo).
	const delay = arg('model-delay-ms') ?? process.env.FEISHU_SANDBOX_MODEL_DELAY_MS;
	const reply = arg('model-reply') ?? process.env.FEISHU_SANDBOX_MODEL_REPLY;
	const modelDefaults: ModelDefaults = {
		...(delay !== undefined ? { delayMs: Number(delay) } : {}),
		...(reply !== undefined ? { reply: reply as ModelDefaults['reply'] } : {}),
	};
	const problem = defaultsProblem(modelDefaults);
	if (problem) {
		console.error(`invalid model option: ${problem}`);
		process.exit(2);
	}
	const sandbox = await startSandbox({ port, host, apps, quiet: process.argv.includes('--quiet') });
	if (Object.keys(modelDefaults).length) {
		// The control API answers a loopback Host only: on a wider address without loopback this is refused.
		await sandboxControl(sandbox.baseUrl, 'PUT', 'model/defaults', modelDefaults).catch((error) => console.error(`the model options were not set: ${(error as Error).message}`));
	}
	const first = apps?.[0] ?? DEMO_APP;
	console.log(
		[
			'',
			`Feishu sandbox running at ${sandbox.baseUrl}`,
			isLoopbackAddress(host)
				? `  listening on ${host} only: reachable from this machine, not the network`
				: `  listening on ${host}: the Open API is reachable from the network, without auth; the control API and chat page still answer only a loopback Host`,
			`  chat page:     ${sandbox.baseUrl}/`,
			`  control API:   ${sandbox.baseUrl}/_sandbox/apps`,
			`  model API:     ${sandbox.baseUrl}${MODEL_API_BASE} (OpenAI-compatible, scripted${modelDefaults.delayMs !== undefined ? `, ${modelDefaults.delayMs} ms a token` : ''}${modelDefaults.reply === 'demo' ? ', demo replies' : ''})`,
			`${apps ? 'First app' : 'Demo app'} (use the base URL as the credential's custom domain):`,
			`  App ID:             ${first.appId}`,
			`  App Secret:         ${first.appSecret}`,
			`  Encrypt Key:        ${first.encryptKey ?? '(none)'}`,
			`  Verification Token: ${first.verificationToken ?? '(none)'}`,
			...(apps && apps.length > 1 ? [`  (+${apps.length - 1} more: GET ${sandbox.baseUrl}/_sandbox/apps)`] : []),
			'',
		].join('\n'),
	);
	const stop = () => {
		void sandbox.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
