// What Feishu's client would let a person click on a stored card (docs/protocol.md, "Card forms (JSON
// 2.0)"): a component that is there and enabled, and for a form's submit button only that form's
// fields, the required ones filled, each typed the way the client sends it. The control API answers a
// refused click with HTTP 400 and the problem, and nothing reaches the app.
import { callbackValue, callsBack, FIELD_TAGS, INTERACTIVE_TAGS, sameJson, walk, type Component, type Visit } from './cardTree';

export interface ClickRequest {
	tag?: unknown;
	name?: unknown;
	value?: unknown;
	form_value?: unknown;
}

export interface StoredCard {
	msgType: string;
	content: string;
	/** The card was replaced since it was sent (an update or a callback answer). */
	updated: boolean;
}

export type ClickCheck = { ok: true; value: unknown; name?: string; formValue?: Record<string, unknown> } | { ok: false; problem: string };

// The client sends dates and times with the user's UTC offset, e.g. "2024-04-01 +0800".
const FORMATS: Record<string, [RegExp, string]> = {
	date_picker: [/^\d{4}-\d{2}-\d{2} [+-]\d{4}$/, '"yyyy-MM-dd +hhmm" (e.g. "2024-04-01 +0800")'],
	picker_time: [/^\d{2}:\d{2} [+-]\d{4}$/, '"HH:mm +hhmm" (e.g. "08:30 +0800")'],
	picker_datetime: [/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} [+-]\d{4}$/, '"yyyy-MM-dd HH:mm +hhmm" (e.g. "2024-04-29 07:07 +0800")'],
};

export function checkCardClick(message: StoredCard, b: ClickRequest): ClickCheck {
	const card = parseCard(message);
	const value = b.value;
	// Text messages and template cards have nothing to check against (older tests click those).
	if (!card) return { ok: true, value: value ?? {} };
	const clickable = walk(card).filter((v) => INTERACTIVE_TAGS.has(v.el.tag) && callsBack(v.el, v.form));
	if (!clickable.some((v) => v.el.disabled !== true)) {
		if (clickable.length) return refuse('every interactive component of the card is disabled');
		if (message.updated) return refuse('the card has no interactive components any more (they were removed by an update)');
		// A card sent without any is a sandbox shortcut for driving a callback.
		return { ok: true, value: value ?? {} };
	}
	const tag = typeof b.tag === 'string' && b.tag ? b.tag : 'button';
	const name = typeof b.name === 'string' && b.name ? b.name : undefined;
	const candidates = clickable.filter((v) => v.el.tag === tag && (name ? v.el.name === name : value === undefined || sameJson(callbackValue(v.el), value)));
	if (!candidates.length) {
		const what = name ? `named "${name}"` : `with the value ${JSON.stringify(value)}`;
		return refuse(`the card has no ${tag} ${what} that calls back`);
	}
	const target = candidates.find((v) => v.el.disabled !== true);
	if (!target) return refuse(`the ${tag} ${name ? `"${name}"` : 'clicked'} is disabled`);
	const own = callbackValue(target.el);
	if (value !== undefined && !sameJson(own, value)) return refuse(`the value does not match the ${tag}'s callback value ${JSON.stringify(own)}`);
	// The client names the component in action.name when it has one.
	const ownName = typeof target.el.name === 'string' && target.el.name ? target.el.name : undefined;
	const submits = target.el.tag === 'button' && target.el.form_action_type === 'submit' && target.form;
	if (!submits) {
		if (b.form_value !== undefined) return refuse('only a form\'s submit button sends form_value');
		return { ok: true, value: own, name: ownName };
	}
	const form = checkFormValue(target.form as Component, b.form_value);
	return typeof form === 'string' ? refuse(form) : { ok: true, value: own, name: ownName, formValue: form };
}

function refuse(problem: string): ClickCheck {
	return { ok: false, problem };
}

function parseCard(message: StoredCard): Component | undefined {
	if (message.msgType !== 'interactive') return undefined;
	try {
		const card = JSON.parse(message.content);
		return card && typeof card === 'object' && card.type !== 'template' ? card : undefined;
	} catch {
		return undefined;
	}
}

/** The form's fields by name (components nested in the form's containers included). */
export function formFields(form: Component): Map<string, Component> {
	const fields = new Map<string, Component>();
	for (const v of walk({ body: { elements: Array.isArray(form.elements) ? form.elements : [] } }) as Visit[]) {
		if (FIELD_TAGS.has(v.el.tag) && typeof v.el.name === 'string') fields.set(v.el.name, v.el);
	}
	return fields;
}

/** The submitted values checked against the form; a problem string when the client could not send them. */
function checkFormValue(form: Component, formValue: unknown): Record<string, unknown> | string {
	const submitted = formValue ?? {};
	if (typeof submitted !== 'object' || Array.isArray(submitted)) return 'form_value must be an object keyed by field name';
	const fields = formFields(form);
	const values = submitted as Record<string, unknown>;
	for (const key of Object.keys(values)) {
		if (!fields.has(key)) return `form "${form.name}" has no field "${key}" (fields: ${[...fields.keys()].join(', ') || 'none'})`;
	}
	for (const [name, field] of fields) {
		const v = values[name];
		if (isEmpty(v)) {
			if (field.required === true) return `required field "${name}" is empty (Feishu's client shows "required fields are missing" and sends nothing)`;
			continue;
		}
		const problem = valueProblem(field, v);
		if (problem) return `field "${name}" (${field.tag}): ${problem}`;
	}
	return values;
}

function isEmpty(v: unknown): boolean {
	return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function optionValues(field: Component): Set<string> | undefined {
	if (!Array.isArray(field.options)) return undefined;
	return new Set(field.options.map((o: any) => o && o.value).filter((x: unknown) => typeof x === 'string'));
}

function valueProblem(field: Component, v: unknown): string | undefined {
	switch (field.tag) {
		case 'input': {
			if (typeof v !== 'string') return 'must be a string';
			const max = Number.isInteger(field.max_length) ? field.max_length : 1000;
			return [...v].length > max ? `is longer than max_length ${max}` : undefined;
		}
		case 'select_static':
		case 'select_person': {
			if (typeof v !== 'string') return 'must be the chosen option\'s value (a string)';
			const options = optionValues(field);
			return options && options.size && !options.has(v) ? `"${v}" is not one of the options` : undefined;
		}
		case 'multi_select_static':
		case 'multi_select_person': {
			if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return 'must be an array of the chosen options\' values';
			if (new Set(v).size !== v.length) return 'repeats an option';
			const options = optionValues(field);
			const unknown = options && options.size ? v.find((x) => !options.has(x)) : undefined;
			return unknown !== undefined ? `"${unknown}" is not one of the options` : undefined;
		}
		case 'checker':
			return typeof v === 'boolean' ? undefined : 'must be a boolean (checked or not)';
		case 'date_picker':
		case 'picker_time':
		case 'picker_datetime': {
			const [pattern, format] = FORMATS[field.tag];
			return typeof v === 'string' && pattern.test(v) && validDate(v) ? undefined : `must be a string formatted ${format}`;
		}
		default:
			return undefined;
	}
}

/** A date part, when present, is a real calendar day. */
function validDate(v: string): boolean {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
	if (!m) return true;
	const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
	return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}
