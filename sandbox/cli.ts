// `npm run sandbox [-- --port N] [--quiet]`: a local Feishu Open Platform; prints how to use it.
import { startSandbox, DEMO_APP } from './server';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	if (i >= 0) return process.argv[i + 1];
	const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
	return eq?.slice(name.length + 3);
}

async function main(): Promise<void> {
	const port = Number(arg('port') ?? process.env.FEISHU_SANDBOX_PORT ?? 9800);
	const host = arg('host') ?? process.env.FEISHU_SANDBOX_HOST ?? '127.0.0.1';
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		console.error(`invalid port: ${port}`);
		process.exit(2);
	}
	const sandbox = await startSandbox({ port, host, quiet: process.argv.includes('--quiet') });
	console.log(
		[
			'',
			`Feishu sandbox running at ${sandbox.baseUrl}`,
			`  chat page:     ${sandbox.baseUrl}/`,
			`  control API:   ${sandbox.baseUrl}/_sandbox/apps`,
			'Demo app (use the base URL as the credential\'s custom domain):',
			`  App ID:             ${DEMO_APP.appId}`,
			`  App Secret:         ${DEMO_APP.appSecret}`,
			`  Encrypt Key:        ${DEMO_APP.encryptKey}`,
			`  Verification Token: ${DEMO_APP.verificationToken}`,
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
