// Card rendering for the sandbox chat page, and how a form container's inputs become `form_value`
// (docs/protocol.md, "Card forms (JSON 2.0)"). Plain JS, no build, no DOM access: app.js reads the
// DOM and calls these; test/sandbox/page.test.ts runs them in a VM.
(function (root) {
	'use strict';

	function esc(s) {
		return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
	}

	function safeHref(href) {
		return /^(https?:|mailto:)/i.test(String(href || '')) ? esc(href) : '#';
	}

	// Feishu's lark_md / markdown inline subset: **bold**, *italic*, ~~strike~~, `code`, [text](url), ![alt](img_key),
	// <at id=..></at>, <font color=..>, newlines. Escaped first, so only these tags come out.
	function md(text) {
		let h = esc(text);
		// Code spans first, kept aside so that nothing inside them is read as markup.
		const spans = [];
		h = h.replace(/`([^`]+)`/g, (_m, c) => '\u0000' + (spans.push('<code>' + c + '</code>') - 1) + '\u0000');
		h = h.replace(/&lt;at (?:id|user_id|open_id)=(?:&quot;|&#39;)?([^&\s]+?)(?:&quot;|&#39;)?&gt;(.*?)&lt;\/at&gt;/g, (_m, id, name) => '<span class="mention-tag">@' + (name || (id === 'all' ? 'All' : id)) + '</span>');
		h = h.replace(/&lt;font color=(?:&quot;|&#39;)?([A-Za-z-]+)(?:&quot;|&#39;)?&gt;(.*?)&lt;\/font&gt;/g, '<span style="color:$1">$2</span>');
		h = h.replace(/\*\*(.+?)\*\*/g, '<b>$1</b>').replace(/~~(.+?)~~/g, '<s>$1</s>').replace(/(^|[^*])\*(?!\s)(.+?)\*/g, '$1<i>$2</i>');
		h = h.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, alt, key) => '<img src="/_sandbox/resources/' + encodeURIComponent(key.replace(/&amp;/g, '&')) + '" alt="' + alt + '">');
		h = h.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, t, u) => '<a target="_blank" rel="noopener" href="' + safeHref(u.replace(/&amp;/g, '&')) + '">' + t + '</a>');
		h = h.replace(/\u0000(\d+)\u0000/g, (_m, n) => spans[Number(n)]);
		return h.replace(/\n/g, '<br>');
	}

	const FENCE = /^\s*(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/;
	const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
	const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
	const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
	const QUOTE = /^\s{0,3}>\s?(.*)$/;
	const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

	function tableCells(line) {
		return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
	}

	/** List lines from `lines[i]` on (items, and their indented continuation lines) as nested ul/ol. */
	function listBlock(lines, i) {
		const items = [];
		while (i < lines.length) {
			const m = ITEM.exec(lines[i]);
			if (m) {
				items.push({ indent: m[1].replace(/\t/g, '    ').length, ordered: /\d/.test(m[2]), start: parseInt(m[2], 10), text: m[3] });
				i++;
			} else if (items.length && lines[i].trim() && /^\s+/.test(lines[i])) {
				items[items.length - 1].text += '\n' + lines[i].trim();
				i++;
			} else break;
		}
		let html = '';
		const open = []; // {indent, tag}
		for (const it of items) {
			const tag = it.ordered ? 'ol' : 'ul';
			while (open.length > 1 && it.indent < open[open.length - 1].indent) html += '</li></' + open.pop().tag + '>';
			const top = open[open.length - 1];
			if (!top || it.indent > top.indent) {
				html += '<' + tag + (it.ordered && it.start !== 1 ? ' start="' + it.start + '"' : '') + '>';
				open.push({ indent: it.indent, tag });
			} else {
				html += '</li>';
				if (top.tag !== tag) {
					html += '</' + top.tag + '><' + tag + '>';
					top.tag = tag;
				}
			}
			html += '<li>' + md(it.text);
		}
		while (open.length) html += '</li></' + open.pop().tag + '>';
		return { html, next: i };
	}

	/**
	 * A card JSON 2.0 `markdown` component's content as blocks: headings, lists (nested by indent), fenced
	 * code, tables, quotes, rules and paragraphs, each line's inline markup by `md`. Text that is still
	 * streaming renders as far as it goes (a code fence not yet closed is code to the end).
	 */
	function mdBlock(text) {
		const lines = String(text == null ? '' : text).replace(/\r\n?/g, '\n').split('\n');
		const out = [];
		let para = [];
		const flush = () => {
			if (para.length) out.push('<p>' + para.map(md).join('<br>') + '</p>');
			para = [];
		};
		let i = 0;
		while (i < lines.length) {
			const line = lines[i];
			const fence = FENCE.exec(line);
			if (fence) {
				flush();
				const body = [];
				const close = new RegExp('^\\s*' + fence[1][0] + '{' + fence[1].length + ',}\\s*$');
				for (i++; i < lines.length && !close.test(lines[i]); i++) body.push(lines[i]);
				i++;
				out.push('<pre class="md-code"' + (fence[2] ? ' data-lang="' + esc(fence[2]) + '"' : '') + '><code>' + esc(body.join('\n')) + '</code></pre>');
				continue;
			}
			const heading = HEADING.exec(line);
			if (heading) {
				flush();
				const n = heading[1].length;
				out.push('<h' + n + ' class="md-h">' + md(heading[2]) + '</h' + n + '>');
				i++;
				continue;
			}
			if (RULE.test(line)) {
				flush();
				out.push('<hr>');
				i++;
				continue;
			}
			if (line.includes('|') && i + 1 < lines.length && lines[i + 1].includes('|') && TABLE_SEP.test(lines[i + 1])) {
				flush();
				const head = tableCells(line);
				const align = tableCells(lines[i + 1]).map((c) => (/^:-+:$/.test(c) ? 'center' : /-:$/.test(c) ? 'right' : /^:-/.test(c) ? 'left' : ''));
				const cell = (tag, c, k) => '<' + tag + (align[k] ? ' style="text-align:' + align[k] + '"' : '') + '>' + md(c) + '</' + tag + '>';
				let html = '<table class="md-table"><thead><tr>' + head.map((c, k) => cell('th', c, k)).join('') + '</tr></thead><tbody>';
				for (i += 2; i < lines.length && lines[i].includes('|') && lines[i].trim(); i++) {
					const row = tableCells(lines[i]);
					html += '<tr>' + head.map((_h, k) => cell('td', row[k] || '', k)).join('') + '</tr>';
				}
				out.push(html + '</tbody></table>');
				continue;
			}
			if (ITEM.test(line)) {
				flush();
				const list = listBlock(lines, i);
				out.push(list.html);
				i = list.next;
				continue;
			}
			if (QUOTE.test(line)) {
				flush();
				const quoted = [];
				for (; i < lines.length && QUOTE.test(lines[i]); i++) quoted.push(QUOTE.exec(lines[i])[1]);
				out.push('<blockquote>' + mdBlock(quoted.join('\n')) + '</blockquote>');
				continue;
			}
			if (!line.trim()) flush();
			else para.push(line);
			i++;
		}
		flush();
		return out.join('');
	}

	function plainText(t) {
		if (!t) return '';
		if (typeof t === 'string') return t;
		if (t.i18n) return t.i18n.zh_cn || t.i18n.en_us || Object.values(t.i18n)[0] || '';
		if (t.i18n_content) return t.i18n_content.zh_cn || t.i18n_content.en_us || Object.values(t.i18n_content)[0] || '';
		return t.content || '';
	}

	function textObj(t) {
		if (!t) return '';
		return t.tag === 'lark_md' || t.tag === 'markdown' ? md(t.content || '') : esc(plainText(t));
	}

	function callbackValue(el) {
		const cb = (el.behaviors || []).find((x) => x && x.type === 'callback');
		return (cb ? cb.value : el.value) || {};
	}

	function attr(name, value) {
		return value === undefined || value === null || value === false ? '' : ' ' + name + (value === true ? '' : '="' + esc(value) + '"');
	}

	function button(b, messageId, form) {
		const type = b.type === 'primary' || b.type === 'primary_filled' ? 'primary' : b.type === 'danger' || b.type === 'danger_filled' ? 'danger' : '';
		const link = b.url || (b.multi_url && b.multi_url.url) || ((b.behaviors || []).find((x) => x && x.type === 'open_url') || {}).default_url;
		const label = esc(plainText(b.text));
		const disabled = b.disabled === true;
		const tips = disabled ? plainText(b.disabled_tips) : plainText(b.hover_tips);
		const action = form && (b.form_action_type === 'submit' || b.form_action_type === 'reset') ? b.form_action_type : '';
		if (link && !action && !(b.behaviors || []).some((x) => x && x.type === 'callback')) {
			return '<a target="_blank" rel="noopener" href="' + safeHref(link) + '"><button type="button"' + attr('disabled', disabled) + '>' + label + '</button></a>';
		}
		const testid = action ? 'card-' + action + '-' + (b.name || form) : 'card-button' + (b.name ? '-' + b.name : '');
		return '<button type="button" class="' + [type, action ? 'card-' + action : '', disabled ? 'disabled' : ''].filter(Boolean).join(' ') + '"' +
			attr('data-testid', testid) + attr('title', tips || undefined) + attr('disabled', disabled) +
			(action === 'reset' ? attr('data-form-action', 'reset') : attr('data-click', messageId) + attr('data-value', JSON.stringify(callbackValue(b))) + attr('data-name', b.name || '') + attr('data-form-action', action || undefined)) +
			'>' + label + '</button>';
	}

	function labelFor(el) {
		const text = el.label ? plainText(el.label) : '';
		const star = el.required === true ? '<span class="card-required" title="required">*</span>' : '';
		return text || star ? '<span class="card-label">' + esc(text) + star + '</span>' : '';
	}

	/** An input component: a real control carrying data-field / data-kind for collectForm. */
	function field(el, form) {
		const name = el.name || '';
		const common = ' class="card-control"' + attr('data-field', name) + attr('data-kind', el.tag) + attr('data-required', el.required === true ? '1' : undefined) +
			attr('data-testid', 'card-input-' + name) + attr('disabled', el.disabled === true) + attr('required', el.required === true) +
			attr('title', el.disabled === true ? plainText(el.disabled_tips) || undefined : undefined) + (form ? '' : ' data-standalone="1"');
		const placeholder = plainText(el.placeholder);
		let control;
		switch (el.tag) {
			case 'input':
				control = el.input_type === 'multiline_text'
					? '<textarea' + common + attr('rows', el.rows || 5) + attr('maxlength', el.max_length || 1000) + attr('placeholder', placeholder || undefined) + '>' + esc(el.default_value || '') + '</textarea>'
					: '<input' + common + attr('type', el.input_type === 'password' ? 'password' : 'text') + attr('maxlength', el.max_length || 1000) + attr('placeholder', placeholder || undefined) + attr('value', el.default_value) + '>';
				break;
			case 'select_static':
			case 'multi_select_static': {
				const multi = el.tag === 'multi_select_static';
				const options = el.options || [];
				const initial = multi ? el.selected_values || [] : el.initial_option !== undefined ? [el.initial_option] : el.initial_index > 0 && options[el.initial_index - 1] ? [options[el.initial_index - 1].value] : [];
				control = '<select' + common + attr('multiple', multi) + attr('size', multi ? Math.min(Math.max(options.length, 2), 5) : undefined) + '>' +
					(multi ? '' : '<option value="">' + esc(placeholder || 'Select…') + '</option>') +
					options.map((o) => '<option' + attr('value', o.value) + attr('selected', initial.includes(o.value)) + '>' + esc(plainText(o.text)) + '</option>').join('') + '</select>';
				break;
			}
			case 'date_picker':
				control = '<input' + common + ' type="date"' + attr('value', el.initial_date) + attr('placeholder', placeholder || undefined) + '>';
				break;
			case 'picker_time':
				control = '<input' + common + ' type="time"' + attr('value', el.initial_time) + '>';
				break;
			case 'picker_datetime':
				control = '<input' + common + ' type="datetime-local"' + attr('value', el.initial_datetime ? el.initial_datetime.replace(' ', 'T') : undefined) + '>';
				break;
			case 'checker':
				return '<label class="card-field card-checker"' + attr('data-testid', 'card-field-' + name) + '><input' + common + ' type="checkbox"' + attr('checked', el.checked === true) + '> <span>' + textObj(el.text) + '</span>' +
					(el.required === true ? '<span class="card-required">*</span>' : '') + '</label>';
			default:
				control = '<input' + common + ' type="text"' + attr('placeholder', placeholder || el.tag) + '>';
		}
		return '<label class="card-field"' + attr('data-testid', 'card-field-' + name) + '>' + labelFor(el) + control + '</label>';
	}

	const FIELD_TAGS = ['input', 'select_static', 'multi_select_static', 'select_person', 'multi_select_person', 'date_picker', 'picker_time', 'picker_datetime', 'checker', 'select_img'];

	function cardElement(el, messageId, form) {
		if (!el || typeof el !== 'object') return '';
		const inner = (list) => (list || []).map((e) => cardElement(e, messageId, form)).join('');
		if (FIELD_TAGS.includes(el.tag)) return field(el, form);
		switch (el.tag) {
			case 'div': {
				let h = el.text ? '<div>' + textObj(el.text) + '</div>' : '';
				if (el.fields) h += '<div class="card-fields">' + el.fields.map((f) => '<div>' + textObj(f.text) + '</div>').join('') + '</div>';
				if (el.extra && el.extra.tag === 'button') h += '<div class="card-actions">' + button(el.extra, messageId, form) + '</div>';
				return h;
			}
			case 'markdown': return '<div class="md">' + mdBlock(el.content || '') + '</div>';
			case 'lark_md': return '<div>' + md(el.content || '') + '</div>';
			case 'plain_text': return '<div class="plain">' + esc(el.content) + '</div>';
			case 'hr': return '<hr>';
			case 'note': return '<div class="card-note">' + (el.elements || []).map((e) => e.tag === 'img' ? '' : textObj(e)).join(' ') + '</div>';
			case 'img': return '<img src="/_sandbox/resources/' + encodeURIComponent(el.img_key) + '" alt="' + esc(plainText(el.alt)) + '">';
			case 'action': return '<div class="card-actions">' + (el.actions || []).map((a) => a.tag === 'button' ? button(a, messageId, form) : cardElement(a, messageId, form)).join('') + '</div>';
			case 'button': return '<div class="card-actions">' + button(el, messageId, form) + '</div>';
			case 'column_set': return '<div class="columns">' + (el.columns || []).map((col) => '<div>' + inner(col.elements) + '</div>').join('') + '</div>';
			case 'column': case 'collapsible_panel': case 'interactive_container': return '<div>' + inner(el.elements) + '</div>';
			case 'form':
				return '<form class="card-form" novalidate' + attr('data-form', el.name) + attr('data-message', messageId) + attr('data-testid', 'card-form-' + el.name) + '>' +
					(el.elements || []).map((e) => cardElement(e, messageId, el.name)).join('') + '</form>';
			default: return el.text ? '<div>' + textObj(el.text) + '</div>' : '';
		}
	}

	/**
	 * A card as the chat shows it. `opts.streaming`: the card is a CardKit entity in streaming mode (the page
	 * reads that from /_sandbox/cardkit/cards), shown with a typing indicator as Feishu's client does.
	 */
	function renderCard(card, messageId, opts) {
		const streaming = !!(opts && opts.streaming);
		const typing = streaming ? '<div class="card-typing" data-testid="card-typing" title="The card is in streaming mode">typing<span class="dots"><i>.</i><i>.</i><i>.</i></span></div>' : '';
		if (card.type === 'template') return '<div class="card"><div class="card-body">Template card <code>' + esc(card.data && card.data.template_id) + '</code> (templates are not rendered in the sandbox)' + typing + '</div></div>';
		const header = card.header || {};
		const title = header.title ? plainText(header.title) : '';
		const elements = (card.body && card.body.elements) || card.elements || (card.i18n_elements && (card.i18n_elements.zh_cn || card.i18n_elements.en_us || Object.values(card.i18n_elements)[0])) || [];
		return '<div class="card' + (streaming ? ' streaming' : '') + '"' + (streaming ? ' data-streaming="1"' : '') + '>' +
			(title ? '<div class="card-header ' + esc(header.template || 'blue') + '">' + esc(title) + '</div>' : '') +
			'<div class="card-body">' + elements.map((e) => cardElement(e, messageId)).join('') + typing + '</div></div>';
	}

	/** "+0800" for 480 minutes east of UTC (what Feishu's client appends to dates and times). */
	function utcOffset(minutesEast) {
		const m = Math.abs(minutesEast);
		return (minutesEast < 0 ? '-' : '+') + String(Math.floor(m / 60)).padStart(2, '0') + String(m % 60).padStart(2, '0');
	}

	/**
	 * A form's controls ({name, kind, value, values?, checked?, required?}) as Feishu's client sends them:
	 * input and select the string, multi-select an array of option values, checker a boolean, dates
	 * and times with the UTC offset. Empty optional fields are left out; empty required ones are listed
	 * in `missing` (the client then shows an error and sends nothing).
	 */
	function collectForm(controls, minutesEast) {
		const formValue = {};
		const missing = [];
		const offset = utcOffset(minutesEast);
		for (const c of controls) {
			let v;
			switch (c.kind) {
				case 'checker': v = !!c.checked; break;
				case 'multi_select_static': case 'multi_select_person': v = (c.values || []).slice(); break;
				case 'date_picker': case 'picker_time': v = c.value ? c.value + ' ' + offset : ''; break;
				case 'picker_datetime': v = c.value ? c.value.replace('T', ' ') + ' ' + offset : ''; break;
				default: v = c.value == null ? '' : String(c.value);
			}
			if (v === '' || (Array.isArray(v) && !v.length)) {
				if (c.required) missing.push(c.name);
				continue;
			}
			formValue[c.name] = v;
		}
		return { formValue, missing };
	}

	root.SandboxCards = { esc, safeHref, md, mdBlock, plainText, textObj, renderCard, utcOffset, collectForm };
})(typeof window !== 'undefined' ? window : globalThis);
