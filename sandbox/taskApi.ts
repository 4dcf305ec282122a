// Tasks (task/v2/tasks), the worked example of a schema-driven family: create, get, patch, delete and
// list come from sandbox/schemas/task_v2.json; the hooks below add what Feishu's Task v2 overview says (docs/protocol.md, "Endpoint schemas and Tasks (v2)")
// and the schema cannot: the record's server-side fields, `status` from `completed_at`, the documented
// 1470400 messages, 1470404 for a task that does not exist, pages of 1..100 (default 50).
import { randomUUID } from 'node:crypto';
import type { Router } from './http';
import { ApiError, type ApiContext, type OpenApi } from './openApi';
import { partialUpdate, registerResource, type RegisteredFamily, type ResourceFamily, type ResourceRecord, type ResourceStore } from './resourceStore';
import { loadSchemas } from './schemaValidator';

const MEMBER_ROLES = ['assignee', 'follower'];

// Task v2 answers parameter errors it checks itself with one code, 1470400, and a message naming the
// field ("Invalid Param 'due.timestamp', param is required.", from the overview's error table).
const invalidParam = (field: string, why: string) => new ApiError(400, 1470400, `Invalid Param '${field}', ${why}`);

/** What Feishu derives: done once `completed_at` is a timestamp other than "0". */
function withStatus(task: ResourceRecord, now: number): ResourceRecord {
	const completedAt = String(task.completed_at ?? '0') || '0';
	return { description: '', extra: '', repeat_rule: '', mode: 2, is_milestone: false, members: [], ...task, completed_at: completedAt, status: completedAt === '0' ? 'todo' : 'done', updated_at: String(now) };
}

function checkTask(task: ResourceRecord, prefix = ''): void {
	const due = task.due as ResourceRecord | undefined;
	if (due && (due.timestamp === undefined || due.timestamp === '')) throw invalidParam(`${prefix}due.timestamp`, 'param is required.');
	const members = (task.members ?? []) as ResourceRecord[];
	if (members.some((m) => !MEMBER_ROLES.includes(String(m.role)))) throw invalidParam(`${prefix}members`, "role is invalid. Only 'assignee', 'follower' are supported.");
}

let taskNumber = 1_000_000;

export const TASK_FAMILY: Omit<ResourceFamily, 'schemas'> = {
	family: 'task.v2.task',
	resource: 'task',
	idField: 'guid',
	// Task GUIDs are UUIDs (e.g. df8a7aff-18c1-4b9c-9959-0dda10c49309); the short `task_id` is "t" + digits.
	newId: randomUUID,
	// Task v2 overview, "API Error Specification": 404 / 1470404 when the resource does not exist or was deleted.
	notFound: { httpStatus: 404, code: 1470404, msg: 'The resource requested does not exist or has been deleted.' },
	// Task v2 overview, "Pagination API Convention": page_size 1..100, default 50.
	page: { defaultSize: 50, maxSize: 100 },
	hooks: {
		validate: ({ op, body }) => {
			if (op === 'create') checkTask(body);
			if (op === 'update' && body.task) checkTask(body.task as ResourceRecord);
		},
		create: (body, { ctx, id }) => {
			const now = Date.now();
			// client_token is the request's idempotency key, not part of the task.
			delete body.client_token;
			return withStatus(
				{
					...body,
					guid: id,
					task_id: `t${++taskNumber}`,
					creator: { id: ctx.app.appId, type: 'app', role: 'creator' },
					created_at: String(now),
					url: `https://applink.feishu.cn/client/todo/detail?guid=${id}&suite_entity_num=t${taskNumber}`,
				},
				now,
			);
		},
		update: (record, body) => {
			const fields = (body.update_fields ?? []) as string[];
			if (fields.includes('summary') && !(body.task as ResourceRecord | undefined)?.summary) throw invalidParam('summary', 'param is required.');
			return withStatus(partialUpdate(record, body, 'task'), Date.now());
		},
		// The list's `completed` filter (true: done only, false: open only, absent: all).
		list: (tasks: ResourceRecord[], ctx: ApiContext) => {
			const completed = ctx.query.get('completed');
			if (completed !== 'true' && completed !== 'false') return tasks;
			return tasks.filter((t) => (t.status === 'done') === (completed === 'true'));
		},
	},
};

export function registerTaskApi(router: Router, api: OpenApi, store: ResourceStore): RegisteredFamily {
	return registerResource(router, api, store, { ...TASK_FAMILY, schemas: loadSchemas('task_v2') });
}
