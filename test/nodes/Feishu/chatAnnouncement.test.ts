// Chat > Update Announcement and Chat > Search through the Feishu node against the sandbox. Update
// Announcement's text form reads the announcement (revision, where its body is), then in one PATCH
// replaces or appends to the body and sets the title; its raw form sends old-Docs batch-update requests
// as given, from the current revision or the one named; Feishu's refusals (232001 revision, 232008 a
// one-to-one chat, 232018 a failed edit) reach n8n as NodeApiErrors, and the PATCH is never repeated on
// its own. Search finds the groups by keyword, with Return All / Limit over Feishu's pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Sandbox } from '../../../sandbox/server';
import { feishuNode } from '../../helpers/feishuNode';
import { APP, apiCalls, control, sandbox } from '../../helpers/sandbox';

let sb: Sandbox;
let credentials: IDataObject;
const { run, ok, refused } = feishuNode('chat', () => credentials);
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

before(async () => {
	sb = await sandbox();
	credentials = { appId: APP.appId, appSecret: APP.appSecret, domain: 'custom', baseUrl: sb.baseUrl, encryptKey: '', verificationToken: '' };
});
after(() => sb.close());

const newGroup = async (name: string) => String((await ok({ operation: 'create', name }))[0].chat_id);
const announcement = async (chatId: string) => (await ok({ operation: 'getAnnouncement', chatId: byId(chatId) }))[0];
/** The announcement's title and paragraphs as plain text. */
async function readBack(chatId: string): Promise<{ revision: unknown; title?: string; lines: string[] }> {
	const a = await announcement(chatId);
	const doc = a.content ? JSON.parse(String(a.content)) : {};
	const text = (elements: any[] = []) => elements.map((e) => e.textRun?.text ?? '').join('');
	return { revision: a.revision, title: doc.title ? text(doc.title.elements) : undefined, lines: (doc.body?.blocks ?? []).map((b: any) => text(b.paragraph?.elements)) };
}

test('Update Announcement (text): writes the text into the triggering chat\'s announcement, then replaces it, then appends', async () => {
	const chatId = await newGroup('Noticeboard');
	const [first] = await ok({ operation: 'updateAnnouncement', announcementText: 'Stand-up at 10\nDemo on Friday\n' }, [{ json: { chat_id: chatId } }]);
	assert.deepEqual(first, { chat_id: chatId, base_revision: '0', requests: 1, updated: true });
	const patch = (await apiCalls(sb)).at(-1)!;
	assert.deepEqual([patch.method, patch.path, patch.body.revision], ['PATCH', `/open-apis/im/v1/chats/${chatId}/announcement`, '0']);
	assert.ok(patch.body.requests.every((r: unknown) => typeof r === 'string'), 'each request a JSON string');
	assert.deepEqual(await readBack(chatId), { revision: '1', title: undefined, lines: ['Stand-up at 10', 'Demo on Friday'] });

	await ok({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementText: 'Stand-up at 9:30', announcementTitle: 'Team rules' });
	assert.deepEqual(await readBack(chatId), { revision: '2', title: 'Team rules', lines: ['Stand-up at 9:30'] }, 'the old body is gone, the title set');

	await ok({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementText: 'Lunch at 12\n\nBring snacks', announcementMode: 'append' });
	assert.deepEqual(await readBack(chatId), { revision: '3', title: 'Team rules', lines: ['Stand-up at 9:30', 'Lunch at 12', '', 'Bring snacks'] });

	// Replace with only a new title keeps nothing of the body; nothing at all to change is refused before any PATCH.
	await ok({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementText: '', announcementTitle: 'Empty now' });
	assert.deepEqual(await readBack(chatId), { revision: '4', title: 'Empty now', lines: [] });
	const nothing = await run({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementText: '  ', announcementMode: 'append' });
	assert.ok(nothing.error instanceof NodeOperationError, String(nothing.error));
});

test('Update Announcement (text): a body whose blocks carry no location cannot be replaced, only appended to', async () => {
	const chatId = await newGroup('Hand-written');
	const content = JSON.stringify({ body: { blocks: [{ type: 'paragraph', paragraph: { elements: [{ type: 'textRun', textRun: { text: 'set by a person' } }] } }] } });
	await control(sb, 'PUT', `chats/${chatId}/announcement`, { content });
	const before = (await apiCalls(sb)).filter((c) => c.method === 'PATCH').length;
	const r = await run({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementText: 'new' });
	assert.ok(r.error instanceof NodeOperationError, String(r.error));
	assert.match(r.error.message, /cannot be replaced/);
	assert.equal((await apiCalls(sb)).filter((c) => c.method === 'PATCH').length, before, 'no PATCH sent');
	await ok({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementText: 'added', announcementMode: 'append' });
	assert.deepEqual((await readBack(chatId)).lines, ['set by a person', 'added']);
});

test('Update Announcement (raw): requests as objects or strings, from the current revision or a given one', async () => {
	const chatId = await newGroup('Raw');
	const insert = (text: string) => ({
		requestType: 'InsertBlocksRequestType',
		insertBlocksRequest: { payload: JSON.stringify({ blocks: [{ type: 'paragraph', paragraph: { elements: [{ type: 'textRun', textRun: { text, style: {} } }] } }] }), location: { zoneId: '0', index: 0, endOfZone: true } },
	});
	const [res] = await ok({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementInput: 'raw', announcementRequests: JSON.stringify([insert('one'), JSON.stringify(insert('two'))]) });
	assert.deepEqual(res, { chat_id: chatId, base_revision: '0', requests: 2, updated: true });
	assert.deepEqual((await readBack(chatId)).lines, ['one', 'two']);
	// An older revision (within 100 of the latest) is taken; one the announcement never had is not.
	await ok({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementInput: 'raw', announcementRevision: '0', announcementRequests: [insert('three')] });
	assert.deepEqual(await readBack(chatId), { revision: '2', title: undefined, lines: ['one', 'two', 'three'] });
	await refused({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementInput: 'raw', announcementRevision: '7', announcementRequests: [insert('x')] }, 232001);
	await refused({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementInput: 'raw', announcementRequests: [{ requestType: 'MergeTableCellsRequestType' }] }, 232018);
	for (const announcementRequests of ['{"not":"a list"}', '[', '[]', '[42]']) {
		const r = await run({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementInput: 'raw', announcementRequests });
		assert.ok(r.error instanceof NodeOperationError, `${announcementRequests}: ${String(r.error)}`);
	}
	const bad = await run({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementInput: 'raw', announcementRevision: 'latest', announcementRequests: [insert('x')] });
	assert.ok(bad.error instanceof NodeOperationError, String(bad.error));
	assert.equal((await readBack(chatId)).revision, '2', 'nothing refused changed it');
});

test('Update Announcement: not for one-to-one chats (232008); never repeated after a 5xx', async () => {
	await ok({ resource: 'message', operation: 'send', receiveIdType: 'open_id', userId: byId('ou_announce_dm'), text: 'hi' });
	const p2p = (await control(sb, 'GET', 'chats')).chats.find((c: any) => c.chat_type === 'p2p' && c.user_open_id === 'ou_announce_dm');
	await refused({ operation: 'updateAnnouncement', chatId: byId(p2p.chat_id), announcementInput: 'raw', announcementRevision: '0', announcementRequests: '[{"requestType":"UpdateTitleRequestType"}]' }, 232008);

	const chatId = await newGroup('Flaky');
	await control(sb, 'POST', 'faults', { fail_next_api: { count: 1, code: 55001, http_status: 500 } });
	const before = (await apiCalls(sb)).length;
	const r = await run({ operation: 'updateAnnouncement', chatId: byId(chatId), announcementInput: 'raw', announcementRevision: '0', announcementRequests: [{ requestType: 'UpdateTitleRequestType', updateTitleRequest: { payload: '{"elements":[]}' } }] });
	assert.ok(r.error instanceof NodeApiError, String(r.error));
	assert.equal((await apiCalls(sb)).slice(before).filter((c) => c.method === 'PATCH').length, 1, 'one PATCH, no retry');
});

test('Search: the groups matching a keyword, Limit asks for no more than it needs, Return All follows the pages', async () => {
	const names = Array.from({ length: 105 }, (_, n) => `Release train ${n}`);
	for (const name of names) await control(sb, 'POST', 'chats', { app_id: APP.appId, name });
	await control(sb, 'POST', 'chats', { app_id: APP.appId, name: 'Lunch club' });

	const limited = await ok({ operation: 'search', searchQuery: 'release TRAIN', limit: 3 });
	assert.deepEqual(limited.map((c) => c.name), names.slice(0, 3));
	const call = (await apiCalls(sb)).at(-1)!;
	assert.deepEqual([call.path, call.query.query, call.query.page_size], ['/open-apis/im/v1/chats/search', 'release TRAIN', '3']);

	const before = (await apiCalls(sb)).length;
	const all = await ok({ operation: 'search', searchQuery: 'Release train', returnAll: true });
	assert.deepEqual(all.map((c) => c.name), names, 'all 105, in order, none twice');
	assert.equal((await apiCalls(sb)).slice(before).filter((c) => c.path === '/open-apis/im/v1/chats/search').length, 2, 'two pages of 100');

	assert.deepEqual((await ok({ operation: 'search', searchQuery: 'lunch' })).map((c) => c.name), ['Lunch club']);
	assert.deepEqual(await ok({ operation: 'search', searchQuery: 'nothing like this' }), []);
	const tooLong = await run({ operation: 'search', searchQuery: 'x'.repeat(65) });
	assert.ok(tooLong.error instanceof NodeOperationError, String(tooLong.error));
});
