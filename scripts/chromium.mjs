// Debian's Chromium for the browser checks (README screenshots, the browser end-to-end test), driven
// by playwright-core. Playwright's own browser download cannot work here (only the npm registry and
// Debian packages are reachable), so the system package is installed with apt-get when missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Headless, and none of Chromium's background connections (refused on a closed network).
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

function ensureChromium() {
	if (fs.existsSync(CHROMIUM)) return;
	const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	console.log('Installing Debian chromium (apt-get) ...');
	let r = install();
	if (r.status !== 0) {
		spawnSync('apt-get', ['update'], { stdio: 'inherit' });
		r = install();
	}
	if (r.status !== 0 || !fs.existsSync(CHROMIUM)) throw new Error(`could not install chromium (apt-get exit ${r.status}); set CHROMIUM_PATH to a Chromium binary`);
}

// Without a CJK font the editor and the chat page show "飞书" as boxes in screenshots.
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

function ensureCjkFont() {
	if (fs.existsSync(CJK_FONT) || process.env.FEISHU_SKIP_FONTS === '1') return;
	const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'fonts-wqy-microhei'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	if (r.status !== 0) console.warn('fonts-wqy-microhei could not be installed (apt-get); Chinese text will render as boxes');
}

/** playwright-core's chromium, launched headless from the system binary. */
export async function launchChromium() {
	ensureChromium();
	ensureCjkFont();
	const { chromium } = await import('playwright-core');
	return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Signs into the n8n editor through its login form, like a person. */
export async function signInToN8n(page, editorUrl, login) {
	await page.goto(`${editorUrl.replace(/\/$/, '')}/signin`, { waitUntil: 'domcontentloaded' });
	const email = page.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]').first();
	await email.waitFor({ timeout: 60_000 });
	await email.fill(login.email);
	await page.locator('input[type="password"]').first().fill(login.password);
	await page.locator('button[type="submit"], button:has-text("Sign in")').first().click();
	await page.waitForURL((u) => !u.pathname.includes('signin'), { timeout: 60_000 });
}

/** Opens a node's panel (NDV) by URL, which needs no click on the canvas (overlays can cover it). */
export async function openNode(page, editorUrl, workflowId, nodeId) {
	await page.goto(`${editorUrl.replace(/\/$/, '')}/workflow/${workflowId}/${nodeId}`, { waitUntil: 'domcontentloaded' });
	await page.locator('[data-test-id="ndv"] [data-test-id="node-parameters"]').waitFor({ timeout: 60_000 });
}

/** Picks `option` (its exact label) in the node panel's options parameter `name`. */
export async function pickOption(page, name, option) {
	await page.locator(`[data-test-id="parameter-input-${name}"]`).click();
	// An option shows its name, and below it its description: match the name's own element.
	const options = page.locator('[role="option"]:visible');
	await options.first().waitFor({ timeout: 10_000 });
	const index = await options.evaluateAll((els, wanted) => els.findIndex((el) => {
		const leaf = [...el.querySelectorAll('*')].find((e) => e.children.length === 0 && e.textContent.trim());
		return (leaf ?? el).textContent.trim() === wanted;
	}), option);
	if (index < 0) throw new Error(`no option "${option}" for ${name}: ${(await options.allInnerTexts()).join(' / ')}`);
	await options.nth(index).click();
	await page.waitForTimeout(500);
}

/**
 * The parameters the panel shows on its Parameters tab, in order: name, and whether the label
 * carries n8n's help icon (which it draws for a parameter with a description).
 */
export async function shownParameters(page) {
	return page.$$eval('[data-test-id="node-parameters"] [data-test-id="parameter-item"]', (items) =>
		items
			.filter((item) => item.offsetParent !== null)
			.map((item) => {
				const container = item.querySelector('[data-test-id$="-parameter-input-options-container"]');
				const name = container?.getAttribute('data-test-id')?.replace(/-parameter-input-options-container$/, '');
				return { name, described: Boolean(item.querySelector('[data-icon="circle-help"]')) };
			})
			.filter((p) => p.name),
	);
}
