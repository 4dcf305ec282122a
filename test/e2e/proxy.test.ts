// Behind an HTTP proxy, in real n8n: with n8n's proxy variables (HTTP_PROXY, HTTPS_PROXY) and
// NODE_USE_ENV_PROXY=1, every request of this package goes through the proxy: the Feishu node's API
// calls (n8n's request helpers) and the trigger's token fetch, endpoint call and WebSocket upgrade
// (Node's fetch and WebSocket). The proxy on loopback records the request line of everything it
// forwards or tunnels; the echo bot must answer through it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { selectedVersions } from '../../scripts/n8n/install';
import { eachTestStartsHealthy, importWorkflow, loadExample, openConnections, type Rig, sendUserText, startRig, textOf, waitFor, waitForReply } from './harness';

const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.[01]\r\n/;

/** A forward proxy: absolute-URI requests are forwarded, CONNECT is tunnelled; request lines recorded. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
	const seen: string[] = [];
	const sockets = new Set<net.Socket>();
	const server = http.createServer((req, res) => {
		let target: URL;
		try {
			target = new URL(req.url ?? '');
		} catch {
			res.writeHead(400).end();
			return;
		}
		seen.push(`${req.method} ${target.pathname}${target.search}`);
		const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers }, (r) => {
			res.writeHead(r.statusCode ?? 502, r.headers);
			r.pipe(res);
		});
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	server.on('connect', (req, client: net.Socket, head) => {
		const [host, port] = (req.url ?? '').split(':');
		const upstream = net.connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length) upstream.write(head);
			// The tunnelled traffic is plain HTTP to the loopback sandbox: read its request lines.
			client.on('data', (chunk: Buffer) => {
				const line = REQUEST_LINE.exec(chunk.toString('latin1'));
				if (line) seen.push(`${line[1]} ${line[2]}`);
			});
			client.pipe(upstream);
			upstream.pipe(client);
		});
		sockets.add(upstream);
		upstream.on('close', () => sockets.delete(upstream));
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		seen,
		close: () =>
			new Promise<void>((r) => {
				for (const s of sockets) s.destroy();
				server.close(() => r());
			}),
	};
}

for (const version of selectedVersions()) {
	describe(`n8n ${version}: behind an HTTP proxy`, { timeout: 600_000 }, () => {
		let rig: Rig;
		let proxy: Awaited<ReturnType<typeof startProxy>>;
		eachTestStartsHealthy(() => rig?.n8n);
		before(async () => {
			proxy = await startProxy();
			rig = await startRig(version, {}, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NODE_USE_ENV_PROXY: '1', NO_PROXY: '' });
		});
		after(async () => {
			await rig?.close();
			await proxy?.close();
		});

		test('the echo bot answers with every Feishu request going through the proxy', async () => {
			const wf = await importWorkflow(rig, loadExample('echo-bot-long-connection.json'));
			await rig.n8n.activate(wf.id);
			await waitFor('one open gateway connection', async () => (await openConnections(rig)).length === 1);
			const sent = await sendUserText(rig, 'oc_e2e_proxy', 'through the proxy');
			const reply = await waitForReply(rig, 'oc_e2e_proxy', sent.message_id);
			assert.equal(textOf(reply), 'Echo: through the proxy');

			const saw = (method: string, pathPrefix: string) => proxy.seen.some((l) => l.startsWith(`${method} ${pathPrefix}`));
			const report = `the proxy saw:\n${[...new Set(proxy.seen)].join('\n')}`;
			assert.ok(saw('POST', '/open-apis/auth/v3/tenant_access_token/internal'), `token fetch; ${report}`);
			assert.ok(saw('POST', '/callback/ws/endpoint'), `endpoint call; ${report}`);
			assert.ok(saw('GET', '/ws/v2?'), `WebSocket upgrade; ${report}`);
			assert.ok(saw('POST', '/open-apis/im/v1/messages/'), `the Feishu node's reply; ${report}`);
		});
	});
}
