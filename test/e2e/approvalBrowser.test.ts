// Send and Wait as a person meets it, in a real browser (Debian's Chromium driven by playwright-core):
// examples/approval.json active in real n8n; a message typed on the sandbox chat page brings the
// approval card; clicking Approve on the page resumes the execution and the card turns into
// "Approved by …", and the requester is told. The screenshot of the card is the README's
// (docs/images/approval-card.png, written when FEISHU_WRITE_SCREENSHOTS=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { selectedVersions } from '../../scripts/n8n/install';
import { APP, importWorkflow, loadExample, openConnections, startRig, waitFor } from './harness';
// @ts-expect-error plain ES module shared with scripts/screenshot.mjs, no type declarations
import { launchChromium } from '../../scripts/chromium.mjs';

const version = selectedVersions()[0];

test(`the approval card on the sandbox page: Approve clicked in the browser resumes the workflow (n8n ${version})`, { timeout: 600_000 }, async () => {
	const rig = await startRig(version);
	let browser: Browser | undefined;
	try {
		const wf = await importWorkflow(rig, loadExample('approval.json'));
		await rig.n8n.activate(wf.id);
		await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1);
		browser = (await launchChromium()) as Browser;
		const page: Page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
		await page.goto(`${rig.sandbox.baseUrl}/`, { waitUntil: 'domcontentloaded' });
		await page.locator(`#app-select option[value="${APP.appId}"]`).waitFor({ state: 'attached', timeout: 30_000 });
		await page.selectOption('#app-select', APP.appId);
		await page.click('#new-chat');
		await page.fill('#new-chat-name', 'Alice');
		await page.click('#new-chat-form button[type="submit"]');
		await page.fill('#text', 'Taxi to the airport, 42 EUR');
		await page.click('#send');

		const approve = page.locator('[data-testid="card-button-n8n_wait_approve"]');
		await approve.waitFor({ timeout: 30_000 });
		await approve.click();
		await page.locator('#messages', { hasText: 'Approved' }).locator('.card', { hasText: 'Approved' }).first().waitFor({ timeout: 15_000 });
		await page.locator('#messages', { hasText: 'Approved: go ahead.' }).first().waitFor({ timeout: 15_000 });
		assert.equal(await page.locator('[data-testid="card-button-n8n_wait_approve"]').count(), 0, 'the decided card has no buttons');
		const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true });
		assert.equal(execution.status, 'success');
		if (process.env.FEISHU_WRITE_SCREENSHOTS === '1') {
			await page.locator('#messages').screenshot({ path: path.join(__dirname, '..', '..', 'docs', 'images', 'approval-card.png') });
		}
		await rig.n8n.deactivate(wf.id);
	} finally {
		await browser?.close();
		await rig.close();
	}
});
