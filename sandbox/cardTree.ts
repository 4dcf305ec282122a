// Walking a card's component tree (docs/protocol.md, "Card forms (JSON 2.0)"): which components a
// container holds, which are form fields, which call back when clicked. Shared by the send-time checks
// (cardComponents.ts) and the click checks (cardForms.ts).

export type Component = Record<string, any>;

/** Components that collect a value inside a form container; their `name` keys `form_value`. */
export const FIELD_TAGS = new Set([
	'input',
	'select_static',
	'multi_select_static',
	'select_person',
	'multi_select_person',
	'date_picker',
	'picker_time',
	'picker_datetime',
	'checker',
	'select_img',
]);

/** Components a person can click or change, so Feishu's client may call back for them. */
export const INTERACTIVE_TAGS = new Set([...FIELD_TAGS, 'button', 'overflow', 'interactive_container']);

export function isComponent(v: unknown): v is Component {
	return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Component).tag === 'string';
}

/** The direct children of a component, with a path suffix each (for error messages). */
export function childrenOf(el: Component): Array<[unknown, string]> {
	const out: Array<[unknown, string]> = [];
	const list = (key: string) => {
		if (Array.isArray(el[key])) el[key].forEach((c: unknown, i: number) => out.push([c, `.${key}[${i}]`]));
	};
	list('elements'); // form, column, collapsible_panel, interactive_container, note
	list('columns'); // column_set
	list('actions'); // JSON 1.0 action module
	if (isComponent(el.extra)) out.push([el.extra, '.extra']); // JSON 1.0 div accessory
	if (el.button_area && Array.isArray(el.button_area.buttons)) el.button_area.buttons.forEach((c: unknown, i: number) => out.push([c, `.button_area.buttons[${i}]`]));
	return out;
}

/** The card's top-level component list (2.0 `body.elements`, 1.0 `elements` or the first locale). */
export function rootElements(card: Component): unknown[] {
	if (card.body && Array.isArray(card.body.elements)) return card.body.elements;
	if (Array.isArray(card.elements)) return card.elements;
	if (card.i18n_elements && typeof card.i18n_elements === 'object') {
		const first = Object.values(card.i18n_elements).find(Array.isArray);
		if (first) return first as unknown[];
	}
	return [];
}

export interface Visit {
	el: Component;
	path: string;
	/** The form container the component sits in, if any. */
	form?: Component;
	/** True when the component sits directly in the card's root list. */
	atRoot: boolean;
}

/** Every component of the card, depth first; entries that are not components are skipped. */
export function walk(card: Component): Visit[] {
	const out: Visit[] = [];
	const visit = (v: unknown, path: string, form: Component | undefined, atRoot: boolean) => {
		if (!isComponent(v)) return;
		out.push({ el: v, path, form, atRoot });
		const inner = v.tag === 'form' ? v : form;
		for (const [c, suffix] of childrenOf(v)) visit(c, path + suffix, inner, false);
	};
	const base = card.body ? 'body.elements' : 'elements';
	rootElements(card).forEach((c, i) => visit(c, `${base}[${i}]`, undefined, true));
	return out;
}

/** The value a component sends back: a callback behaviour's `value`, else the 1.0 `value`, else {}. */
export function callbackValue(el: Component): unknown {
	const cb = Array.isArray(el.behaviors) ? el.behaviors.find((b: any) => b && b.type === 'callback') : undefined;
	if (cb) return cb.value ?? {};
	return el.value ?? {};
}

/** Whether clicking the component reaches the app: it calls back, or it submits a form. */
export function callsBack(el: Component, form: Component | undefined): boolean {
	// Inside a form, fields only travel with the submit.
	if (form && FIELD_TAGS.has(el.tag)) return false;
	if (el.tag === 'button') {
		if (form && el.form_action_type === 'submit') return true;
		if (el.form_action_type === 'reset') return false;
		if (Array.isArray(el.behaviors)) return el.behaviors.some((b: any) => b && b.type === 'callback');
		return !el.url && !el.multi_url; // a 1.0 button with no link calls back with its value
	}
	if (el.tag === 'checker' || el.tag === 'interactive_container') return Array.isArray(el.behaviors) && el.behaviors.some((b: any) => b && b.type === 'callback');
	return INTERACTIVE_TAGS.has(el.tag);
}

/** Structural equality of two JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	const ka = Object.keys(a as object);
	const kb = Object.keys(b as object);
	return ka.length === kb.length && ka.every((k) => sameJson((a as any)[k], (b as any)[k]));
}
