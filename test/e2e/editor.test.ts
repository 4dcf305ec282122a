// The editor as a user meets it, in a real browser (Debian's Chromium driven by playwright-core)
// against real n8n with the packed package: the chat picker lists the sandbox's chats and a search
// narrows it; switching Message Type leaves no stale fields; every parameter an operation shows has
// its help; the Feishu Trigger says what to do while it listens, and the test event it receives
// shows in the output panel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { callbackOperations } from '../../nodes/Feishu/descriptions/CallbackDescription';
import { chatOperations } from '../../nodes/Feishu/descriptions/ChatDescription';
import { contactOperations } from '../../nodes/Feishu/descriptions/ContactDescription';
import { customBotOperations } from '../../nodes/Feishu/descriptions/CustomBotDescription';
import { messageOperations } from '../../nodes/Feishu/descriptions/MessageDescription';
import { OWNER } from '../../scripts/n8n/boot';
import { selectedVersions } from '../../scripts/n8n/install';
import { APP, control, importWorkflow, type Rig, startRig, waitFor } from './harness';
// @ts-expect-error plain ES module shared with scripts/screenshot.mjs, no type declarations
import { launchChromium, openNode, pickOption, shownParameters, signInToN8n } from '../../scripts/chromium.mjs';

const version = selectedVersions()[0];
const CHATS = ['Release train', 'Support room', 'Sales team', 'Design crit'];

// Named on screen as they are; they explain themselves (n8n's own nodes leave them bare too).
const SELF_EXPLANATORY = new Set(['resource', 'operation', 'options', 'messageFilters']);

describe(`the editor in a browser (n8n ${version})`, { timeout: 900_000 }, () => {
	let rig: Rig;
	let browser: Browser;
	let page: Page;
	let sendWorkflow: string;
	let triggerWorkflow: string;

	before(async () => {
		rig = await startRig(version);
		for (const name of CHATS) await control(rig, 'POST', 'chats', { app_id: APP.appId, name });
		const send = await importWorkflow(rig, {
			name: 'Editor: send',
			nodes: [
				{ parameters: {}, id: 'manual', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				{ parameters: { text: 'hi' }, id: 'feishu', name: 'Feishu', type: 'n8n-nodes-feishu-bot.feishu', typeVersion: 2, position: [240, 0], credentials: { feishuApi: { id: '', name: '' } } },
			],
			connections: { Manual: { main: [[{ node: 'Feishu', type: 'main', index: 0 }]] } },
			settings: {},
		});
		sendWorkflow = send.id;
		const trigger = await importWorkflow(rig, {
			name: 'Editor: trigger',
			nodes: [{ parameters: {}, id: 'trigger', name: 'Feishu Trigger', type: 'n8n-nodes-feishu-bot.feishuTrigger', typeVersion: 1.1, position: [0, 0], webhookId: '6b1d0c3e-9f2a-4c55-8e1b-2d7f3a9c0e11', credentials: { feishuApi: { id: '', name: '' } } }],
			connections: {},
			settings: {},
		});
		triggerWorkflow = trigger.id;
		browser = (await launchChromium()) as Browser;
		page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
		await signInToN8n(page, rig.n8n.baseUrl, OWNER);
	});
	after(async () => {
		await browser?.close();
		await rig?.close();
	});

	test('the chat picker lists the chats the bot is in; typing narrows the list; the pick is saved', async () => {
		await openNode(page, rig.n8n.baseUrl, sendWorkflow, 'feishu');
		const locator = page.locator('[data-test-id="resource-locator-chatId"]');
		const mode = await locator.locator('[data-test-id="rlc-mode-selector"]').evaluate((e) => (e.querySelector("input") as unknown as { value?: string } | null)?.value || e.textContent || '');
		assert.match(mode, /from list/i, 'opens on From List');
		await locator.locator('[data-test-id="rlc-input"]').click();
		await page.locator('[data-test-id="rlc-item"]').first().waitFor({ timeout: 20_000 });
		assert.deepEqual(await page.locator('[data-test-id="rlc-item"]:visible').allInnerTexts(), CHATS, 'the sandbox\'s groups, oldest first');
		await page.keyboard.type('sup');
		await waitFor('the search to narrow the list', async () => (await page.locator('[data-test-id="rlc-item"]:visible').allInnerTexts()).join() === 'Support room', 20_000);
		await page.locator('[data-test-id="rlc-item"]:visible').first().click();
		const picked = await locator.locator('[data-test-id="rlc-input"]').evaluate((e) => (e as unknown as { value?: string }).value ?? e.querySelector('input')?.value);
		assert.equal(picked, 'Support room');

		await page.keyboard.press('Control+s');
		const { chats } = await control<{ chats: { chat_id: string; name: string }[] }>(rig, 'GET', 'chats');
		const support = chats.find((c) => c.name === 'Support room')!;
		await waitFor('the workflow saved with the picked chat', async () => {
			const saved = (await rig.n8n.getWorkflow(sendWorkflow)).nodes.find((n: any) => n.name === 'Feishu');
			return saved?.parameters?.chatId?.value === support.chat_id && saved.parameters.chatId.mode === 'list';
		});
	});

	test('Message Type: Card shows the card fields, back to Text leaves none of them', async () => {
		await openNode(page, rig.n8n.baseUrl, sendWorkflow, 'feishu');
		const names = async () => (await shownParameters(page)).map((p: { name: string }) => p.name);
		await pickOption(page, 'msgType', 'Card');
		const card = await names();
		for (const field of ['cardSource', 'cardTitle', 'cardTemplate', 'cardMarkdown']) assert.ok(card.includes(field), `${field} shown for a card: ${card}`);
		await pickOption(page, 'msgType', 'Text');
		const text = await names();
		assert.deepEqual(text.filter((n: string) => n.startsWith('card')), [], `no card field left after Card → Text: ${text}`);
		assert.ok(text.includes('text'));
		await pickOption(page, 'msgType', 'Rich Text (Post)');
		assert.deepEqual((await names()).filter((n: string) => n.startsWith('card') || n === 'text'), []);
	});

	test('every operation\'s panel: each parameter it shows has its help (a description)', async () => {
		await openNode(page, rig.n8n.baseUrl, sendWorkflow, 'feishu');
		// Every operation the node describes, so a new one is checked without editing this test.
		const names = (list: INodeProperties[]) => (list.find((p) => p.name === 'operation')!.options as INodePropertyOptions[]).map((o) => o.name);
		const operations: Record<string, string[]> = { Message: names(messageOperations), Chat: names(chatOperations), Contact: names(contactOperations), Callback: names(callbackOperations), 'Custom Bot': names(customBotOperations) };
		const undocumented: string[] = [];
		let checked = 0;
		for (const [resource, ops] of Object.entries(operations)) {
			await pickOption(page, 'resource', resource);
			for (const op of ops) {
				await pickOption(page, 'operation', op);
				for (const p of (await shownParameters(page)) as { name: string; described: boolean }[]) {
					checked++;
					if (!p.described && !SELF_EXPLANATORY.has(p.name)) undocumented.push(`${resource} > ${op}: ${p.name}`);
				}
			}
		}
		assert.ok(checked > 40, `looked at ${checked} parameters`);
		assert.deepEqual(undocumented, []);
	});

	test('the trigger says what to do, keeps saying it while it listens, and shows the event it gets', async () => {
		await page.goto(`${rig.n8n.baseUrl}/workflow/${triggerWorkflow}`, { waitUntil: 'domcontentloaded' });
		const canvasNode = page.locator('[data-test-id="canvas-node"]', { hasText: 'Feishu Trigger' });
		await canvasNode.waitFor({ timeout: 60_000 });
		assert.match(await canvasNode.innerText(), /Message Received/, 'the canvas subtitle names the event');
		await openNode(page, rig.n8n.baseUrl, triggerWorkflow, 'trigger');
		const ndv = page.locator('[data-test-id="ndv"]');
		const hint = ndv.getByText('Execute this step, then message the bot in Feishu');
		await hint.waitFor({ timeout: 20_000 });
		for (const p of (await shownParameters(page)) as { name: string; described: boolean }[]) {
			if (!SELF_EXPLANATORY.has(p.name)) assert.ok(p.described, `trigger parameter ${p.name} has help`);
		}
		await ndv.locator('[data-test-id="trigger-execute-button"]').first().click();
		await ndv.getByText('Stop Listening').first().waitFor({ timeout: 20_000 });
		assert.ok(await hint.isVisible(), 'the hint stays while the trigger listens');
		// The long connection is open once the sandbox sees it; then a user speaks.
		await waitFor('the trigger\'s long connection', async () => (await control<{ connections: { open: boolean }[] }>(rig, 'GET', `connections?app_id=${APP.appId}`)).connections.some((c) => c.open), 30_000);
		await control(rig, 'POST', 'chats/oc_editor_test/messages', { text: 'hello from the browser', chat_type: 'p2p' });
		const output = page.locator('[data-test-id="output-panel"]');
		await output.getByText('hello from the browser').first().waitFor({ timeout: 30_000 });
		assert.match(await output.innerText(), /1 item/);
	});

	test('webhook mode: the notice says which URL Feishu must call while testing; n8n listens on it', async () => {
		await openNode(page, rig.n8n.baseUrl, triggerWorkflow, 'trigger');
		await pickOption(page, 'connectionMode', 'Webhook');
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.getByText('To test').first().waitFor({ timeout: 20_000 });
		assert.match(await ndv.innerText(), /Test URL[\s\S]*Production URL/, 'both URLs named, test first');
		await ndv.locator('[data-test-id="trigger-execute-button"]').first().click();
		await ndv.getByText(/Listening for test event/i).first().waitFor({ timeout: 30_000 });
		await ndv.getByText('Stop Listening').first().click();
	});
});
