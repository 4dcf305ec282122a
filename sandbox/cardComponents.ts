// Send-time checks of a schema 2.0 card's form container and its input components, as Feishu's card
// docs describe them (docs/protocol.md, "Card forms (JSON 2.0)"). Unknown tags pass (Feishu has many
// components); the documented fields of these ones are checked. content.ts answers a problem with
// Feishu's 230001.
import { FIELD_TAGS, walk, type Component } from './cardTree';

class CardProblem extends Error {}

function invalid(problem: string): CardProblem {
	return new CardProblem(problem);
}

const INPUT_TYPES = ['text', 'multiline_text', 'password'];
const FORM_ACTIONS = ['submit', 'reset'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;

/** The first problem of the card's components, or undefined. */
export function cardComponentProblem(card: Component): string | undefined {
	try {
		checkComponents(card);
		return undefined;
	} catch (e) {
		if (e instanceof CardProblem) return e.message;
		throw e;
	}
}

function checkComponents(card: Component): void {
	const formNames = new Set<string>();
	// The docs: a form item's name must not repeat anywhere in the card.
	const itemNames = new Set<string>();
	for (const { el, path, form, atRoot } of walk(card)) {
		const at = `${path} (${el.tag})`;
		for (const key of ['required', 'disabled']) {
			if (el[key] !== undefined && typeof el[key] !== 'boolean') throw invalid(`${at}: "${key}" must be a boolean`);
		}
		if (el.tag === 'form') {
			if (!atRoot) throw invalid(`${at}: a form container must sit directly in body.elements`);
			if (typeof el.name !== 'string' || !el.name) throw invalid(`${at}: a form needs a "name"`);
			if (formNames.has(el.name)) throw invalid(`${at}: form name "${el.name}" is used twice in the card`);
			formNames.add(el.name);
			if (!Array.isArray(el.elements)) throw invalid(`${at}: a form needs "elements" (an array)`);
			const inside = walk({ body: { elements: el.elements } });
			const nested = inside.find((v) => v.el.tag === 'form' || v.el.tag === 'table');
			if (nested) throw invalid(`${at}: a form cannot hold a ${nested.el.tag}`);
			if (!inside.some((v) => v.el.tag === 'button' && v.el.form_action_type === 'submit')) throw invalid(`${at}: a form needs a button with "form_action_type": "submit"`);
			continue;
		}
		if (form && (FIELD_TAGS.has(el.tag) || (el.tag === 'button' && el.form_action_type !== undefined))) {
			if (typeof el.name !== 'string' || !el.name) throw invalid(`${at}: a ${el.tag} inside form "${form.name}" needs a "name"`);
			if (itemNames.has(el.name)) throw invalid(`${at}: name "${el.name}" is used twice in the card`);
			itemNames.add(el.name);
		}
		checkFields(el, at);
	}
}

function checkFields(el: Component, at: string): void {
	const text = (key: string) => {
		const t = el[key];
		if (t === undefined) return;
		if (!t || typeof t !== 'object' || (typeof t.content !== 'string' && (typeof t.i18n_content !== 'object' || t.i18n_content === null))) {
			throw invalid(`${at}: "${key}" must be a text object {tag: "plain_text", content}`);
		}
	};
	const str = (key: string, pattern?: RegExp, format?: string) => {
		if (el[key] === undefined) return;
		if (typeof el[key] !== 'string' || (pattern && !pattern.test(el[key]))) throw invalid(`${at}: "${key}" must be a string${format ? ` formatted ${format}` : ''}`);
	};
	switch (el.tag) {
		case 'input':
			text('placeholder');
			text('label');
			str('default_value');
			if (el.input_type !== undefined && !INPUT_TYPES.includes(el.input_type)) throw invalid(`${at}: "input_type" must be one of ${INPUT_TYPES.join(', ')}`);
			if (el.max_length !== undefined && !(Number.isInteger(el.max_length) && el.max_length >= 1 && el.max_length <= 1000)) throw invalid(`${at}: "max_length" must be an integer from 1 to 1000`);
			if (el.rows !== undefined && !(Number.isInteger(el.rows) && el.rows >= 1)) throw invalid(`${at}: "rows" must be a positive integer`);
			return;
		case 'select_static':
		case 'multi_select_static': {
			text('placeholder');
			const values = checkOptions(el, at);
			if (el.tag === 'select_static') {
				str('initial_option');
				if (el.initial_index !== undefined && !(Number.isInteger(el.initial_index) && el.initial_index >= 0)) throw invalid(`${at}: "initial_index" must be an integer from 0`);
			} else if (el.selected_values !== undefined) {
				if (!Array.isArray(el.selected_values) || el.selected_values.some((v: unknown) => typeof v !== 'string')) throw invalid(`${at}: "selected_values" must be an array of option values`);
				const unknown = el.selected_values.find((v: string) => values.size && !values.has(v));
				if (unknown !== undefined) throw invalid(`${at}: selected value "${unknown}" is not an option`);
			}
			return;
		}
		case 'date_picker':
			text('placeholder');
			str('initial_date', DATE, 'yyyy-MM-dd');
			return;
		case 'picker_time':
			text('placeholder');
			str('initial_time', TIME, 'HH:mm');
			return;
		case 'picker_datetime':
			text('placeholder');
			str('initial_datetime', DATETIME, 'yyyy-MM-dd HH:mm');
			return;
		case 'checker':
			text('text');
			if (el.checked !== undefined && typeof el.checked !== 'boolean') throw invalid(`${at}: "checked" must be a boolean`);
			return;
		case 'button':
			text('text');
			if (el.form_action_type !== undefined && !FORM_ACTIONS.includes(el.form_action_type)) throw invalid(`${at}: "form_action_type" must be "submit" or "reset"`);
			if (el.behaviors !== undefined && (!Array.isArray(el.behaviors) || el.behaviors.some((b: any) => !b || typeof b !== 'object' || typeof b.type !== 'string'))) {
				throw invalid(`${at}: "behaviors" must be an array of {type, ...} objects`);
			}
			return;
	}
}

/** Checks `options` ({text, value} each, values unique); returns the values. */
function checkOptions(el: Component, at: string): Set<string> {
	const values = new Set<string>();
	if (el.options === undefined) return values;
	if (!Array.isArray(el.options)) throw invalid(`${at}: "options" must be an array`);
	el.options.forEach((o: any, i: number) => {
		if (!o || typeof o !== 'object') throw invalid(`${at}: options[${i}] must be an object {text, value}`);
		if (!o.text || typeof o.text !== 'object' || (typeof o.text.content !== 'string' && typeof o.text.i18n_content !== 'object')) throw invalid(`${at}: options[${i}] needs "text" (a text object)`);
		if (typeof o.value !== 'string' || !o.value) throw invalid(`${at}: options[${i}] needs a "value" string`);
		if (values.has(o.value)) throw invalid(`${at}: option value "${o.value}" is used twice`);
		values.add(o.value);
	});
	return values;
}
