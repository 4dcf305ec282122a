// What a card.action.trigger answer may contain (docs/protocol.md, "Card callbacks"): `{}`, a toast
// `{type: info|success|error|warning, content | i18n}`, and/or a card `{type: raw, data}` /
// `{type: template, data: {template_id}}`. Old-style answers (a bare card) are accepted too.
// Anything else is refused the way the client shows it to the user (error 200672, an inference).

const TOAST_TYPES = ['info', 'success', 'error', 'warning'];

export function callbackAnswerProblem(answer: unknown): string | undefined {
	if (answer === undefined || answer === null) return undefined;
	if (typeof answer !== 'object' || Array.isArray(answer)) return `the answer must be a JSON object, got ${JSON.stringify(answer).slice(0, 80)}`;
	const a = answer as Record<string, any>;
	if (a.toast !== undefined) {
		const t = a.toast;
		if (!t || typeof t !== 'object') return 'toast must be an object';
		if (t.type !== undefined && !TOAST_TYPES.includes(t.type)) return `toast.type must be one of ${TOAST_TYPES.join(', ')}`;
		if (typeof t.content !== 'string' && (typeof t.i18n !== 'object' || t.i18n === null)) return 'toast needs "content" (or "i18n")';
	}
	if (a.card !== undefined) {
		const c = a.card;
		if (!c || typeof c !== 'object') return 'card must be an object';
		if (c.type === 'raw' && (typeof c.data !== 'object' || c.data === null)) return 'a raw card needs "data" (the card JSON)';
		if (c.type === 'template' && typeof c.data?.template_id !== 'string') return 'a template card needs data.template_id';
		if (c.type !== 'raw' && c.type !== 'template' && !c.elements && !c.header && !c.body) return 'card.type must be "raw" or "template"';
	}
	return undefined;
}
