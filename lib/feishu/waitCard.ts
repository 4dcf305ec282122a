// The card of a Send and Wait request (card JSON 2.0, docs/protocol.md "Card forms (JSON 2.0)" and
// "Send and Wait"): the message, the deadline, and the ways to answer inside the card — one or two
// buttons, or a form (a free-text box, or the fields of a custom form) with a submit button. Every
// button's callback value is the sealed resume URL (waitSignature.ts). Once answered, the same card
// without its buttons and form, and a line saying who answered what, when.
import { FeishuValidationError } from './errors';
import type { WaitActionValue } from './waitSignature';

export type ButtonStyle = 'danger' | 'primary' | 'secondary';

export interface WaitButton {
	label: string;
	style: ButtonStyle;
	/** Answered in the card: the sealed callback value. */
	value?: WaitActionValue;
	/** Answered on n8n's page instead: the button opens this URL. */
	url?: string;
}

export type WaitFieldType = 'checkbox' | 'date' | 'dropdown' | 'email' | 'multiSelect' | 'number' | 'password' | 'text' | 'textarea';

export interface WaitFormField {
	label: string;
	type: WaitFieldType;
	required?: boolean;
	placeholder?: string;
	/** The choices of a dropdown or multi-select. */
	options?: string[];
}

export type WaitResponse =
	| { type: 'approval'; approve: WaitButton; decline?: WaitButton }
	| { type: 'freeText'; submit: WaitButton; placeholder?: string }
	| { type: 'form'; submit: WaitButton; fields: WaitFormField[] }
	/** Answered on n8n's page: buttons that open it (no Feishu Trigger relays callbacks). */
	| { type: 'link'; buttons: WaitButton[] };

export interface WaitCard {
	title?: string;
	/** Feishu card markdown. */
	message: string;
	/** Shown under the message, e.g. "Answer by 4 Dec 2026, 18:00". */
	deadline?: string;
	response: WaitResponse;
}

export const WAIT_FORM_NAME = 'n8n_wait_form';

/** The form field's name in the card (labels may repeat or hold anything; names must be unique). */
export const waitFieldName = (index: number) => `field_${index}`;

const text = (content: string) => ({ tag: 'plain_text', content });

const FEISHU_BUTTON_TYPE: Record<ButtonStyle, string> = { primary: 'primary_filled', secondary: 'default', danger: 'danger' };

function button(b: WaitButton, name: string, extra: Record<string, unknown> = {}) {
	const behavior = b.url ? { type: 'open_url', default_url: b.url } : { type: 'callback', value: b.value };
	return { tag: 'button', name, text: text(b.label), type: FEISHU_BUTTON_TYPE[b.style], behaviors: [behavior], ...extra };
}

function header(title: string | undefined, template: string) {
	return title ? { header: { title: text(title), template } } : {};
}

/** A component without a label of its own (date, selects), under its field's label in a column set. */
function labelled(field: WaitFormField, component: Record<string, unknown>): Record<string, unknown> {
	return { tag: 'column_set', columns: [{ tag: 'column', elements: [{ tag: 'markdown', content: `**${field.label}**` }, component] }] };
}

function formElement(field: WaitFormField, index: number): Record<string, unknown> {
	const common = { name: waitFieldName(index), required: field.required === true };
	const label = { label: text(field.label), label_position: 'top' };
	const placeholder = field.placeholder ? { placeholder: text(field.placeholder) } : {};
	const options = (field.options ?? []).map((o) => ({ text: text(o), value: o }));
	switch (field.type) {
		case 'checkbox':
			return { tag: 'checker', ...common, text: { tag: 'plain_text', content: field.label } };
		case 'date':
			return labelled(field, { tag: 'date_picker', ...common, ...placeholder });
		case 'dropdown':
			return labelled(field, { tag: 'select_static', ...common, ...placeholder, options });
		case 'multiSelect':
			return labelled(field, { tag: 'multi_select_static', ...common, ...placeholder, options });
		case 'textarea':
			return { tag: 'input', ...common, ...label, ...placeholder, input_type: 'multiline_text', rows: 3 };
		case 'password':
			return { tag: 'input', ...common, ...label, ...placeholder, input_type: 'password' };
		default:
			return { tag: 'input', ...common, ...label, ...placeholder };
	}
}

/** The form's fields for a response: a free-text answer is a form of one required box. */
export function waitFields(response: WaitResponse): WaitFormField[] {
	if (response.type === 'form') return response.fields;
	if (response.type === 'freeText') return [{ label: 'Response', type: 'textarea', required: true, placeholder: response.placeholder }];
	return [];
}

function answerElements(response: WaitResponse): Record<string, unknown>[] {
	if (response.type === 'approval' || response.type === 'link') {
		const buttons =
			response.type === 'link'
				? response.buttons.map((b, k) => button(b, `n8n_wait_link_${k}`))
				: [button(response.approve, 'n8n_wait_approve'), ...(response.decline ? [button(response.decline, 'n8n_wait_decline')] : [])];
		return [{ tag: 'column_set', horizontal_spacing: '8px', columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [b] })) }];
	}
	const fields = waitFields(response);
	// Inside a form, a date/select is wrapped in a column set for its label; its name stays on the component.
	return [{ tag: 'form', name: WAIT_FORM_NAME, elements: [...fields.map(formElement), button(response.submit, 'n8n_wait_submit', { form_action_type: 'submit' })] }];
}

function body(card: WaitCard): Record<string, unknown>[] {
	return [{ tag: 'markdown', content: card.message }];
}

export function pendingWaitCard(card: WaitCard): Record<string, unknown> {
	const deadline = card.deadline ? [{ tag: 'markdown', content: `<font color='grey'>${card.deadline}</font>`, text_size: 'notation' }] : [];
	return {
		schema: '2.0',
		config: { update_multi: true },
		...header(card.title, 'blue'),
		body: { elements: [...body(card), ...deadline, ...answerElements(card.response)] },
	};
}

export interface WaitOutcome {
	/** expired: no answer by the time limit. */
	kind: 'approved' | 'declined' | 'answered' | 'expired';
	/** The open_id of who answered (shown as a mention). */
	by?: string;
	/** When, as text. */
	at: string;
	/** The answer's values to show, as label and text. */
	values?: [string, string][];
}

const OUTCOME: Record<WaitOutcome['kind'], { icon: string; word: string; template: string }> = {
	approved: { icon: '✅', word: 'Approved', template: 'green' },
	declined: { icon: '❌', word: 'Declined', template: 'red' },
	answered: { icon: '📝', word: 'Answered', template: 'turquoise' },
	expired: { icon: '⌛', word: 'Expired', template: 'grey' },
};

/** Markdown-safe for a card line: no tags, no markdown syntax from people's answers. */
function plain(s: string): string {
	return s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/([\\`*_~[\]])/g, '\\$1');
}

/** The card once answered, or expired: no buttons or form, the outcome under the message. */
export function decidedWaitCard(card: WaitCard, outcome: WaitOutcome): Record<string, unknown> {
	const o = OUTCOME[outcome.kind];
	const by = outcome.by ? ` by <at id=${outcome.by}></at>` : '';
	const lines = [`${o.icon} **${o.word}**${by} · ${outcome.at}`, ...(outcome.values ?? []).map(([label, value]) => `**${plain(label)}:** ${plain(value)}`)];
	return {
		schema: '2.0',
		config: { update_multi: true },
		...header(card.title, o.template),
		body: { elements: [...body(card), { tag: 'hr' }, { tag: 'markdown', content: lines.join('\n') }] },
	};
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The submitted form's values by field label, typed (numbers as numbers, checkboxes as booleans,
 * multi-selects as lists); throws FeishuValidationError naming every field that is missing or wrong.
 */
export function waitFormValues(fields: readonly WaitFormField[], formValue: Record<string, unknown> | undefined): Record<string, unknown> {
	const values: Record<string, unknown> = {};
	const problems: string[] = [];
	fields.forEach((field, index) => {
		const raw = formValue?.[waitFieldName(index)];
		const empty = raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0);
		if (field.type === 'checkbox') {
			values[field.label] = raw === true || raw === 'true';
			if (field.required && values[field.label] !== true) problems.push(`${field.label} must be checked`);
			return;
		}
		if (empty) {
			if (field.required) problems.push(`${field.label} is required`);
			values[field.label] = field.type === 'multiSelect' ? [] : null;
			return;
		}
		switch (field.type) {
			case 'number': {
				const n = Number(String(raw).trim());
				if (!Number.isFinite(n)) problems.push(`${field.label} must be a number`);
				values[field.label] = n;
				return;
			}
			case 'email':
				if (!EMAIL.test(String(raw).trim())) problems.push(`${field.label} must be an email address`);
				values[field.label] = String(raw).trim();
				return;
			case 'multiSelect':
				values[field.label] = (Array.isArray(raw) ? raw : [raw]).map(String);
				return;
			case 'date': {
				// Feishu sends "2024-04-01 +0800" (the date in the person's zone); n8n's forms give "2024-04-01".
				const date = /^\d{4}-\d{2}-\d{2}/.exec(String(raw))?.[0];
				if (!date) problems.push(`${field.label} must be a date`);
				values[field.label] = date ?? String(raw);
				return;
			}
			default:
				values[field.label] = String(raw);
		}
	});
	if (problems.length) throw new FeishuValidationError('Form', problems.join('; '));
	return values;
}

/** A value as the decided card shows it. */
export function shownValue(value: unknown): string {
	if (value === null || value === undefined || value === '') return '—';
	if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
	if (typeof value === 'boolean') return value ? 'Yes' : 'No';
	return String(value);
}
