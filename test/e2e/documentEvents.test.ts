// Document events in real n8n, against the sandbox: an active workflow whose Feishu Trigger watches a
// Base (drive.file.bitable_record_changed_v1) runs once per record change with that record, the
// trigger subscribed the app to the Base on activation, and deactivation ends the subscription.
// Counts come from n8n's own executions (public API); the subscriptions from the sandbox. And the two
// document examples as a user imports them: examples/bitable-digest.json run once by n8n's CLI posts
// the digest of a sandbox Base, examples/sheets-from-chat.json active turns a chat command into a row.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectedVersions } from '../../scripts/n8n/install';
import { nodeOutput } from '../../scripts/n8n/boot';
import { APP, chatMessages, control, eachTestStartsHealthy, importWorkflow, loadExample, openConnections, type Rig, sendUserText, sleep, startRig, textOf, triggerOnly, waitFor, waitForReply } from './harness';

const DAY = 86_400_000;

const RECORD_CHANGED = 'drive.file.bitable_record_changed_v1';

for (const version of selectedVersions()) {
	describe(`n8n ${version}: document events`, { timeout: 900_000 }, () => {
		let rig: Rig;
		eachTestStartsHealthy(() => rig?.n8n);

		before(async () => {
			rig = await startRig(version);
		});
		after(async () => {
			await rig?.close();
		});

		const subscribed = async (token: string) => ((await control(rig, 'GET', `drive/subscriptions?app_id=${APP.appId}`)).subscriptions as { file_token: string }[]).some((s) => s.file_token === token);

		test('the record-changed trigger runs once per change in real n8n, each with its record; deactivation unsubscribes', async () => {
			const base = await control(rig, 'POST', 'bitable/apps', { name: 'E2E Orders', tables: [{ name: 'Orders', fields: [{ field_name: 'Name', type: 1 }, { field_name: 'Qty', type: 2 }] }] });
			const tableId: string = base.tables[0].table_id;
			const wf = triggerOnly('document events (Base)');
			wf.nodes[0].parameters = { connectionMode: 'longConnection', events: [RECORD_CHANGED], documents: `${base.url}?table=${tableId}`, messageFilters: {}, options: {} };
			const imported = await importWorkflow(rig, wf);
			await rig.n8n.activate(imported.id);
			await waitFor('the Base subscribed', () => subscribed(base.app_token));

			const records = `bitable/apps/${base.app_token}/tables/${tableId}/records`;
			const added = await control(rig, 'POST', records, { fields: { Name: 'Tea', Qty: 1 } });
			await waitFor('first run', async () => (await rig.n8n.executions(imported.id)).length >= 1);
			await control(rig, 'PUT', `${records}/${added.record_id}`, { fields: { Qty: 3 } });
			await waitFor('second run', async () => (await rig.n8n.executions(imported.id)).length >= 2);
			const second = await control(rig, 'POST', records, { fields: { Name: 'Coffee' } });

			await rig.n8n.waitForExecutions(imported.id, 3);
			// A little longer: a redelivery or the file edits that come with each change must not add runs.
			await sleep(3000);
			const all = await rig.n8n.waitForExecutions(imported.id, 3, { includeData: true });
			assert.equal(all.length, 3, `ran ${all.length} times for three changes`);
			const outs = all
				.map((e) => {
					assert.equal(e.status, 'success');
					const out = nodeOutput(e, 'Feishu Trigger');
					assert.equal(out.length, 1);
					return out[0];
				})
				.sort((a, b) => Number(a.revision) - Number(b.revision));
			assert.deepEqual(
				outs.map((o) => [o.action, o.record_id, o.table_id, o.file_token]),
				[
					['record_added', added.record_id, tableId, base.app_token],
					['record_edited', added.record_id, tableId, base.app_token],
					['record_added', second.record_id, tableId, base.app_token],
				],
			);

			await rig.n8n.deactivate(imported.id);
			await waitFor('the subscription ended', async () => !(await subscribed(base.app_token)));
			await control(rig, 'POST', records, { fields: { Name: 'After' } });
			await sleep(2000);
			assert.equal((await rig.n8n.executions(imported.id)).length, 3, 'no run once deactivated');
		});

		test('examples/bitable-digest.json: one run posts the digest of the open tasks to the group', async (t) => {
			const example = loadExample('bitable-digest.json');
			const search = example.nodes.find((n: any) => n.parameters.operation === 'searchRecords');
			const send = example.nodes.find((n: any) => n.parameters.operation === 'send');
			// The Base the sticky note describes, at the address the example's URL names.
			const appToken = /base\/(\w+)/.exec(search.parameters.appToken.value)![1];
			const now = Date.now();
			await control(rig, 'POST', 'bitable/apps', {
				app_token: appToken,
				tables: [
					{
						table_id: search.parameters.tableId.value,
						name: 'Tasks',
						fields: [{ field_name: 'Task', type: 1 }, { field_name: 'Status', type: 3 }, { field_name: 'Owner', type: 11 }, { field_name: 'Due', type: 5 }],
						records: [
							{ Task: 'Write the release notes', Status: 'Doing', Due: now - 2 * DAY },
							{ Task: 'Book the room', Status: 'To Do', Due: now + 3 * DAY },
							{ Task: 'Ship 1.0', Status: 'Done', Due: now - DAY },
						],
					},
				],
			});
			const chatId: string = send.parameters.chatId.value;
			await control(rig, 'POST', 'chats', { app_id: APP.appId, chat_id: chatId, name: 'Demo group' });
			const wf = await importWorkflow(rig, example);
			const run = await rig.n8n.cli(['execute', `--id=${wf.id}`]);
			if (run.code !== 0) t.diagnostic(`n8n execute exited ${run.code}; stderr: ${run.stderr.slice(-500)}`);
			const [execution] = await rig.n8n.waitForExecutions(wf.id, 1, { includeData: true, timeoutMs: 15_000 }).catch((err: Error) => {
				throw new Error(`${err.message}\nn8n execute (exit ${run.code}):\n${(run.stdout + run.stderr).slice(-3000)}`);
			});
			assert.equal(execution.status, 'success', JSON.stringify(execution.data?.resultData?.error ?? {}));
			assert.equal(nodeOutput(execution, search.name).length, 2, 'two open tasks found');
			const posted = (await chatMessages(rig, chatId)).filter((m) => m.from === 'bot');
			assert.equal(posted.length, 1);
			assert.match(textOf(posted[0]), /^Open tasks: 2\n- Doing: 1\n- To Do: 1\nOverdue: 1\n- Write the release notes \(due \d{4}-\d\d-\d\d\)/);
		});

		test('examples/sheets-from-chat.json: active, a /log message becomes a row and gets a reply; other messages do nothing', async () => {
			const example = loadExample('sheets-from-chat.json');
			const append = example.nodes.find((n: any) => n.parameters.operation === 'appendRows');
			const token = /sheets\/(\w+)/.exec(append.parameters.spreadsheetToken.value)![1];
			const sheetId: string = append.parameters.sheetId.value;
			await control(rig, 'POST', 'sheets/spreadsheets', { spreadsheet_token: token, title: 'Chat log', sheets: [{ sheet_id: sheetId, title: 'Log', values: [['text', 'chat_id', 'message_id']] }] });
			const wf = await importWorkflow(rig, example);
			await rig.n8n.activate(wf.id);
			await waitFor('the long connection', async () => (await openConnections(rig)).length >= 1, 30_000);
			const chatId = 'oc_e2e_sheets_example';
			const milk = await sendUserText(rig, chatId, '/log bought milk');
			await waitForReply(rig, chatId, milk.message_id);
			await sendUserText(rig, chatId, 'just chatting');
			const rent = await sendUserText(rig, chatId, '/log paid rent');
			const reply = await waitForReply(rig, chatId, rent.message_id);
			await sleep(1500);
			const { values } = await control<{ values: unknown[][] }>(rig, 'GET', `sheets/spreadsheets/${token}/sheets/${sheetId}/values`);
			assert.deepEqual(values, [
				['text', 'chat_id', 'message_id'],
				['/log bought milk', chatId, milk.message_id],
				['/log paid rent', chatId, rent.message_id],
			]);
			assert.equal(textOf(reply), 'logged (row 3)');
			const bot = (await chatMessages(rig, chatId)).filter((m) => m.from === 'bot');
			assert.deepEqual(bot.map((m) => [textOf(m), m.parent_id]), [['logged (row 2)', milk.message_id], ['logged (row 3)', rent.message_id]]);
			assert.equal((await rig.n8n.executions(wf.id)).length, 3, 'one run per message');
			await rig.n8n.deactivate(wf.id);
		});
	});
}
