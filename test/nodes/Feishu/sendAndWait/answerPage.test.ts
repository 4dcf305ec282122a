// n8n's page for Send and Wait answers given outside Feishu (nodes/Feishu/sendAndWait/answerPage.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFormValues, type WaitFormField } from '../../../../lib/feishu';
import { formPage, notePage, pageFormValue } from '../../../../nodes/Feishu/sendAndWait/answerPage';

const fields: WaitFormField[] = [
	{ label: 'Amount', type: 'number', required: true },
	{ label: 'Category', type: 'dropdown', options: ['Travel', 'Meals'] },
	{ label: 'Tags', type: 'multiSelect', options: ['client', 'internal'] },
	{ label: 'Receipt', type: 'checkbox' },
	{ label: 'Note <b>', type: 'textarea', placeholder: '"why"' },
];

test('formPage: every field, escaped; after a refused submit, the error and what was typed', () => {
	const html = formPage({ title: 'Expense <1>', message: 'Say <script>alert(1)</script>', fields, submitLabel: 'Send' });
	assert.doesNotMatch(html, /<script>|<b>|<1>/, 'nothing people or workflows wrote is markup');
	assert.match(html, /<form method="post">/);
	for (const name of ['field_0', 'field_1', 'field_2', 'field_3', 'field_4']) assert.match(html, new RegExp(`name="${name}"`));
	assert.match(html, /<select id="field_2" name="field_2" multiple>/);
	assert.match(html, /type="number"[^>]* required/);
	const again = formPage({ message: 'm', fields, submitLabel: 'Send', error: 'Amount must be a number', values: { field_0: '"forty"', field_2: ['internal'], field_3: true } });
	assert.match(again, /role="alert">Amount must be a number/);
	assert.match(again, /value="&#34;forty&#34;"/);
	assert.match(again, /<option value="internal" selected>/);
	assert.match(again, /value="true" checked>/);
	assert.match(notePage('Approved', 'a & b'), /<h1>Approved<\/h1><p>a &#38; b<\/p>/);
});

test('pageFormValue: a posted form read as Feishu\'s form_value, so the same checks type it', () => {
	const posted = pageFormValue(fields, { field_0: '42.5', field_1: 'Travel', field_2: ['client', 'internal'], field_3: 'true', field_4: 'Airport' });
	assert.deepEqual(waitFormValues(fields, posted), { Amount: 42.5, Category: 'Travel', Tags: ['client', 'internal'], Receipt: true, 'Note <b>': 'Airport' });
	const sparse = pageFormValue(fields, { field_0: '1', field_2: 'client' });
	assert.deepEqual(waitFormValues(fields, sparse), { Amount: 1, Category: null, Tags: ['client'], Receipt: false, 'Note <b>': null }, 'an unchecked box is not posted; one choice is not a list');
	assert.throws(() => waitFormValues(fields, pageFormValue(fields, {})), /Amount is required/);
});
