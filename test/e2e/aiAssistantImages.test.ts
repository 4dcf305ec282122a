// Download Attachments in real n8n: examples/ai-assistant.json with the trigger's Download Attachments
// on; a person sends the bot a picture (uploaded in the sandbox's "Feishu client", POST /_sandbox/uploads).
// The item gets the picture as binary data where the item is made (the answer webhook of a streamed
// answer, the long connection's emit, webhook mode), and n8n's AI Agent passes it to the model (its
// "Automatically Passthrough Binary Images", on by default): the sandbox's scripted model records each
// image part's media type, size and SHA-256, which must be the picture's. Past Max Attachment Size the
// picture is left out with a note in the item, and the run still happens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { selectedVersions } from '../../scripts/n8n/install';
import { APP, chatMessages, control, createSandboxModelCredential, eachTestStartsHealthy, loadExample, newChatId, openConnections, type Rig, startRig, waitFor } from './harness';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A valid w×h PNG of one colour (truecolour, 8 bits): distinct pictures, distinct hashes. */
function solidPng(w: number, h: number, rgb: [number, number, number]): Buffer {
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
		const out = Buffer.alloc(body.length + 8);
		out.writeUInt32BE(data.length, 0);
		body.copy(out, 4);
		out.writeUInt32BE(crc32(body), body.length + 4);
		return out;
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
	const raw = Buffer.concat(Array.from({ length: h }, () => row));
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

interface RecordedImage {
	type: 'image';
	mediaType: string | null;
	bytes: number | null;
	sha256: string | null;
}

/** Every image part the scripted model was sent, in order. */
async function modelImages(rig: Rig): Promise<RecordedImage[]> {
	const { requests } = await control<{ requests: any[] }>(rig, 'GET', 'model/requests');
	return requests.flatMap((r) => (r.messages ?? []).flatMap((m: any) => (Array.isArray(m.content) ? m.content.filter((p: any) => p?.type === 'image') : [])));
}

/** The item the trigger gave the run (read back from n8n's execution). */
function triggerItem(execution: any): { json: any; binary?: Record<string, any> } {
	const runData = execution.data?.resultData?.runData ?? {};
	return runData['Feishu Trigger'][0].data.main[0][0];
}

/** A person's picture in the Feishu client: its image_key for a message. */
async function userUploads(rig: Rig, data: Buffer, fileName: string): Promise<string> {
	const { image_key } = await control<{ image_key: string }>(rig, 'POST', 'uploads', { kind: 'image', data_base64: data.toString('base64'), file_name: fileName, content_type: 'image/png' });
	return image_key;
}

async function userSends(rig: Rig, chatId: string, messageType: string, content: unknown): Promise<{ message_id: string }> {
	return control(rig, 'POST', `chats/${chatId}/messages`, { message_type: messageType, content });
}

/** The bot's reply to a message (a card), once Send Answer has sent or closed it. */
async function botReply(rig: Rig, chatId: string, parentId: string): Promise<any> {
	return waitFor('the bot\'s answer', async () => (await chatMessages(rig, chatId)).find((m) => m.from === 'bot' && m.parent_id === parentId), 60_000);
}

for (const version of selectedVersions()) {
	describe(`n8n ${version}: Download Attachments hands a person's picture to the AI Agent's model`, { timeout: 900_000 }, () => {
		let rig: Rig;
		let openAiApi: { id: string; name: string };
		let active: string | undefined;
		eachTestStartsHealthy(() => rig?.n8n);

		/** examples/ai-assistant.json with Download Attachments on (fresh ids), active alone. */
		const deploy = async (name: string, change: (trigger: any) => void = () => undefined): Promise<{ id: string; webhookId: string }> => {
			if (active) await rig.n8n.deactivate(active);
			const wf = loadExample('ai-assistant.json');
			for (const node of wf.nodes) node.id = randomUUID();
			const trigger = wf.nodes.find((n: any) => n.name === 'Feishu Trigger');
			trigger.webhookId = randomUUID();
			trigger.parameters.options.downloadAttachments = true;
			// A picture alone has no text: the agent's prompt then asks about it.
			wf.nodes.find((n: any) => n.name === 'AI Agent').parameters.text = '={{ $json.text || "What is in this picture?" }}';
			change(trigger);
			const created = await rig.n8n.createWorkflow(wf, { name, credentials: { feishuApi: rig.credential, openAiApi } });
			await rig.n8n.activate(created.id);
			active = created.id;
			await control(rig, 'POST', 'model/reset', {});
			return { id: created.id, webhookId: trigger.webhookId };
		};

		before(async () => {
			rig = await startRig(version);
			openAiApi = await createSandboxModelCredential(rig.n8n, rig.sandbox.baseUrl);
		});
		after(async () => {
			await rig?.close();
		});

		test('streamed answer (long connection): the image message\'s picture reaches the model, SHA-256 for SHA-256', async () => {
			const wf = await deploy('ai assistant with pictures (streamed)');
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
			const picture = solidPng(16, 12, [200, 30, 60]);
			const chatId = newChatId();
			const sent = await userSends(rig, chatId, 'image', { image_key: await userUploads(rig, picture, 'red.png') });
			const images = await waitFor('an image part in a model request', async () => ((await modelImages(rig)).length ? modelImages(rig) : undefined), 60_000);
			assert.deepEqual(images, [{ type: 'image', mediaType: 'image/png', bytes: picture.length, sha256: sha256(picture) }]);
			// The answer card: the scripted model says what it saw.
			await botReply(rig, chatId, sent.message_id);
			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true, timeoutMs: 60_000 });
			assert.equal(execution.status, 'success');
			// The streamed run is the answer webhook's execution: the binary was made there.
			assert.equal(execution.mode, 'webhook', 'the answer webhook\'s execution ran');
			const item = triggerItem(execution);
			assert.equal(item.binary?.attachment_0?.mimeType, 'image/png');
			assert.equal(item.binary?.attachment_0?.fileName, 'red.png');
			assert.equal(item.json.attachments[0].binary, 'attachment_0');
			assert.equal(item.json.attachments[0].size, picture.length);
		});

		test('no streaming card (the long connection\'s emit): a post\'s text and both its pictures, in order; a refused download is noted and the run still starts', async () => {
			const wf = await deploy('ai assistant with pictures (plain)', (trigger) => (trigger.parameters.options.answerCard = false));
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
			const [a, b] = [solidPng(8, 8, [0, 120, 255]), solidPng(10, 6, [20, 200, 20])];
			const [keyA, keyB] = [await userUploads(rig, a, 'blue.png'), await userUploads(rig, b, 'green.png')];
			const chatId = newChatId();
			const sent = await userSends(rig, chatId, 'post', { title: 'Compare', content: [[{ tag: 'text', text: 'Which colour is brighter?' }], [{ tag: 'img', image_key: keyA }, { tag: 'img', image_key: keyB }]] });
			const images = await waitFor('two image parts', async () => ((await modelImages(rig)).length >= 2 ? modelImages(rig) : undefined), 60_000);
			assert.deepEqual(images.map((i) => i.sha256), [sha256(a), sha256(b)]);
			const { requests } = await control<{ requests: any[] }>(rig, 'GET', 'model/requests');
			assert.match(JSON.stringify(requests[0].messages), /Which colour is brighter\?/);
			await botReply(rig, chatId, sent.message_id);
			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true, timeoutMs: 60_000 });
			assert.equal(execution.status, 'success');
			assert.equal(execution.mode, 'trigger', 'the long connection\'s emit ran it');
			assert.deepEqual(Object.keys(triggerItem(execution).binary ?? {}), ['attachment_0', 'attachment_1']);

			// Feishu refuses the download (the app lacks the scope): a note with the fix, and the run still starts.
			await control(rig, 'PUT', `apps/${APP.appId}/scopes`, { missing: ['im:message', 'im:message:readonly', 'im:message.history:readonly'] });
			try {
				const refused = await userSends(rig, chatId, 'image', { image_key: await userUploads(rig, solidPng(4, 4, [9, 9, 9]), 'grey.png') });
				await botReply(rig, chatId, refused.message_id);
				const executions = await rig.n8n.waitForExecutions(wf.id, 2, { includeData: true, timeoutMs: 60_000 });
				const run = executions.find((e: any) => triggerItem(e).json.message_id === refused.message_id);
				assert.ok(run, 'the run for the refused download');
				assert.equal(run.status, 'success');
				const { json, binary } = triggerItem(run);
				assert.equal(binary, undefined);
				assert.equal(json.attachments[0].code, 99991672);
				assert.match(json.attachments[0].skipped, /im:message, im:message:readonly or im:message\.history:readonly/);
				assert.equal((await modelImages(rig)).length, 2, 'no third image went to the model');
			} finally {
				await control(rig, 'PUT', `apps/${APP.appId}/scopes`, {});
			}
		});

		test('webhook connection mode: the picture reaches the model; one past Max Attachment Size is left out with a note and the run still happens', async () => {
			const wf = await deploy('ai assistant with pictures (webhook)', (trigger) => {
				trigger.parameters.connectionMode = 'webhook';
				trigger.parameters.options.answerCard = false;
				trigger.parameters.options.maxAttachmentSizeMb = 0.1;
			});
			const delivery = await control<{ challenge_passed: boolean }>(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'webhook', url: rig.n8n.webhookUrl(`${wf.webhookId}/webhook`) });
			assert.equal(delivery.challenge_passed, true);
			try {
				const picture = solidPng(6, 6, [250, 250, 0]);
				const chatId = newChatId();
				const first = await userSends(rig, chatId, 'image', { image_key: await userUploads(rig, picture, 'yellow.png') });
				const images = await waitFor('an image part in a model request', async () => ((await modelImages(rig)).length ? modelImages(rig) : undefined), 60_000);
				assert.deepEqual(images.map((i) => i.sha256), [sha256(picture)]);
				await botReply(rig, chatId, first.message_id);

				// ~200 KB, over the 0.1 MB cap: a PNG's signature, then noise (the model never sees it).
				const big = Buffer.concat([solidPng(1, 1, [0, 0, 0]), randomBytes(200_000)]);
				const second = await userSends(rig, chatId, 'post', { title: '', content: [[{ tag: 'text', text: 'And this one?' }], [{ tag: 'img', image_key: await userUploads(rig, big, 'big.png') }]] });
				await botReply(rig, chatId, second.message_id);
				const executions = await rig.n8n.waitForExecutions(wf.id, 2, { includeData: true, timeoutMs: 60_000 });
				const latest = executions.find((e: any) => triggerItem(e).json.message_id === second.message_id);
				assert.ok(latest, 'the run for the oversized picture');
				assert.equal(latest.status, 'success');
				const item = triggerItem(latest);
				assert.equal(item.binary, undefined);
				assert.equal(item.json.attachments[0].skipped, 'larger than 0.1 MB (Max Attachment Size)');
				assert.equal((await modelImages(rig)).length, 1, 'no second image went to the model');
			} finally {
				await control(rig, 'PUT', `apps/${APP.appId}/delivery`, { mode: 'long_connection' });
			}
		});
	});
}
