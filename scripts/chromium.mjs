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

/** playwright-core's chromium, launched headless from the system binary. */
export async function launchChromium() {
	ensureChromium();
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
