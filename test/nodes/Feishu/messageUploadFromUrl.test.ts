// Upload Image / Upload File with Source "URL" through the Feishu node against the sandbox, the files
// served by a local HTTP server: the node downloads through n8n's request helper and uploads what it
// got (file name from Content-Disposition or the URL, file type from the name); past Feishu's limit
// (image 10 MB, file 30 MB), on a non-2xx answer, an empty one or a URL that is not http(s), the item
// fails with a message saying so and nothing is uploaded. Without the new parameter (saved workflows)
// the binary field is uploaded as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { binaryItem } from '../../helpers/executeContext';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, control, sandbox, tinyPng } from '../../helpers/sandbox';

const MB = 1024 * 1024;
let sb: Sandbox;
let files: Server;
let base: string;
let credentials: IDataObject;
const { run, ok } = feishuNode('message', () => credentials);
/** Bytes the endless route managed to write before the node hung up. */
let endlessSent = 0;

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
	files = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://files');
		switch (url.pathname) {
			case '/img/dot.png':
				res.writeHead(200, { 'content-type': 'image/png; charset=binary' });
				return res.end(tinyPng());
			case '/download':
				res.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="Quarterly%20report.pdf"' });
				return res.end(Buffer.from('%PDF-1.4 a small report'));
			case '/notes':
				res.writeHead(200, { 'content-type': 'text/plain' });
				return res.end('plain notes');
			case '/missing':
				res.writeHead(404, { 'content-type': 'text/plain' });
				return res.end('not here');
			case '/empty':
				res.writeHead(200, { 'content-type': 'image/png' });
				return res.end();
			case '/declared-too-big': {
				// Says it is over the limit: refused on the headers, the body never read.
				res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(Number(url.searchParams.get('bytes'))) });
				res.write(Buffer.alloc(1024));
				req.socket.on('close', () => res.destroy());
				return;
			}
			case '/endless': {
				// No length, and no end: the download must stop itself at the limit.
				res.writeHead(200, { 'content-type': 'image/png' });
				endlessSent = 0;
				const chunk = Buffer.alloc(256 * 1024, 1);
				const pump = () => {
					while (!res.destroyed && res.write(chunk)) endlessSent += chunk.length;
					if (!res.destroyed) res.once('drain', pump);
				};
				req.socket.on('close', () => res.destroy());
				return pump();
			}
			default:
				res.writeHead(500);
				return res.end();
		}
	});
	await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
after(async () => {
	files.closeAllConnections();
	await new Promise((resolve) => files.close(resolve));
	await sb.close();
});

const uploads = async () => (await apiCalls(sb)).filter((c) => c.path === '/open-apis/im/v1/images' || c.path === '/open-apis/im/v1/files');

test('Upload Image from a URL: downloaded, uploaded, and sendable by its image_key', async () => {
	const [res] = await ok({ operation: 'uploadImage', uploadSource: 'url', fileUrl: `${base}/img/dot.png` });
	assert.match(String(res.image_key), /^img_/);
	assert.deepEqual([res.file_name, res.size], ['dot.png', tinyPng().length]);
	const call = (await uploads()).at(-1)!;
	assert.deepEqual(call.body.multipart.image, { filename: 'dot.png', bytes: tinyPng().length, mime_type: 'image/png' });
	const stored = await fetch(`${sb.baseUrl}/_sandbox/resources/${String(res.image_key)}`);
	assert.deepEqual(Buffer.from(await stored.arrayBuffer()), tinyPng(), 'byte for byte');
	await control(sb, 'POST', 'chats', { app_id: APP.appId, chat_id: 'oc_url_upload', name: 'Uploads' });
	const [sent] = await ok({ operation: 'send', receiveIdType: 'chat_id', chatId: { __rl: true, mode: 'id', value: 'oc_url_upload' }, msgType: 'image', uploadFrom: 'key', imageKey: String(res.image_key) });
	assert.equal(sent.msg_type, 'image');
});

test('Upload File from a URL: the name from Content-Disposition picks the file type; the File Name option still overrides', async () => {
	const [pdf] = await ok({ operation: 'uploadFile', uploadSource: 'url', fileUrl: `${base}/download?token=secret` });
	assert.deepEqual([pdf.file_name, pdf.size], ['Quarterly report.pdf', '%PDF-1.4 a small report'.length]);
	assert.deepEqual([(await uploads()).at(-1)!.body.multipart.file_type, (await uploads()).at(-1)!.body.multipart.file_name], ['pdf', 'Quarterly report.pdf']);
	const [renamed] = await ok({ operation: 'uploadFile', uploadSource: 'url', fileUrl: `${base}/notes`, options: { fileName: 'notes.txt' } });
	assert.equal(renamed.file_name, 'notes.txt');
	assert.deepEqual([(await uploads()).at(-1)!.body.multipart.file_type, (await uploads()).at(-1)!.body.multipart.file_name], ['stream', 'notes.txt']);
});

test('Source URL refusals: non-2xx, empty, over the limit (declared, or streamed without end), unreachable, not http(s); nothing is uploaded', async () => {
	const before = (await uploads()).length;
	const fails = async (parameters: IDataObject, message: RegExp) => {
		const r = await run(parameters);
		assert.ok(r.error instanceof NodeOperationError, `${JSON.stringify(parameters)}: ${String(r.error)}`);
		assert.match(r.error.message, message);
	};
	await fails({ operation: 'uploadImage', uploadSource: 'url', fileUrl: `${base}/missing?key=hidden` }, /^Downloading http:\/\/127\.0\.0\.1:\d+\/missing failed: HTTP 404$/);
	await fails({ operation: 'uploadImage', uploadSource: 'url', fileUrl: `${base}/empty` }, /gave no data/);
	await fails({ operation: 'uploadImage', uploadSource: 'url', fileUrl: `${base}/declared-too-big?bytes=${10 * MB + 1}` }, /larger than Feishu's 10 MB upload limit/);
	await fails({ operation: 'uploadFile', uploadSource: 'url', fileUrl: `${base}/declared-too-big?bytes=${30 * MB + 1}` }, /larger than Feishu's 30 MB upload limit/);
	await fails({ operation: 'uploadImage', uploadSource: 'url', fileUrl: `${base}/endless` }, /larger than Feishu's 10 MB upload limit/);
	assert.ok(endlessSent < 40 * MB, `the download stopped near the limit (the server wrote ${endlessSent} bytes)`);
	await fails({ operation: 'uploadFile', uploadSource: 'url', fileUrl: 'http://127.0.0.1:1/nothing-listens' }, /^Downloading http:\/\/127\.0\.0\.1:1\/nothing-listens failed: /);
	await fails({ operation: 'uploadFile', uploadSource: 'url', fileUrl: 'ftp://example.com/file.bin' }, /Only http and https/);
	await fails({ operation: 'uploadFile', uploadSource: 'url', fileUrl: 'not a url' }, /is not a URL/);
	assert.equal((await uploads()).length, before, 'no upload was attempted');
});

test('Without a Source (saved workflows) the binary field is uploaded, as before', async () => {
	const [res] = await ok({ operation: 'uploadImage' }, [binaryItem(tinyPng(), 'from-binary.png', 'image/png')]);
	assert.deepEqual([res.file_name, res.size], ['from-binary.png', tinyPng().length]);
	const [file] = await ok({ operation: 'uploadFile', uploadSource: 'binary', binaryPropertyName: 'doc' }, [{ json: {}, binary: { doc: { data: Buffer.from('abc').toString('base64'), mimeType: 'text/plain', fileName: 'a.pdf' } } }]);
	assert.equal(file.file_name, 'a.pdf');
});
