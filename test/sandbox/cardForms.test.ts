// JSON 2.0 form containers: checked when the card is sent (Feishu's 230001), and submitted through the
// control API as Feishu's client would: the official SDK's WSClient gets card.action.trigger with
// action.form_value typed as the docs show, and a click the client could not make is refused (400)
// before anything reaches the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { APP, control, quietLogger, waitFor } from '../helpers/sandboxTests';

const text = (content: string) => ({ tag: 'plain_text', content });
const option = (value: string, label: string) => ({ text: text(label), value });

function formCard(): any {
	return {
		schema: '2.0',
		header: { title: text('Leave request'), template: 'blue' },
		body: {
			elements: [
				{ tag: 'markdown', content: 'Please fill in' },
				{
					tag: 'form',
					name: 'leave',
					elements: [
						{ tag: 'input', name: 'reason', required: true, label: text('Reason'), placeholder: text('Why?'), max_length: 20 },
						{ tag: 'input', name: 'notes', input_type: 'multiline_text', rows: 3 },
						{ tag: 'select_static', name: 'kind', required: true, placeholder: text('Kind'), options: [option('annual', 'Annual'), option('sick', 'Sick')] },
						{ tag: 'multi_select_static', name: 'cc', options: [option('a', 'Ann'), option('b', 'Bob'), option('c', 'Cy')] },
						{ tag: 'date_picker', name: 'start', required: true, placeholder: text('From') },
						{ tag: 'checker', name: 'urgent', text: text('Urgent') },
						{ tag: 'person_list', persons: [{ id: 'ou_x' }] }, // an unchecked tag passes
						{
							tag: 'column_set',
							columns: [
								{ tag: 'column', elements: [{ tag: 'button', name: 'send', text: text('Submit'), type: 'primary_filled', form_action_type: 'submit', behaviors: [{ type: 'callback', value: { step: 'leave' } }] }] },
								{ tag: 'column', elements: [{ tag: 'button', name: 'clear', text: text('Reset'), form_action_type: 'reset' }] },
							],
						},
					],
				},
				{ tag: 'button', name: 'later', text: text('Later'), disabled: true, behaviors: [{ type: 'callback', value: { later: true } }] },
				{ tag: 'button', name: 'cancel', text: text('Cancel'), behaviors: [{ type: 'callback', value: { cancel: true } }] },
			],
		},
	};
}

const GOOD = { reason: 'Family trip', kind: 'annual', cc: ['a', 'c'], start: '2024-04-01 +0800', urgent: true };

let sb: Sandbox;
let ws: lark.WSClient;
const clicks: any[] = [];

before(async () => {
	sb = await startSandbox({ port: 0, quiet: true });
	const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error, logger: quietLogger }).register({
		'card.action.trigger': (d: any) => {
			clicks.push(d);
			if (d.action.name !== 'send') return { toast: { type: 'info', content: 'ok' } };
			// The answer replaces the form with a card that has no buttons left.
			return { toast: { type: 'success', content: `Filed: ${d.action.form_value.reason}` }, card: { type: 'raw', data: { schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'Filed' }] } } } };
		},
	} as any);
	let ready!: () => void;
	const readyP = new Promise<void>((r) => (ready = r));
	ws = new lark.WSClient({ appId: APP.appId, appSecret: APP.appSecret, domain: sb.baseUrl, loggerLevel: lark.LoggerLevel.error, logger: quietLogger, onReady: () => ready() });
	await ws.start({ eventDispatcher: dispatcher });
	await readyP;
});

after(async () => {
	ws.close({ force: true });
	await sb.close();
});

function sdkClient(): lark.Client {
	return new lark.Client({ appId: APP.appId, appSecret: APP.appSecret, domain: sb.baseUrl, loggerLevel: lark.LoggerLevel.error, logger: quietLogger });
}

async function sendCard(chatId: string, card: unknown): Promise<string> {
	const sent = await sdkClient().im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chatId, msg_type: 'interactive', content: JSON.stringify(card) } });
	return sent.data!.message_id!;
}

async function cardCallbacks(): Promise<number> {
	const { deliveries } = await control(sb.baseUrl, 'GET', 'deliveries');
	return deliveries.filter((d: any) => d.event_type === 'card.action.trigger').length;
}

function click(messageId: string, body: unknown): Promise<any> {
	return control(sb.baseUrl, 'POST', `cards/${messageId}/click`, body);
}

/** A click the sandbox must refuse: its HTTP status and error text. */
async function refused(messageId: string, body: unknown): Promise<{ status: number; error: string }> {
	const res = await fetch(`${sb.baseUrl}/_sandbox/cards/${messageId}/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	return { status: res.status, error: ((await res.json()) as any).error };
}

test('a card with a valid form is accepted; an invalid form is refused at send time with 230001 naming the problem', async () => {
	await control(sb.baseUrl, 'POST', 'chats/oc_form_send/messages', { text: 'hi' });
	assert.match(await sendCard('oc_form_send', formCard()), /^om_/);
	const form = (c: any) => c.body.elements[1];
	const cases: Array<[string, (c: any) => void, RegExp]> = [
		['a form without a name', (c) => delete form(c).name, /form needs a "name"/],
		['two forms with one name', (c) => c.body.elements.push({ ...structuredClone(form(c)), elements: [{ tag: 'button', name: 'other', form_action_type: 'submit' }] }), /form name "leave" is used twice/],
		['a form without elements', (c) => delete form(c).elements, /needs "elements"/],
		['a form without a submit button', (c) => (form(c).elements = form(c).elements.slice(0, 6)), /form_action_type": "submit"/],
		['an input without a name', (c) => delete form(c).elements[0].name, /input inside form "leave" needs a "name"/],
		['two fields with one name', (c) => (form(c).elements[1].name = 'reason'), /name "reason" is used twice/],
		['a submit button without a name', (c) => delete form(c).elements[7].columns[0].elements[0].name, /button inside form "leave" needs a "name"/],
		['required as a string', (c) => (form(c).elements[0].required = 'yes'), /"required" must be a boolean/],
		['an option without text', (c) => delete form(c).elements[2].options[0].text, /options\[0\] needs "text"/],
		['an option without value', (c) => delete form(c).elements[3].options[1].value, /options\[1\] needs a "value"/],
		['a repeated option value', (c) => (form(c).elements[2].options[1].value = 'annual'), /option value "annual" is used twice/],
		['an unknown input_type', (c) => (form(c).elements[1].input_type = 'email'), /input_type/],
		['a date in the wrong format', (c) => (form(c).elements[4].initial_date = '2024/04/01'), /initial_date" must be a string formatted yyyy-MM-dd/],
		['a bad form_action_type', (c) => (form(c).elements[7].columns[1].elements[0].form_action_type = 'clear'), /"submit" or "reset"/],
		['a form nested in a column', (c) => c.body.elements.splice(1, 1, { tag: 'column_set', columns: [{ tag: 'column', elements: [form(c)] }] }), /must sit directly in body.elements/],
		['a table inside a form', (c) => form(c).elements.unshift({ tag: 'table', columns: [], rows: [] }), /form cannot hold a table/],
	];
	const client = sdkClient();
	for (const [what, change, message] of cases) {
		const card = formCard();
		change(card);
		await assert.rejects(
			client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_form_send', msg_type: 'interactive', content: JSON.stringify(card) } }),
			(e: any) => e.response?.status === 400 && e.response?.data?.code === 230001 && message.test(e.response.data.msg),
			what,
		);
	}
});

test('a submit delivers form_value typed as Feishu sends it; the answer replaces the card and a second click is refused', async () => {
	await control(sb.baseUrl, 'POST', 'chats/oc_form_submit/messages', { text: 'hi' });
	const id = await sendCard('oc_form_submit', formCard());
	clicks.length = 0;
	const r = await click(id, { tag: 'button', name: 'send', value: { step: 'leave' }, form_value: GOOD });
	assert.equal(r.acked, true);
	assert.deepEqual(r.answer.toast, { type: 'success', content: 'Filed: Family trip' });
	assert.equal(r.card_updated, true);
	assert.equal(clicks.length, 1);
	const action = clicks[0].action;
	assert.equal(action.tag, 'button');
	assert.equal(action.name, 'send');
	assert.deepEqual(action.value, { step: 'leave' });
	assert.deepEqual(action.form_value, { reason: 'Family trip', kind: 'annual', cc: ['a', 'c'], start: '2024-04-01 +0800', urgent: true });
	assert.equal(clicks[0].context.open_message_id, id);
	// The card now has no buttons: Feishu's client has nothing to click.
	const before = await cardCallbacks();
	const again = await refused(id, { tag: 'button', name: 'send', value: { step: 'leave' }, form_value: GOOD });
	assert.equal(again.status, 400);
	assert.match(again.error, /no interactive components any more/);
	assert.equal(await cardCallbacks(), before);
});

test('optional fields may be left out, and a click found by value alone gets the button name', async () => {
	await control(sb.baseUrl, 'POST', 'chats/oc_form_min/messages', { text: 'hi' });
	const id = await sendCard('oc_form_min', formCard());
	clicks.length = 0;
	await click(id, { name: 'cancel' });
	assert.deepEqual(clicks[0].action.value, { cancel: true }, 'the button\'s own callback value');
	assert.equal(clicks[0].action.form_value, undefined);
	await click(id, { value: { step: 'leave' }, form_value: { reason: 'x', kind: 'sick', start: '2024-02-29 -0530' } });
	assert.equal(clicks[1].action.name, 'send');
	assert.deepEqual(clicks[1].action.form_value, { reason: 'x', kind: 'sick', start: '2024-02-29 -0530' });
});

test('clicks Feishu\'s client could not make are refused with 400 and reach no app', async () => {
	await control(sb.baseUrl, 'POST', 'chats/oc_form_bad/messages', { text: 'hi' });
	const id = await sendCard('oc_form_bad', formCard());
	const submit = (form_value: unknown) => ({ tag: 'button', name: 'send', value: { step: 'leave' }, form_value });
	const cases: Array<[string, unknown, RegExp]> = [
		['no form_value at all', submit(undefined), /required field "reason" is empty/],
		['a required field empty', submit({ ...GOOD, reason: '' }), /required field "reason" is empty/],
		['a required select missing', submit({ ...GOOD, kind: undefined }), /required field "kind" is empty/],
		['a field the form does not have', submit({ ...GOOD, salary: '1' }), /form "leave" has no field "salary"/],
		['an input that is not a string', submit({ ...GOOD, reason: 42 }), /field "reason" \(input\): must be a string/],
		['an input over max_length', submit({ ...GOOD, reason: 'x'.repeat(21) }), /longer than max_length 20/],
		['a select value that is no option', submit({ ...GOOD, kind: 'unpaid' }), /"unpaid" is not one of the options/],
		['a multi-select as a string', submit({ ...GOOD, cc: 'a' }), /field "cc" \(multi_select_static\): must be an array/],
		['a multi-select with an unknown value', submit({ ...GOOD, cc: ['a', 'z'] }), /"z" is not one of the options/],
		['a date without the UTC offset', submit({ ...GOOD, start: '2024-04-01' }), /field "start" \(date_picker\): must be a string formatted "yyyy-MM-dd \+hhmm"/],
		['a date that does not exist', submit({ ...GOOD, start: '2024-02-30 +0800' }), /field "start" \(date_picker\)/],
		['a checker as a string', submit({ ...GOOD, urgent: 'true' }), /field "urgent" \(checker\): must be a boolean/],
		['a disabled button', { tag: 'button', name: 'later', value: { later: true } }, /the button "later" is disabled/],
		['a disabled button found by value', { value: { later: true } }, /the button clicked is disabled/],
		['the reset button (it never calls back)', { tag: 'button', name: 'clear' }, /no button named "clear"/],
		['a button that is not in the card', { tag: 'button', name: 'approve' }, /no button named "approve"/],
		['a value no button has', { value: { step: 'other' } }, /no button with the value/],
		['the right button with a wrong value', { tag: 'button', name: 'send', value: { step: 'x' }, form_value: GOOD }, /does not match the button's callback value/],
		['form_value from a button outside the form', { tag: 'button', name: 'cancel', value: { cancel: true }, form_value: GOOD }, /only a form's submit button sends form_value/],
		['a form field clicked on its own', { tag: 'select_static', name: 'kind' }, /no select_static named "kind"/],
	];
	const before = await cardCallbacks();
	for (const [what, body, message] of cases) {
		const r = await refused(id, body);
		assert.equal(r.status, 400, what);
		assert.match(r.error, message, what);
	}
	assert.equal(await cardCallbacks(), before, 'no callback was delivered');
});

test('a card whose buttons are all disabled refuses clicks; a card that never had any still takes the sandbox shortcut', async () => {
	await control(sb.baseUrl, 'POST', 'chats/oc_form_off/messages', { text: 'hi' });
	const off = await sendCard('oc_form_off', { schema: '2.0', body: { elements: [{ tag: 'button', name: 'go', text: text('Go'), disabled: true, behaviors: [{ type: 'callback', value: { go: 1 } }] }] } });
	assert.deepEqual(await refused(off, { value: { go: 1 } }), { status: 400, error: 'click refused: every interactive component of the card is disabled' });
	const plain = await sendCard('oc_form_off', { schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'no buttons' }] } });
	clicks.length = 0;
	const r = await click(plain, { value: { any: 1 } });
	assert.equal(r.acked, true);
	await waitFor('the callback', () => clicks.length === 1);
	assert.deepEqual(clicks[0].action.value, { any: 1 });
});
