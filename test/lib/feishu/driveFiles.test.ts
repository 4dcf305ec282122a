// The wire layer's Drive folder listing against the sandbox: one page of a folder (next_page_token
// only with has_more), the page size checked before sending, and findDriveDocuments reading pages
// until it finds documents of the type and name, with a token for the rest, and stopping after
// DRIVE_SEARCH_PAGES pages that find nothing.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { DRIVE_SEARCH_PAGES, FeishuApiClient, FeishuApiError, FeishuValidationError, findDriveDocuments, listDriveFilesPage } from '../../../lib/feishu';
import type { Sandbox } from '../../../sandbox/server';
import { APP, apiCalls, control, credsFor, sandbox } from '../../helpers/sandbox';

let sb: Sandbox;
let client: FeishuApiClient;
let box: string;
before(async () => {
	sb = await sandbox();
	client = new FeishuApiClient(credsFor(sb));
});
after(() => sb.close());
beforeEach(async () => {
	await control(sb, 'POST', 'reset');
	box = (await control<{ token: string }>(sb, 'POST', 'drive/folders', { name: 'Box', owner_id: APP.botOpenId })).token;
});

const base = (name: string) => control<{ app_token: string }>(sb, 'POST', 'bitable/apps', { name, owner_id: APP.botOpenId, folder_token: box });
const sheet = (title: string) => control<{ spreadsheet_token: string }>(sb, 'POST', 'sheets/spreadsheets', { title, owner_id: APP.botOpenId, folder_token: box });

test('a page of a folder: newest first, next_page_token only with has_more; the page size checked before sending', async () => {
	const made = [];
	for (const name of ['First', 'Second', 'Third']) made.push((await base(name)).app_token);
	const first = await listDriveFilesPage(client, { folderToken: box, pageSize: 2 });
	assert.deepEqual(first.files.map((f) => f.name), ['Third', 'Second']);
	assert.equal(first.has_more, true);
	assert.ok(first.next_page_token);
	const second = await listDriveFilesPage(client, { folderToken: box, pageSize: 2, pageToken: first.next_page_token, orderBy: 'CreatedTime', direction: 'DESC' });
	assert.deepEqual(second, { files: [second.files[0]], has_more: false });
	assert.equal(second.files[0].token, made[0]);
	assert.deepEqual(Object.keys(second.files[0]).sort(), ['created_time', 'modified_time', 'name', 'owner_id', 'parent_token', 'token', 'type', 'url']);

	const before = (await apiCalls(sb)).length;
	for (const pageSize of [0, 201, 1.5]) await assert.rejects(listDriveFilesPage(client, { pageSize }), FeishuValidationError);
	assert.equal((await apiCalls(sb)).length, before, 'nothing sent');
	await assert.rejects(listDriveFilesPage(client, { folderToken: 'fldcnNoSuchFolder000000000' }), (e: unknown) => e instanceof FeishuApiError && e.code === 1061003);
});

test('findDriveDocuments: pages until documents of the type and name turn up, a token for the rest, at most DRIVE_SEARCH_PAGES pages', async () => {
	// Oldest first, so newest-first pages of 2 are [s2, s1], [s0, b3], [b2, b1], [b0].
	const bases: string[] = [];
	for (let i = 0; i < 4; i++) bases.push((await base(`Base ${i}`)).app_token);
	for (let i = 0; i < 3; i++) await sheet(`Sheet ${i}`);

	const calls = async () => (await apiCalls(sb)).filter((c) => c.path === '/open-apis/drive/v1/files').length;
	const one = await findDriveDocuments(client, { type: 'bitable', name: ' BASE 0 ', folderToken: box, pageSize: 2 });
	assert.deepEqual(one, { files: [one.files[0]], nextPageToken: undefined });
	assert.equal(one.files[0].token, bases[0]);
	assert.equal(await calls(), 4, 'read on until the last page');

	const found: string[] = [];
	let token: string | undefined;
	let searches = 0;
	do {
		const page = await findDriveDocuments(client, { type: 'bitable', folderToken: box, pageToken: token, pageSize: 2 });
		assert.ok(page.files.length > 0 && page.files.every((f) => f.type === 'bitable'));
		found.push(...page.files.map((f) => f.token));
		token = page.nextPageToken;
		searches++;
	} while (token);
	assert.deepEqual(found, [...bases].reverse());
	assert.equal(searches, 3, 'pages 1-2 (sheets, then s0 and b3), page 3, page 4');

	for (let i = 0; i < 10; i++) await sheet(`More ${i}`);
	const sent = await calls();
	const none = await findDriveDocuments(client, { type: 'bitable', name: 'nothing like it', folderToken: box, pageSize: 2 });
	assert.deepEqual(none.files, []);
	assert.ok(none.nextPageToken, 'a token for the rest');
	assert.equal((await calls()) - sent, DRIVE_SEARCH_PAGES, 'stopped after DRIVE_SEARCH_PAGES pages');
});
