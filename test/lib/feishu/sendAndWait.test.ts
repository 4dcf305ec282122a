// The wire half of Send and Wait: the seals on the card's value and on the relayed answer, the card
// JSON 2.0 a request becomes (and its decided form), a submitted form's typed values, and what a person
// sees for each of n8n's replies to a relayed answer; the expiry posted at the time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	CARD_UPDATE_WINDOW_MS,
	callbackAnswerFor,
	decidedWaitCard,
	FeishuValidationError,
	isWaitExpiry,
	openWaitAction,
	openWaitAnswer,
	openWaitExpiry,
	scheduleWaitExpiry,
	sealWaitExpiry,
	pendingWaitCard,
	sealWaitAnswer,
	WaitAnswerRefused,
	waitActionValue,
	waitFormValues,
	type WaitFormField,
} from '../../../lib/feishu';

const SECRET = 'app-secret-1';
const URL = 'http://127.0.0.1:5678/webhook-waiting/7/node-1?approved=true&signature=abc';

test('the action value opens only with the secret that sealed it, and only for the URL it sealed', () => {
	const value = waitActionValue(SECRET, URL);
	assert.equal(openWaitAction(SECRET, value), URL);
	assert.equal(openWaitAction('another-secret', value), undefined);
	assert.equal(openWaitAction(SECRET, { ...value, u: URL.replace('/7/', '/8/') }), undefined);
	assert.equal(openWaitAction(SECRET, { ...value, u: 'file:///etc/passwd', h: waitActionValue(SECRET, 'file:///etc/passwd').h }), undefined, 'only http(s) URLs');
	assert.equal(openWaitAction(SECRET, { n8n_wait: 1 }), undefined);
	assert.equal(openWaitAction(SECRET, { action: 'approve' }), undefined);
});

test('a relayed answer opens with the secret, unchanged and fresh; anything else is refused', () => {
	const answer = { eventId: 'e1', operator: { open_id: 'ou_a' }, action: { tag: 'button', value: { x: 1 } }, context: { open_chat_id: 'oc_1', open_message_id: 'om_1' } };
	const now = 1_800_000_000_000;
	const sealed = sealWaitAnswer(SECRET, answer, now);
	assert.deepEqual(openWaitAnswer(SECRET, sealed, now + 1000), answer);
	assert.throws(() => openWaitAnswer('another-secret', sealed, now), WaitAnswerRefused);
	assert.throws(() => openWaitAnswer(SECRET, { ...sealed, answer: sealed.answer.replace('ou_a', 'ou_b') }, now), WaitAnswerRefused);
	assert.throws(() => openWaitAnswer(SECRET, { ...sealed, ts: now + 1 }, now), WaitAnswerRefused);
	assert.throws(() => openWaitAnswer(SECRET, sealed, now + 6 * 60_000), /too old/);
	assert.throws(() => openWaitAnswer(SECRET, {}, now), /not an answer relayed/);
});

test('the pending card: schema 2.0, the message, the deadline and two sealed buttons; decided: no buttons, who and what', () => {
	const approve = waitActionValue(SECRET, URL);
	const decline = waitActionValue(SECRET, URL.replace('true', 'false'));
	const request = { title: 'Expense', message: 'Approve **42 EUR**?', deadline: 'Answer by 4 Dec 2026, 18:00 (UTC)', response: { type: 'approval' as const, approve: { label: 'Yes', style: 'primary' as const, value: approve }, decline: { label: 'No', style: 'danger' as const, value: decline } } };
	const card = pendingWaitCard(request) as any;
	assert.equal(card.schema, '2.0');
	assert.deepEqual(card.config, { update_multi: true });
	assert.equal(card.header.title.content, 'Expense');
	const [message, deadline, row] = card.body.elements;
	assert.equal(message.content, 'Approve **42 EUR**?');
	assert.match(deadline.content, /Answer by 4 Dec 2026/);
	const buttons = row.columns.map((c: any) => c.elements[0]);
	assert.deepEqual(buttons.map((b: any) => [b.text.content, b.type, b.behaviors[0].value]), [['Yes', 'primary_filled', approve], ['No', 'danger', decline]]);

	const decided = decidedWaitCard(request, { kind: 'declined', by: 'ou_alice', at: '4 Dec 2026, 14:02' }) as any;
	assert.equal(decided.header.template, 'red');
	assert.equal(JSON.stringify(decided).includes('"button"'), false);
	assert.equal(decided.body.elements.at(-1).content, '❌ **Declined** by <at id=ou_alice></at> · 4 Dec 2026, 14:02');

	const answered = decidedWaitCard(request, { kind: 'answered', at: 'now', values: [['Note', '<b>*hi*</b>']] }) as any;
	assert.match(answered.body.elements.at(-1).content, /\*\*Note:\*\* &lt;b&gt;\\\*hi\\\*&lt;\/b&gt;/, 'people\'s answers cannot add markup');

	const expired = decidedWaitCard(request, { kind: 'expired', at: '4 Dec 2026, 18:00' }) as any;
	assert.equal(expired.header.template, 'grey');
	assert.equal(expired.header.title.content, 'Expense');
	assert.equal(JSON.stringify(expired).includes('"button"'), false);
	assert.deepEqual(expired.body.elements.map((e: any) => e.content ?? e.tag), ['Approve **42 EUR**?', 'hr', '⌛ **Expired** · 4 Dec 2026, 18:00']);
});

test('an expiry opens with the secret, for the message it names, fresh; anything else is refused', () => {
	const now = 1_800_000_000_000;
	const sealed = sealWaitExpiry(SECRET, 'om_1', now);
	assert.equal(isWaitExpiry(sealed), true);
	assert.equal(isWaitExpiry(sealWaitAnswer(SECRET, { operator: {}, action: {}, context: {} }, now)), false, 'an answer is no expiry');
	assert.equal(openWaitExpiry(SECRET, sealed, now + 1000), 'om_1');
	assert.throws(() => openWaitExpiry('another-secret', sealed, now), WaitAnswerRefused);
	assert.throws(() => openWaitExpiry(SECRET, { ...sealed, expire: 'om_2' }, now), WaitAnswerRefused, 'the seal covers the message id');
	assert.throws(() => openWaitExpiry(SECRET, sealed, now + 6 * 60_000), /too old/);
	assert.throws(() => openWaitExpiry(SECRET, { expire: '' }, now), /not an expiry/);
	// An answer's proof does not open as an expiry of the same text.
	const answer = sealWaitAnswer(SECRET, { operator: {}, action: {}, context: {} }, now);
	assert.throws(() => openWaitExpiry(SECRET, { expire: answer.answer, ts: now, proof: answer.proof }, now), WaitAnswerRefused);
});

test('the expiry is posted to the resume URL at the limit, sealed; past Feishu\'s 14-day update window nothing is scheduled', async (t) => {
	const posts: { at: number; url: string; body: unknown }[] = [];
	const server = http.createServer((req, res) => {
		let text = '';
		req.on('data', (c: Buffer) => (text += c.toString()));
		req.on('end', () => {
			posts.push({ at: Date.now(), url: String(req.url), body: JSON.parse(text) });
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"expired":true}');
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	t.after(() => server.close());
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const problems: string[] = [];
	const start = Date.now();
	const timer = scheduleWaitExpiry({ at: start + 150, resumeUrl: `${base}/webhook-waiting/7/node-1?until=${start + 150}&signature=s`, appSecret: SECRET, messageId: 'om_9', onProblem: (m) => problems.push(m) });
	assert.ok(timer);
	for (let k = 0; k < 100 && posts.length === 0; k++) await new Promise((r) => setTimeout(r, 20));
	assert.equal(posts.length, 1);
	assert.ok(posts[0].at >= start + 150, 'not before the limit');
	assert.equal(posts[0].url, `/webhook-waiting/7/node-1?until=${start + 150}&signature=s`);
	assert.equal(openWaitExpiry(SECRET, posts[0].body), 'om_9');
	assert.deepEqual(problems, []);

	const far = scheduleWaitExpiry({ at: Date.now() + CARD_UPDATE_WINDOW_MS + 60_000, resumeUrl: `${base}/x`, appSecret: SECRET, messageId: 'om_10' });
	assert.equal(far, undefined);
	const cancelled = scheduleWaitExpiry({ at: Date.now() + 50, resumeUrl: `${base}/y`, appSecret: SECRET, messageId: 'om_11' });
	cancelled!.cancel();
	await new Promise((r) => setTimeout(r, 150));
	assert.equal(posts.length, 1, 'a cancelled expiry posts nothing');
});

test('a form card: one named component per field inside the form, a submit button; the submitted values typed', () => {
	const fields: WaitFormField[] = [
		{ label: 'Amount', type: 'number', required: true },
		{ label: 'Category', type: 'dropdown', options: ['Travel', 'Meals'] },
		{ label: 'Tags', type: 'multiSelect', options: ['a', 'b'] },
		{ label: 'When', type: 'date' },
		{ label: 'Ok', type: 'checkbox' },
		{ label: 'Mail', type: 'email' },
	];
	const submit = { label: 'Send', style: 'primary' as const, value: waitActionValue(SECRET, URL) };
	const card = pendingWaitCard({ message: 'Fill in', response: { type: 'form', submit, fields } }) as any;
	const form = card.body.elements.find((e: any) => e.tag === 'form');
	const names: string[] = [];
	const walk = (list: any[]) => list.forEach((e) => (e.name && e.tag !== 'button' ? names.push(e.name) : undefined, walk(e.elements ?? []), (e.columns ?? []).forEach((c: any) => walk(c.elements))));
	walk(form.elements);
	assert.deepEqual(names, ['field_0', 'field_1', 'field_2', 'field_3', 'field_4', 'field_5']);
	assert.equal(form.elements.at(-1).form_action_type, 'submit');

	assert.deepEqual(waitFormValues(fields, { field_0: ' 42.5 ', field_1: 'Travel', field_2: ['a'], field_3: '2024-04-01 +0800', field_4: true, field_5: 'a@b.co' }), {
		Amount: 42.5,
		Category: 'Travel',
		Tags: ['a'],
		When: '2024-04-01',
		Ok: true,
		Mail: 'a@b.co',
	});
	assert.deepEqual(waitFormValues(fields, { field_0: '1' }), { Amount: 1, Category: null, Tags: [], When: null, Ok: false, Mail: null });
	assert.throws(() => waitFormValues(fields, { field_0: 'x', field_5: 'nope' }), (e: unknown) => e instanceof FeishuValidationError && e.message === 'Form: Amount must be a number; Mail must be an email address');
	assert.throws(() => waitFormValues(fields, {}), /Amount is required/);
});

test('what the person sees for n8n\'s replies to a relayed answer', () => {
	const decided = { toast: { type: 'success' as const, content: 'Approved' }, card: { type: 'raw' as const, data: {} } };
	assert.deepEqual(callbackAnswerFor(200, decided), decided);
	assert.deepEqual(callbackAnswerFor(200, '<html>no action required</html>'), { toast: { type: 'info', content: 'This request is no longer waiting for an answer' } });
	assert.deepEqual(callbackAnswerFor(401, { error: 'Invalid token' }), { toast: { type: 'error', content: 'This button is no longer valid' } });
	assert.deepEqual(callbackAnswerFor(409, ''), { toast: { type: 'info', content: 'This request is already being answered or has ended' } });
	assert.deepEqual(callbackAnswerFor(500, ''), { toast: { type: 'error', content: 'Could not record the answer: n8n answered HTTP 500' } });
});
