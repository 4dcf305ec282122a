// The chat page is served from the sandbox (no build step) and its script is valid JavaScript that
// only talks to the control API. Its card renderer (cards.js) runs here in a VM: a form container
// becomes real inputs a browser test can find by test id, and the inputs become form_value as
// Feishu's client sends it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Script, runInNewContext } from 'node:vm';
import { DEMO_APP, startSandbox, type Sandbox } from '../../sandbox/server';

let sb: Sandbox;
before(async () => {
	sb = await startSandbox({ port: 0, quiet: true });
});
after(() => sb.close());

test('GET / serves the chat page with its script and stylesheet', async () => {
	const html = await fetch(`${sb.baseUrl}/`);
	assert.equal(html.status, 200);
	assert.match(html.headers.get('content-type') ?? '', /text\/html/);
	const text = await html.text();
	assert.match(text, /<script src="\/page\/app.js">/);
	assert.match(text, /id="composer"/);
	const js = await fetch(`${sb.baseUrl}/page/app.js`);
	assert.equal(js.status, 200);
	const source = await js.text();
	assert.doesNotThrow(() => new Script(source), 'app.js parses');
	for (const path of ['chats', 'apps', 'connections', '/click']) assert.ok(source.includes(path), `app.js uses ${path}`);
	assert.ok(text.indexOf('/page/cards.js') > 0 && text.indexOf('/page/cards.js') < text.indexOf('/page/app.js'), 'cards.js loads before app.js');
	const css = await fetch(`${sb.baseUrl}/page/style.css`);
	assert.equal(css.status, 200);
	assert.match(css.headers.get('content-type') ?? '', /text\/css/);
});

test('unknown paths: Open API style 404 text, control API JSON 404', async () => {
	const a = await fetch(`${sb.baseUrl}/open-apis/nope`);
	assert.equal(a.status, 404);
	assert.equal(await a.text(), '404 page not found');
	const b = await fetch(`${sb.baseUrl}/_sandbox/nope`);
	assert.equal(b.status, 404);
	assert.equal(((await b.json()) as any).ok, false);
});

/** cards.js evaluated on its own, as the page loads it. */
async function cardsModule(): Promise<any> {
	const res = await fetch(`${sb.baseUrl}/page/cards.js`);
	assert.equal(res.status, 200);
	assert.match(res.headers.get('content-type') ?? '', /javascript/);
	const context: Record<string, any> = {};
	runInNewContext(await res.text(), context);
	return context.SandboxCards;
}

const plain = (content: string) => ({ tag: 'plain_text', content });

test('cards.js renders a JSON 2.0 form with real inputs, required markers, disabled state and test ids', async () => {
	const cards = await cardsModule();
	const html: string = cards.renderCard(
		{
			schema: '2.0',
			header: { title: plain('Leave') },
			body: {
				elements: [
					{
						tag: 'form',
						name: 'leave',
						elements: [
							{ tag: 'input', name: 'reason', required: true, label: plain('Reason'), placeholder: plain('Why?'), default_value: 'trip', max_length: 20 },
							{ tag: 'input', name: 'notes', input_type: 'multiline_text', rows: 3 },
							{ tag: 'input', name: 'pin', input_type: 'password', disabled: true },
							{ tag: 'select_static', name: 'kind', initial_option: 'sick', options: [{ text: plain('Annual'), value: 'annual' }, { text: plain('Sick'), value: 'sick' }] },
							{ tag: 'multi_select_static', name: 'cc', selected_values: ['b'], options: [{ text: plain('Ann'), value: 'a' }, { text: plain('Bob'), value: 'b' }] },
							{ tag: 'date_picker', name: 'start', initial_date: '2024-04-01' },
							{ tag: 'checker', name: 'urgent', checked: true, text: plain('Urgent') },
							{ tag: 'button', name: 'send', text: plain('Submit'), form_action_type: 'submit', behaviors: [{ type: 'callback', value: { step: 'leave' } }] },
							{ tag: 'button', name: 'clear', text: plain('Reset'), form_action_type: 'reset' },
						],
					},
					{ tag: 'button', name: 'later', text: plain('Later'), disabled: true, behaviors: [{ type: 'callback', value: { later: true } }] },
				],
			},
		},
		'om_1',
	);
	assert.match(html, /<form class="card-form" novalidate data-form="leave" data-message="om_1" data-testid="card-form-leave">/);
	assert.match(html, /<span class="card-label">Reason<span class="card-required" title="required">\*<\/span><\/span><input class="card-control" data-field="reason" data-kind="input" data-required="1" data-testid="card-input-reason" required type="text" maxlength="20" placeholder="Why\?" value="trip">/);
	assert.match(html, /<textarea [^>]*data-field="notes"[^>]*rows="3"/);
	assert.match(html, /<input [^>]*data-field="pin"[^>]*disabled[^>]*type="password"/);
	assert.match(html, /<select [^>]*data-field="kind" data-kind="select_static"[^>]*><option value="">Select…<\/option><option value="annual">Annual<\/option><option value="sick" selected>Sick<\/option><\/select>/);
	assert.match(html, /<select [^>]*data-field="cc" data-kind="multi_select_static"[^>]* multiple size="2"><option value="a">Ann<\/option><option value="b" selected>Bob<\/option>/);
	assert.match(html, /<input [^>]*data-field="start" data-kind="date_picker"[^>]* type="date" value="2024-04-01">/);
	assert.match(html, /<input [^>]*data-field="urgent" data-kind="checker"[^>]* type="checkbox" checked>/);
	assert.match(html, /<button type="button" class="card-submit" data-testid="card-submit-send" data-click="om_1" data-value="\{&quot;step&quot;:&quot;leave&quot;\}" data-name="send" data-form-action="submit">Submit<\/button>/);
	assert.match(html, /<button type="button" class="card-reset" data-testid="card-reset-clear" data-form-action="reset">Reset<\/button>/);
	assert.match(html, /<button type="button" class="disabled" data-testid="card-button-later" disabled data-click="om_1"/);
});

test('cards.js turns form inputs into form_value as Feishu sends it and lists empty required fields', async () => {
	const cards = await cardsModule();
	const controls = [
		{ name: 'reason', kind: 'input', required: true, value: 'Family trip' },
		{ name: 'notes', kind: 'input', value: '' },
		{ name: 'kind', kind: 'select_static', required: true, value: 'annual' },
		{ name: 'cc', kind: 'multi_select_static', value: 'a', values: ['a', 'c'] },
		{ name: 'start', kind: 'date_picker', required: true, value: '2024-04-01' },
		{ name: 'at', kind: 'picker_time', value: '08:30' },
		{ name: 'when', kind: 'picker_datetime', value: '2024-04-29T07:07' },
		{ name: 'urgent', kind: 'checker', checked: true, value: 'on' },
		{ name: 'quiet', kind: 'checker', checked: false, value: 'on' },
	];
	assert.deepEqual(JSON.parse(JSON.stringify(cards.collectForm(controls, 480))), {
		formValue: { reason: 'Family trip', kind: 'annual', cc: ['a', 'c'], start: '2024-04-01 +0800', at: '08:30 +0800', when: '2024-04-29 07:07 +0800', urgent: true, quiet: false },
		missing: [],
	});
	const empty = cards.collectForm([{ name: 'reason', kind: 'input', required: true, value: '' }, { name: 'cc', kind: 'multi_select_static', required: true, values: [] }, { name: 'start', kind: 'date_picker', value: '' }], -330);
	assert.deepEqual(JSON.parse(JSON.stringify(empty)), { formValue: {}, missing: ['reason', 'cc'] });
	assert.equal(cards.utcOffset(-330), '-0530');
	assert.equal(cards.utcOffset(0), '+0000');
});

test('cards.js renders a markdown component as blocks: headings, nested and numbered lists, code, tables, quotes, links; all escaped', async () => {
	const cards = await cardsModule();
	const text = [
		'# Title',
		'### Small *title*',
		'Some **bold** and `a **literal**` span,',
		'a [link](https://example.com/a?b=1&c=2), a [bad one](javascript:void) and <script>x</script>.',
		'',
		'- one',
		'- two',
		'  - two and a half',
		'- three',
		'',
		'3. third',
		'4. fourth',
		'',
		'```ts',
		'const a = "<b>" && 1 < 2; // **not bold**',
		'```',
		'',
		'| Name | Score |',
		'| :--- | ---: |',
		'| Ann | 9 |',
		'| Bob |',
		'',
		'> quoted *text*',
		'---',
		'<font color=\'red\'>warning</font> <at id=all></at>',
	].join('\n');
	const html: string = cards.mdBlock(text);
	assert.match(html, /<h1 class="md-h">Title<\/h1><h3 class="md-h">Small <i>title<\/i><\/h3>/);
	assert.match(html, /<p>Some <b>bold<\/b> and <code>a \*\*literal\*\*<\/code> span,<br>a <a target="_blank" rel="noopener" href="https:\/\/example.com\/a\?b=1&amp;c=2">link<\/a>, a <a target="_blank" rel="noopener" href="#">bad one<\/a> and &lt;script&gt;x&lt;\/script&gt;.<\/p>/);
	assert.match(html, /<ul><li>one<\/li><li>two<ul><li>two and a half<\/li><\/ul><\/li><li>three<\/li><\/ul>/);
	assert.match(html, /<ol start="3"><li>third<\/li><li>fourth<\/li><\/ol>/);
	assert.match(html, /<pre class="md-code" data-lang="ts"><code>const a = &quot;&lt;b&gt;&quot; &amp;&amp; 1 &lt; 2; \/\/ \*\*not bold\*\*<\/code><\/pre>/);
	assert.match(html, /<table class="md-table"><thead><tr><th style="text-align:left">Name<\/th><th style="text-align:right">Score<\/th><\/tr><\/thead><tbody><tr><td style="text-align:left">Ann<\/td><td style="text-align:right">9<\/td><\/tr><tr><td style="text-align:left">Bob<\/td><td style="text-align:right"><\/td><\/tr><\/tbody><\/table>/);
	assert.match(html, /<blockquote><p>quoted <i>text<\/i><\/p><\/blockquote><hr>/);
	assert.match(html, /<p><span style="color:red">warning<\/span> <span class="mention-tag">@All<\/span><\/p>$/);
	assert.ok(!/<script/.test(html), 'nothing unescaped');
	// Mid-stream: a code fence not closed yet is code to the end; a table header without its rule is text.
	assert.equal(cards.mdBlock('Here:\n```js\nlet x = 1;\nlet y'), '<p>Here:</p><pre class="md-code" data-lang="js"><code>let x = 1;\nlet y</code></pre>');
	assert.equal(cards.mdBlock('| a | b'), '<p>| a | b</p>');
});

test('cards.js shows a streaming card entity with a typing indicator and renders its markdown component as blocks', async () => {
	const cards = await cardsModule();
	const card = { schema: '2.0', header: { title: plain('Answer') }, body: { elements: [{ tag: 'markdown', element_id: 'answer', content: '## Steps\n1. Ask\n2. Wait' }] } };
	const live: string = cards.renderCard(card, 'om_live', { streaming: true });
	assert.match(live, /^<div class="card streaming" data-streaming="1"><div class="card-header blue">Answer<\/div>/);
	assert.match(live, /<div class="md"><h2 class="md-h">Steps<\/h2><ol><li>Ask<\/li><li>Wait<\/li><\/ol><\/div><div class="card-typing" data-testid="card-typing"/);
	const done: string = cards.renderCard(card, 'om_live');
	assert.ok(!done.includes('card-typing') && !done.includes('data-streaming'), 'no indicator once streaming is over');
	assert.match(done, /<h2 class="md-h">Steps<\/h2>/);
});

test('the page learns which card entities in a chat stream from GET /_sandbox/cardkit/cards?chat_id=, and the chat\'s message follows the entity', async () => {
	const tokenRes = await fetch(`${sb.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: DEMO_APP.appId, app_secret: DEMO_APP.appSecret }) });
	const token = ((await tokenRes.json()) as { tenant_access_token: string }).tenant_access_token;
	const open = async (method: string, path: string, body: unknown) => {
		const res = await fetch(`${sb.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const json = (await res.json()) as any;
		assert.equal(json.code, 0, JSON.stringify(json));
		return json.data;
	};
	const card = { schema: '2.0', config: { streaming_mode: true }, body: { elements: [{ tag: 'markdown', element_id: 'answer', content: '' }] } };
	const { card_id: cardId } = await open('POST', '/open-apis/cardkit/v1/cards', { type: 'card_json', data: JSON.stringify(card) });
	const sent = await open('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', { receive_id: 'ou_page_reader', msg_type: 'interactive', content: JSON.stringify({ type: 'card', data: { card_id: cardId } }) });
	const chatId: string = sent.chat_id;
	const view = async () => {
		const cardsRes = (await (await fetch(`${sb.baseUrl}/_sandbox/cardkit/cards?chat_id=${chatId}`)).json()) as any;
		const messagesRes = (await (await fetch(`${sb.baseUrl}/_sandbox/chats/${chatId}/messages`)).json()) as any;
		const message = messagesRes.messages.find((m: any) => m.message_id === sent.message_id);
		return { streaming: cardsRes.cards.filter((c: any) => c.streaming_mode).map((c: any) => c.message_id), text: message.content.body.elements[0].content };
	};
	assert.deepEqual(await view(), { streaming: [sent.message_id], text: '' });
	await open('PUT', `/open-apis/cardkit/v1/cards/${cardId}/elements/answer/content`, { content: '# Hi\n- a', sequence: 1 });
	assert.deepEqual(await view(), { streaming: [sent.message_id], text: '# Hi\n- a' });
	await open('PATCH', `/open-apis/cardkit/v1/cards/${cardId}/settings`, { settings: JSON.stringify({ config: { streaming_mode: false } }), sequence: 2 });
	assert.deepEqual(await view(), { streaming: [], text: '# Hi\n- a' });
	const other = (await (await fetch(`${sb.baseUrl}/_sandbox/cardkit/cards?chat_id=oc_nothing_here`)).json()) as any;
	assert.deepEqual(other.cards, []);
	const app = await (await fetch(`${sb.baseUrl}/page/app.js`)).text();
	assert.ok(app.includes("'cardkit/cards?chat_id='") && app.includes('streaming: state.streaming.has(m.message_id)'), 'app.js asks for the streaming entities and passes the flag to renderCard');
});
