// Document events in real n8n, against the sandbox: an active workflow whose Feishu Trigger watches a
// Base (drive.file.bitable_record_changed_v1) runs once per record change with that record, the
// trigger subscribed the app to the Base on activation, and deactivation ends the subscription.
// Counts come from n8n's own executions (public API); the subscriptions from the sandbox.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectedVersions } from '../../scripts/n8n/install';
import { nodeOutput } from '../../scripts/n8n/boot';
import { APP, control, eachTestStartsHealthy, importWorkflow, type Rig, sleep, startRig, triggerOnly, waitFor } from './harness';

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
	});
}
