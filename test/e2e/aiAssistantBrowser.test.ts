// An AI assistant as a person meets it, in a real browser (Debian's Chromium driven by playwright-core):
// examples/ai-assistant.json active in real n8n (Feishu Trigger with "Answer in a Streaming Card" → AI
// Agent v3 on the sandbox's scripted model → Send Answer); a question typed on the sandbox chat page
// gets a card that fills in while the model writes (several partial texts under the page's typing
// indicator), then holds the whole answer with the indicator gone. The screenshot of the answered card
// is the README's (docs/images/ai-assistant.png, written when FEISHU_WRITE_SCREENSHOTS=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { selectedVersions } from '../../scripts/n8n/install';
import { wordTokens } from '../../sandbox/modelScript';
import { APP, control, createSandboxModelCredential, loadExample, openConnections, startRig, waitFor } from './harness';
// @ts-expect-error plain ES module shared with scripts/screenshot.mjs, no type declarations
import { launchChromium } from '../../scripts/chromium.mjs';

const version = selectedVersions()[0];

const QUESTION = 'How do I brew a good cup of green tea?';
const ANSWER = [
	'Here is how to brew a **good cup of green tea**:',
	'',
	'1. Heat the water to about **80 °C**, not boiling: hotter water makes it bitter.',
	'2. Use about 2 g of leaves for 150 ml of water.',
	'3. Steep for `2 minutes`, then pour out all of it.',
	'',
	'| Tea | Water | Steep |',
	'|---|---|---|',
	'| Green | 80 °C | 2 min |',
	'| Black | 95 °C | 4 min |',
	'',
	'Enjoy your tea!',
].join('\n');

interface Snapshot {
	at: number;
	text: string;
	typing: boolean;
}

test(`an AI Agent's answer streams into the card on the sandbox page (n8n ${version})`, { timeout: 600_000 }, async (t) => {
	const rig = await startRig(version);
	let browser: Browser | undefined;
	try {
		const openAiApi = await createSandboxModelCredential(rig.n8n, rig.sandbox.baseUrl);
		const wf = await rig.n8n.createWorkflow(loadExample('ai-assistant.json'), { credentials: { feishuApi: rig.credential, openAiApi } });
		await rig.n8n.activate(wf.id);
		await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
		// 80 ms a word: about 4 s of streaming, so the page (polled four times a second while a card streams) shows it.
		const tokens = wordTokens(ANSWER);
		await control(rig, 'PUT', 'model/script', { replies: [{ tokens, delayMs: 80, firstTokenDelayMs: 400 }] });

		browser = (await launchChromium()) as Browser;
		const page: Page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
		await page.goto(`${rig.sandbox.baseUrl}/`, { waitUntil: 'domcontentloaded' });
		await page.locator(`#app-select option[value="${APP.appId}"]`).waitFor({ state: 'attached', timeout: 30_000 });
		await page.selectOption('#app-select', APP.appId);
		await page.click('#new-chat');
		await page.fill('#new-chat-name', 'Alice');
		await page.click('#new-chat-form button[type="submit"]');

		// Every render of the chat: the bot card's answer text (its first markdown element) and whether the typing indicator shows.
		await page.evaluate(`(() => {
			window.__answers = [];
			const box = document.querySelector('#messages');
			const look = () => {
				const card = box.querySelector('.msg.bot .card');
				if (!card) return;
				const md = card.querySelector('.card-body > .md');
				window.__answers.push({ at: Date.now(), text: (md ? md.innerText : '').trim(), typing: !!card.querySelector('[data-testid="card-typing"]') });
			};
			new MutationObserver(look).observe(box, { childList: true, subtree: true, characterData: true });
		})()`);
		await page.fill('#text', QUESTION);
		await page.click('#send');

		const botCard = page.locator('.msg.bot .card').first();
		await botCard.waitFor({ timeout: 30_000 });
		await page.locator('.msg.bot .card', { hasText: 'Enjoy your tea!' }).first().waitFor({ timeout: 60_000 });
		await page.locator('.msg.bot [data-testid="card-typing"]').waitFor({ state: 'detached', timeout: 30_000 });

		const seen = (await page.evaluate('window.__answers')) as Snapshot[];
		const final = (await botCard.locator('.card-body > .md').first().innerText()).trim();
		assert.match(final, /^Here is how to brew a good cup of green tea:/);
		assert.match(final, /Heat the water to about 80 °C, not boiling/);
		assert.match(final, /Enjoy your tea!$/);
		assert.equal(await botCard.locator('table.md-table tbody tr').count(), 2, 'the table rendered, both rows');
		const partials = [...new Set(seen.filter((s) => s.typing && s.text && s.text !== final && s.text.startsWith('Here')).map((s) => s.text))];
		assert.ok(partials.length >= 2, `at least two partial answers under the typing indicator, saw: ${JSON.stringify(seen.map((s) => [s.typing, s.text.slice(0, 40)]))}`);
		t.diagnostic(`${seen.length} renders of the card, ${partials.length} different partial answers under the typing indicator`);
		for (const p of partials) assert.ok(p.length < final.length, `a partial answer is shorter than the final one: ${p}`);
		const firstPartial = seen.findIndex((s) => s.text === partials[0]);
		const firstFinal = seen.findIndex((s) => s.text === final);
		assert.ok(firstPartial >= 0 && firstFinal > firstPartial, 'the partial texts came before the final one');
		assert.equal(seen.at(-1)?.typing, false, 'no typing indicator once the answer is complete');

		// Underneath: the CardKit entity streamed, then closed with exactly the model's text.
		const { cards } = await control<{ cards: any[] }>(rig, 'GET', `cardkit/cards?app_id=${APP.appId}`);
		assert.equal(cards.length, 1);
		const entity = await control(rig, 'GET', `cardkit/cards/${cards[0].card_id}`);
		assert.equal(entity.streaming_mode, false);
		assert.ok(entity.history.filter((h: any) => h.op === 'content' && h.code === 0).length >= 2, 'several streamed updates');
		const [execution] = await rig.n8n.waitForExecutions(wf.id, 1);
		assert.equal(execution.status, 'success');
		if (process.env.FEISHU_WRITE_SCREENSHOTS === '1') {
			await page.locator('#messages').screenshot({ path: path.join(__dirname, '..', '..', 'docs', 'images', 'ai-assistant.png') });
		}
		await rig.n8n.deactivate(wf.id);
	} finally {
		await browser?.close();
		await rig.close();
	}
});
