// n8n's page for a Send and Wait request answered outside Feishu (Options > Answer On, or no Feishu
// Trigger for the app): the card's buttons open the node's resume URL in a browser. Approval links
// answer on open, as n8n's own send-and-wait links do; free text and custom forms get a plain HTML
// form that posts back to the same signed URL. Everything shown is escaped.
import type { IDataObject } from 'n8n-workflow';
import { type WaitFormField, waitFieldName } from '../../../lib/feishu';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A whole page: a title and body HTML (already escaped). */
export function answerPage(title: string, body: string): string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2329}label{display:block;margin:1rem 0 .3rem;font-weight:600}input:not([type=checkbox]),select,textarea{width:100%;padding:.5rem;box-sizing:border-box}.error{color:#d83931}.message{white-space:pre-wrap}button{margin-top:1.5rem;padding:.6rem 1.4rem;background:#3370ff;color:#fff;border:0;border-radius:6px}</style></head><body>${body}</body></html>`;
}

/** The page that tells the person their answer was taken, or why it was not. */
export function notePage(heading: string, text: string): string {
	return answerPage(heading, `<h1>${escape(heading)}</h1><p>${escape(text)}</p>`);
}

function fieldHtml(field: WaitFormField, index: number, value: unknown): string {
	const name = waitFieldName(index);
	const required = field.required ? ' required' : '';
	const label = `<label for="${name}">${escape(field.label)}</label>`;
	const placeholder = field.placeholder ? ` placeholder="${escape(field.placeholder)}"` : '';
	const current = value === undefined || value === null ? '' : String(value);
	switch (field.type) {
		case 'checkbox':
			return `<label><input type="checkbox" id="${name}" name="${name}" value="true"${value === true ? ' checked' : ''}> ${escape(field.label)}</label>`;
		case 'textarea':
			return `${label}<textarea id="${name}" name="${name}" rows="4"${placeholder}${required}>${escape(current)}</textarea>`;
		case 'dropdown':
		case 'multiSelect': {
			const chosen = new Set((Array.isArray(value) ? value : [value]).map(String));
			const options = (field.options ?? []).map((o) => `<option value="${escape(o)}"${chosen.has(o) ? ' selected' : ''}>${escape(o)}</option>`).join('');
			const blank = field.type === 'dropdown' ? '<option value=""></option>' : '';
			return `${label}<select id="${name}" name="${name}"${field.type === 'multiSelect' ? ' multiple' : ''}${required}>${blank}${options}</select>`;
		}
		default: {
			const type = field.type === 'text' ? 'text' : field.type;
			return `${label}<input type="${type}" id="${name}" name="${name}" value="${escape(current)}"${placeholder}${required}>`;
		}
	}
}

/** The form page: the request's message, the fields (with what was typed and what was wrong, after a refused submit). */
export function formPage(o: { title?: string; message: string; fields: WaitFormField[]; submitLabel: string; error?: string; values?: Record<string, unknown> }): string {
	const heading = o.title ? `<h1>${escape(o.title)}</h1>` : '';
	const error = o.error ? `<p class="error" role="alert">${escape(o.error)}</p>` : '';
	const fields = o.fields.map((f, k) => fieldHtml(f, k, o.values?.[waitFieldName(k)])).join('');
	return answerPage(o.title ?? 'Your answer', `${heading}<p class="message">${escape(o.message)}</p>${error}<form method="post">${fields}<button type="submit">${escape(o.submitLabel)}</button></form>`);
}

/**
 * The posted form as Feishu's form_value would carry it, for waitFormValues: by field name, a
 * checkbox as a boolean, a multi-select as a list, the rest as text.
 */
export function pageFormValue(fields: readonly WaitFormField[], body: IDataObject): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	fields.forEach((field, index) => {
		const name = waitFieldName(index);
		const raw = body[name];
		if (field.type === 'checkbox') out[name] = raw !== undefined && raw !== '' && raw !== 'false';
		else if (field.type === 'multiSelect') out[name] = raw === undefined || raw === '' ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
		else if (raw !== undefined) out[name] = Array.isArray(raw) ? String(raw[0]) : String(raw);
	});
	return out;
}
