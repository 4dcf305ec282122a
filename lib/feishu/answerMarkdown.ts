// An AI model's Markdown answer, made fit for the `markdown` component of a card JSON 2.0, and long answers
// split into parts that each fit one card. Pure string functions (docs/protocol.md, "Markdown in cards").
//
// What Feishu's rich text (JSON 2.0) renders, and what this module does about the rest:
// - Standard CommonMark but HTML blocks, plus a few tags of its own (<br> <hr> <at> <a> <font> <link> <person>
//   <text_tag> <number_tag> <local_datetime> <raw>). A stray `<tag>` from a model may break the render, and a
//   model's `<at id=all>` would notify the whole group: every `<` outside code becomes `&#60;` (Feishu's
//   escape form `&#number;`), but for `<br>`; common inline HTML (`<b>`, `<a href>`, `<img>`, ...) is turned
//   into Markdown first, layout tags are dropped, comments removed.
// - Headings `#`..`######`; bold, italic, `~~strike~~`; links only with http(s) (and tel:), so relative links
//   become their text and `www.` links get `https://`.
// - Lists nest by 4 spaces a level: 2- or 3-space nesting from a model is re-indented.
// - Images are `![hover](image_key)` only, with a key from the image upload API: an image by URL becomes a link.
// - Code blocks with a language from Feishu's list (case-insensitive, none = plain text): aliases (`ts`, `py`,
//   `sh`, ...) are mapped, unknown names dropped, `~~~` fences made backtick fences, an open fence closed.
// - Markdown tables: at most 4 in one markdown component (each shows 5 rows a page, the rest paged): tables
//   past the 4th become code blocks of their rows. splitAnswer keeps each part to 4 tables as well.
// - `---` must stand on a line of its own: a blank line goes before it, so it is a rule and not a heading's
//   underline. A lone `~` (GFM strikethrough) is escaped.

/** Markdown tables Feishu renders in one markdown component. */
export const MAX_TABLES_PER_ELEMENT = 4;

/**
 * The characters of answer Markdown one card carries. Feishu takes an interactive message's content (the
 * card JSON) up to 30 KB (send message API: text 150 KB, post and card 30 KB; see docs/protocol.md, "Send and
 * reply"). Serialised, one character of the markdown costs at most 3 bytes after toCardMarkdown (a BMP
 * character in UTF-8; `"`, `\` and newline are 2 bytes escaped, control characters are removed), so
 * 8,000 characters take at most 24,000 bytes and leave 6.7 KB for the rest of the card (header, buttons,
 * notes). It is also well under the size at which CardKit refuses a streamed markdown element (230099 /
 * 11310 "element exceeds the limit"), which the official Node SDK rolls over at 30,000 characters.
 */
export const ANSWER_PART_MAX = 8000;

// ---- block scanning (shared) ----

interface Fence {
	/** The opening line, verbatim. */
	line: string;
	indent: string;
	char: '`' | '~';
	len: number;
	info: string;
}

type Kind = 'text' | 'blank' | 'fence-open' | 'code' | 'fence-close' | 'table-head' | 'table-delim' | 'table-row';

interface LineInfo {
	kind: Kind;
	fence?: Fence;
	/** For table lines: the index of the table's header line. */
	head?: number;
}

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;
const TABLE_DELIM = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

function openFence(line: string): Fence | undefined {
	const m = FENCE_OPEN.exec(line);
	if (!m) return undefined;
	const char = m[2][0] as '`' | '~';
	if (char === '`' && m[3].includes('`')) return undefined;
	return { line, indent: m[1], char, len: m[2].length, info: m[3].trim() };
}

function closes(line: string, f: Fence): boolean {
	const m = FENCE_CLOSE.exec(line);
	return !!m && m[1][0] === f.char && m[1].length >= f.len;
}

const closerOf = (f: Fence) => f.indent + f.char.repeat(f.len);

/** The cells of a table line (outer pipes dropped, `\|` kept inside a cell). */
function cells(line: string): string[] {
	let s = line.trim();
	if (s.startsWith('|')) s = s.slice(1);
	if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
	return s.split(/(?<!\\)\|/);
}

function tableStarts(lines: string[], i: number): boolean {
	const head = lines[i];
	const delim = lines[i + 1];
	return (
		delim !== undefined && head.includes('|') && head.trim() !== '' && delim.includes('|') && TABLE_DELIM.test(delim) &&
		cells(head).length === cells(delim).length
	);
}

const isBlank = (line: string) => line.trim() === '';

/** Each line's place: prose, code fence, table. Fences open at any indentation (models indent them in lists). */
function scan(lines: string[]): LineInfo[] {
	const info: LineInfo[] = [];
	let fence: Fence | undefined;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		if (fence) {
			if (closes(line, fence)) {
				info.push({ kind: 'fence-close', fence });
				fence = undefined;
			} else info.push({ kind: 'code', fence });
			continue;
		}
		const f = openFence(line);
		if (f) {
			fence = f;
			info.push({ kind: 'fence-open', fence: f });
			continue;
		}
		if (tableStarts(lines, i)) {
			const head = i;
			info.push({ kind: 'table-head', head }, { kind: 'table-delim', head });
			i += 2;
			while (i < lines.length && !isBlank(lines[i]) && lines[i].includes('|') && !openFence(lines[i])) {
				info.push({ kind: 'table-row', head });
				i++;
			}
			i--;
			continue;
		}
		info.push({ kind: isBlank(line) ? 'blank' : 'text' });
	}
	return info;
}

// ---- code languages ----

// Feishu's code block languages (rich text component, "code block languages"), case-insensitive.
const LANGUAGES = new Set(
	('plain_text abap ada apache apex assembly bash c c_sharp cpp cmake cobol coffee_script css d dart delphi diff ' +
		'django docker_file erlang fortran gherkin go graphql groovy haskell html htmlbars http java javascript json ' +
		'julia kotlin latex lisp lua makefile markdown matlab nginx objective_c opengl_shading_language perl php ' +
		'powershell prolog properties protobuf python r ruby rust sas scala scheme scss shell solidity sql swift ' +
		'thrift toml typescript vbscript visual_basic xml yaml').split(' '),
);

const LANGUAGE_ALIASES: Record<string, string> = {
	js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript', node: 'javascript',
	ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript',
	py: 'python', py3: 'python', python3: 'python',
	sh: 'bash', zsh: 'bash', ksh: 'bash', console: 'shell', terminal: 'shell', shellscript: 'shell',
	'c++': 'cpp', cc: 'cpp', cxx: 'cpp', hpp: 'cpp', h: 'c',
	cs: 'c_sharp', csharp: 'c_sharp', 'c#': 'c_sharp',
	objc: 'objective_c', 'objective-c': 'objective_c', objectivec: 'objective_c', 'obj-c': 'objective_c',
	dockerfile: 'docker_file', docker: 'docker_file',
	yml: 'yaml', md: 'markdown', mdx: 'markdown', golang: 'go', rb: 'ruby', rs: 'rust', kt: 'kotlin', kts: 'kotlin',
	ps1: 'powershell', pwsh: 'powershell', ps: 'powershell', proto: 'protobuf', proto3: 'protobuf',
	vb: 'visual_basic', vbnet: 'visual_basic', 'vb.net': 'visual_basic', vbs: 'vbscript',
	text: 'plain_text', txt: 'plain_text', plaintext: 'plain_text', plain: 'plain_text', output: 'plain_text', log: 'plain_text',
	coffee: 'coffee_script', coffeescript: 'coffee_script', make: 'makefile', mk: 'makefile', glsl: 'opengl_shading_language',
	tex: 'latex', patch: 'diff', htm: 'html', xhtml: 'html', svg: 'xml', xsl: 'xml', ini: 'properties',
	gql: 'graphql', jsonc: 'json', json5: 'json', asm: 'assembly', nasm: 'assembly', erl: 'erlang', hs: 'haskell',
	jl: 'julia', pl: 'perl', sol: 'solidity', scm: 'scheme', sass: 'scss', less: 'css', clojure: 'lisp', elisp: 'lisp',
	postgres: 'sql', postgresql: 'sql', mysql: 'sql', sqlite: 'sql', plsql: 'sql', tsql: 'sql', gradle: 'groovy',
};

/** Feishu's name for a fence's language, or '' (plain text) when Feishu has none for it. */
function codeLanguage(info: string): string {
	const word = (info.split(/[\s{,]/)[0] ?? '').toLowerCase().replace(/^\./, '');
	if (LANGUAGES.has(word)) return word;
	return LANGUAGE_ALIASES[word] ?? '';
}

// ---- inline text ----

const MASK_OPEN = '\uFDD0';
const MASK_CLOSE = '\uFDD1';
const PUNCT = /[\p{P}\p{S}]/u;
const SPACE = /\s/u;

/** Replaces code spans by placeholders so the rest of the line can be rewritten around them. */
function maskCode(line: string): { masked: string; spans: string[] } {
	const spans: string[] = [];
	let masked = '';
	let i = 0;
	while (i < line.length) {
		if (line[i] !== '`') {
			masked += line[i++];
			continue;
		}
		let run = 1;
		while (line[i + run] === '`') run++;
		let j = i + run;
		let end = -1;
		while (j < line.length) {
			const k = line.indexOf('`', j);
			if (k < 0) break;
			let r = 1;
			while (line[k + r] === '`') r++;
			if (r === run) {
				end = k + r;
				break;
			}
			j = k + r;
		}
		if (end < 0) {
			masked += line.slice(i, i + run);
			i += run;
			continue;
		}
		masked += `${MASK_OPEN}${spans.push(line.slice(i, end)) - 1}${MASK_CLOSE}`;
		i = end;
	}
	return { masked, spans };
}

const MASKED = new RegExp(`${MASK_OPEN}(\\d+)${MASK_CLOSE}`, 'g');
function unmask(s: string, spans: string[]): string {
	let out = s;
	while (out.includes(MASK_OPEN)) out = out.replace(MASKED, (_m, n: string) => spans[Number(n)]);
	return out;
}

const IMAGE_KEY = /^img_[\w-]+$/;
const HTTP = /^https?:\/\//i;

/** A link as Feishu takes it: http(s) and tel: kept, `www.` given https, anything else reduced to its text. */
function link(text: string, dest: string): string {
	if (HTTP.test(dest) || /^tel:/i.test(dest)) return `[${text}](${dest})`;
	if (/^www\./i.test(dest)) return `[${text}](https://${dest})`;
	if (/^mailto:/i.test(dest)) {
		const address = dest.slice(7);
		return text.trim() === address || !text.trim() ? address : `${text} (${address})`;
	}
	return text;
}

/** An image: kept when it points at an uploaded image_key, else a link to its URL, else its alt text. */
function image(alt: string, dest: string): string {
	if (IMAGE_KEY.test(dest)) return `![${alt}](${dest})`;
	if (HTTP.test(dest)) return `[${alt.trim() || dest}](${dest})`;
	return alt;
}

const DEST = String.raw`\(\s*<?([^\s()<>]*)>?(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)`;
const LINKED_IMAGE = new RegExp(String.raw`\[!\[([^\]]*)\]${DEST}\]${DEST}`, 'g');
const MD_IMAGE = new RegExp(String.raw`!\[([^\]]*)\]${DEST}`, 'g');
const MD_LINK = new RegExp(String.raw`(?<!!)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]${DEST}`, 'g');

const attr = (tag: string, name: string) => new RegExp(String.raw`\b${name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`, 'i').exec(tag);
const attrValue = (tag: string, name: string) => {
	const m = attr(tag, name);
	return m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
};

const decodeEntities = (s: string) =>
	s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

function codeSpan(content: string): string {
	const c = decodeEntities(content);
	return c.includes('`') ? `\`\` ${c} \`\`` : `\`${c}\``;
}

const PAIRED: [RegExp, (inner: string) => string][] = [
	[/<(b|strong)(?:\s[^<>]*)?>(.*?)<\/\1\s*>/gi, (s) => (s.trim() ? `**${s}**` : s)],
	[/<(i|em)(?:\s[^<>]*)?>(.*?)<\/\1\s*>/gi, (s) => (s.trim() ? `*${s}*` : s)],
	[/<(s|del|strike)(?:\s[^<>]*)?>(.*?)<\/\1\s*>/gi, (s) => (s.trim() ? `~~${s}~~` : s)],
];
const HTML_CODE = /<(code|kbd|samp|tt)(?:\s[^<>]*)?>(.*?)<\/\1\s*>/gi;

// Tags that only lay out or colour text: dropped, their text kept.
const UNWRAP =
	/<\/?(?:u|ins|span|mark|small|big|sup|sub|p|div|center|font|text_tag|abbr|cite|q|details|summary|section|article|header|footer|main|aside|nav|figure|figcaption|blockquote)(?:\s[^<>]*)?\/?>/gi;

/** Makes bold / strikethrough pairs that CommonMark's flanking rules would miss (e.g. `是**"引号"**的`) render,
 * with the spaces around them Feishu's docs advise. */
function fixFlanking(s: string): string {
	return s.replace(/(\*\*|~~)(?=\S)(.+?)(?<=\S)\1/gu, (m: string, _d: string, inner: string, offset: number, all: string) => {
		const before = all[offset - 1] ?? '';
		const after = all[offset + m.length] ?? '';
		const wordy = (c: string) => c !== '' && !SPACE.test(c) && !PUNCT.test(c);
		const pre = wordy(before) && PUNCT.test(inner[0]) ? ' ' : '';
		const post = wordy(after) && PUNCT.test(inner[inner.length - 1]) ? ' ' : '';
		return pre + m + post;
	});
}

/** One line of prose (a heading, list item, quote, table row or paragraph line), outside code. */
function inline(line: string): string {
	const { masked, spans } = maskCode(line);
	let s = masked.replace(/<((?:https?|tel):[^\s<>]*)>/gi, '[$1]($1)');
	s = s.replace(/<(?:mailto:)?([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)>/gi, '$1');
	s = s.replace(/<img\b[^<>]*>/gi, (tag) => image(attrValue(tag, 'alt'), attrValue(tag, 'src')));
	s = s.replace(/<a\b([^<>]*)>(.*?)<\/a\s*>/gi, (_m, attrs: string, text: string) => {
		const href = attrValue(attrs, 'href');
		return href ? `[${text || href}](${href})` : text;
	});
	const keep = (m: string) => `${MASK_OPEN}${spans.push(m) - 1}${MASK_CLOSE}`;
	s = s.replace(HTML_CODE, (_m, _t: string, inner: string) => (inner ? keep(codeSpan(inner)) : ''));
	for (const [re, to] of PAIRED) s = s.replace(re, (_m, _t: string, inner: string) => to(inner));
	s = s.replace(UNWRAP, '');
	s = s.replace(/<br\s*\/?>/gi, '<br>');
	s = s.replace(LINKED_IMAGE, (m, alt: string, src: string, href: string) => (IMAGE_KEY.test(src) ? m : link(alt || href, href)));
	s = s.replace(MD_IMAGE, (_m, alt: string, dest: string) => image(alt, dest));
	s = s.replace(MD_LINK, (_m, text: string, dest: string) => link(text, dest));
	// Link targets and bare URLs are left as they are by the escapes below.
	s = s.replace(/\]\([^()\s]*\)/g, keep).replace(/\bhttps?:\/\/[^\s<>()\uFDD0]+/gi, keep);
	s = s.replace(/<(?!br>)/g, '&#60;');
	s = s.replace(/(?<!~)~(?!~)/g, '&#126;');
	s = fixFlanking(s);
	return unmask(s, spans);
}

// ---- lists ----

interface ListItem {
	indent: number;
	level: number;
	/** How far this item moved: its content (continuation lines, code) moves as much. */
	delta: number;
}

const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)])(?: +(.*))?$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const leadingSpaces = (line: string) => /^ */.exec(line)![0].length;
const expandTabs = (line: string) => line.replace(/^[ \t]+/, (ws) => ws.replace(/\t/g, '    '));

function shift(line: string, delta: number): string {
	if (delta >= 0) return ' '.repeat(delta) + line;
	const n = Math.min(-delta, leadingSpaces(line));
	return line.slice(n);
}

class Lists {
	private stack: ListItem[] = [];

	get active(): boolean {
		return this.stack.length > 0;
	}

	reset(): void {
		this.stack = [];
	}

	/** The nesting level of a list item at `indent`: deeper by 2+ spaces is a child, within 1 a sibling. */
	item(indent: number): ListItem {
		let level = 0;
		for (;;) {
			const top = this.stack[this.stack.length - 1];
			if (!top) break;
			if (indent >= top.indent + 2) {
				level = top.level + 1;
				break;
			}
			this.stack.pop();
			if (indent >= top.indent - 1) {
				level = top.level;
				break;
			}
		}
		const item = { indent, level, delta: level * 4 - indent };
		this.stack.push(item);
		return item;
	}

	/** The item a line indented by `indent` belongs to (the deepest one left of it). */
	owner(indent: number): ListItem | undefined {
		for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i].indent < indent) return this.stack[i];
		return this.stack[0];
	}
}

// ---- toCardMarkdown ----

function clean(text: string): string {
	return text
		.replace(/\r\n?|\u2028|\u2029/g, '\n')
		.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFEFF\uFDD0\uFDD1]/g, '');
}

/** Drops HTML comments (closed ones, also over several lines) outside code blocks and code spans. */
function withoutComments(lines: string[]): string[] {
	const info = scan(lines);
	const out: string[] = [];
	let run: string[] = [];
	const flush = () => {
		if (run.length === 0) return;
		const masked = run.map(maskCode);
		const spans: string[] = [];
		const joined = masked
			.map((m) => m.masked.replace(MASKED, (_x, n: string) => `${MASK_OPEN}${spans.push(m.spans[Number(n)]) - 1}${MASK_CLOSE}`))
			.join('\n');
		out.push(...unmask(joined.replace(/<!--[\s\S]*?-->/g, ''), spans).split('\n'));
		run = [];
	};
	lines.forEach((line, i) => {
		const kind = info[i].kind;
		if (kind === 'fence-open' || kind === 'code' || kind === 'fence-close') {
			flush();
			out.push(line);
		} else run.push(line);
	});
	flush();
	return out;
}

/**
 * Normalises a model's Markdown answer for one card JSON 2.0 `markdown` component: escapes stray HTML,
 * turns image URLs into links, re-indents nested lists to Feishu's 4 spaces, maps code languages, closes an
 * open fence, turns tables past Feishu's 4 into code blocks. Idempotent. For a long answer, normalise first,
 * then `splitAnswer(toCardMarkdown(text), ANSWER_PART_MAX)`.
 */
export function toCardMarkdown(text: string): string {
	const lines = withoutComments(clean(text).split('\n'));
	const info = scan(lines);
	const out: string[] = [];
	const lists = new Lists();
	let tables = 0;
	let prevBlank = true;
	let indentedCode = false;

	const blank = () => {
		if (out.length > 0 && out[out.length - 1] !== '') out.push('');
		prevBlank = true;
	};
	const push = (line: string) => {
		out.push(line);
		prevBlank = false;
	};

	for (let i = 0; i < lines.length; i++) {
		const { kind, fence } = info[i];

		if (kind === 'fence-open' && fence) {
			indentedCode = false;
			let end = i + 1;
			while (end < lines.length && info[end].kind === 'code') end++;
			const body = lines.slice(i + 1, end);
			const indent = fence.indent.replace(/\t/g, '    ').length;
			const delta = lists.active && indent > 0 ? (lists.owner(indent)?.delta ?? -indent) : -indent;
			if (!lists.active || indent === 0) lists.reset();
			let ticks = fence.char === '`' ? fence.len : 3;
			for (const b of body) {
				const m = /^[ \t]*(`{3,})/.exec(b);
				if (m && m[1].length >= ticks) ticks = m[1].length + 1;
			}
			const pad = ' '.repeat(Math.max(0, indent + delta));
			const fenceLine = pad + '`'.repeat(ticks);
			push(fenceLine + codeLanguage(fence.info));
			for (const b of body) out.push(shift(b, delta));
			push(fenceLine);
			i = end; // the closing line (or past the end: an open fence is closed here)
			continue;
		}

		if (kind === 'table-head') {
			indentedCode = false;
			lists.reset();
			let end = i + 2;
			while (end < lines.length && info[end].kind === 'table-row') end++;
			const rows = lines.slice(i, end).map((l) => expandTabs(l).trim());
			blank();
			if (tables++ < MAX_TABLES_PER_ELEMENT) for (const r of rows) push(inline(r));
			else {
				push('```');
				for (const r of rows) out.push(r);
				push('```');
			}
			blank();
			i = end - 1;
			continue;
		}

		const line = expandTabs(lines[i]);
		if (kind === 'blank') {
			if (indentedCode) out.push('');
			else blank();
			continue;
		}

		const indent = leadingSpaces(line);
		// Indented code (4+ spaces after a blank line, outside a list) stays as it is.
		if (indentedCode && indent >= 4) {
			out.push(line);
			continue;
		}
		indentedCode = false;
		if (!lists.active && prevBlank && indent >= 4) {
			indentedCode = true;
			push(line);
			continue;
		}

		if (RULE.test(line) || /^ {0,3}<hr\s*\/?>\s*$/i.test(line)) {
			lists.reset();
			blank();
			push('---');
			blank();
			continue;
		}

		const item = LIST_ITEM.exec(line);
		if (item && !(indent >= 4 && !lists.active)) {
			const { level } = lists.item(indent);
			let rest = item[3] ?? '';
			rest = rest.replace(/^\[( |x|X)\](?=\s|$)/, (_m, x: string) => (x === ' ' ? '☐' : '☑'));
			push(' '.repeat(level * 4) + item[2] + (rest ? ` ${inline(rest)}` : ''));
			continue;
		}

		if (lists.active) {
			if (indent > 0) {
				const owner = lists.owner(indent);
				push(inline(shift(line, owner ? owner.delta : 0)));
				continue;
			}
			if (prevBlank || /^(#{1,6}(\s|$)|>)/.test(line)) lists.reset();
		}
		push(inline(line));
	}

	while (out.length > 0 && out[out.length - 1] === '') out.pop();
	while (out.length > 0 && out[0] === '') out.shift();
	return out.join('\n');
}

// ---- splitAnswer ----

interface Unit {
	text: string;
	/** What joins this unit to the next in the text: a newline, or nothing inside a line broken for length. */
	sep: '\n' | '';
	kind: Kind;
	fence?: Fence;
	/** Header and delimiter lines of the unit's table. */
	table?: string;
	/** Starts a table. */
	tableStart: boolean;
	heading: boolean;
}

interface Cut {
	priority: number;
	/** Closes the part (a fence). */
	suffix: string;
	/** Opens the next part (the fence again, or the table's header). */
	prefix: string;
	prefixTable: boolean;
}

/** Breaks an over-long line into pieces of at most `limit`, at a space where one is near. */
function chunk(line: string, limit: number): string[] {
	const out: string[] = [];
	let rest = line;
	while (rest.length > limit) {
		let at = rest.lastIndexOf(' ', limit - 1) + 1;
		if (at < limit / 2) at = limit;
		const c = rest.charCodeAt(at - 1);
		if (c >= 0xd800 && c <= 0xdbff) at--;
		out.push(rest.slice(0, at));
		rest = rest.slice(at);
	}
	out.push(rest);
	return out;
}

function units(lines: string[], maxChars: number): Unit[] {
	const info = scan(lines);
	const out: Unit[] = [];
	lines.forEach((line, i) => {
		const { kind, fence, head } = info[i];
		const table = head !== undefined ? `${lines[head]}\n${lines[head + 1]}` : undefined;
		let limit = maxChars;
		if (kind === 'code' && fence) {
			const overhead = fence.line.length + closerOf(fence).length + 2;
			if (overhead <= maxChars / 2) limit = maxChars - overhead;
		}
		const pieces = chunk(line, limit);
		pieces.forEach((text, p) =>
			out.push({
				text,
				sep: p < pieces.length - 1 ? '' : '\n',
				kind,
				fence,
				table,
				tableStart: kind === 'table-head' && p === 0,
				heading: kind === 'text' && p === 0 && /^ {0,3}#{1,6}(\s|$)/.test(line),
			}),
		);
	});
	return out;
}

/** Where a part may end between units `k - 1` and `k`, and what that takes. */
function cutBefore(us: Unit[], k: number): Cut | undefined {
	const u = us[k - 1];
	const v = us[k];
	const none = { suffix: '', prefix: '', prefixTable: false };
	const inFence = u.kind === 'code' && v.kind === 'code' && u.fence;
	if (u.sep === '') {
		return inFence
			? { priority: 0, suffix: `\n${closerOf(u.fence!)}`, prefix: `${u.fence!.line}\n`, prefixTable: false }
			: { priority: 0, ...none };
	}
	if (inFence) return { priority: 1, suffix: `\n${closerOf(u.fence!)}`, prefix: `${u.fence!.line}\n`, prefixTable: false };
	if (u.kind === 'fence-open' || v.kind === 'fence-close' || u.kind === 'code') return undefined;
	if (u.kind === 'table-head' || u.kind === 'table-delim') return undefined;
	if (u.kind === 'table-row' && v.kind === 'table-row') return { priority: 2, suffix: '', prefix: `${u.table}\n`, prefixTable: true };
	// Not right after a heading: it belongs with what follows.
	let h = k - 1;
	while (h > 0 && us[h].kind === 'blank') h--;
	if (us[h].heading) return { priority: 2, ...none };
	const boundary = (u.kind === 'blank' && v.kind !== 'blank') || v.heading || u.kind === 'fence-close' || u.kind === 'table-row';
	return { priority: boundary ? 4 : 3, ...none };
}

/**
 * Splits `text` into parts of at most `maxChars` characters (and at most 4 tables each), cutting at a blank
 * line or before a heading where it can, else at a line end, else between table rows (the next part repeats
 * the table's header) or code lines (the part closes the fence, the next reopens it with the same language).
 * Only a line longer than a whole part is broken, at a space. Taking out the added fence and header lines and
 * joining the parts with a newline (nothing where a long line was broken) gives back `text` (with `\r\n` read
 * as `\n`). Returns [] for blank text.
 */
export function splitAnswer(text: string, maxChars: number): string[] {
	if (!Number.isInteger(maxChars) || maxChars < 16) throw new RangeError(`maxChars must be an integer of at least 16, got ${maxChars}`);
	const normalised = text.replace(/\r\n?/g, '\n');
	if (isBlank(normalised)) return [];
	const lines = normalised.split('\n');
	const us = units(lines, maxChars);
	const parts: string[] = [];
	let start = 0;
	let prefix = '';
	let prefixTable = false;

	while (start < us.length) {
		let size = prefix.length;
		let tables = prefixTable ? 1 : 0;
		let fitsToEnd = false;
		const candidates: { k: number; size: number; cut: Cut }[] = [];
		for (let j = start; j < us.length; j++) {
			if (us[j].tableStart && ++tables > MAX_TABLES_PER_ELEMENT) break;
			size += (j > start ? us[j - 1].sep.length : 0) + us[j].text.length;
			if (size > maxChars) break;
			if (j === us.length - 1) {
				fitsToEnd = true;
				break;
			}
			const cut = cutBefore(us, j + 1);
			if (cut && size + cut.suffix.length <= maxChars) candidates.push({ k: j + 1, size: size + cut.suffix.length, cut });
		}
		const body = (end: number) => us.slice(start, end).map((u, i, a) => u.text + (i < a.length - 1 ? u.sep : '')).join('');
		if (fitsToEnd) {
			parts.push(prefix + body(us.length));
			break;
		}
		if (candidates.length === 0) {
			if (prefix) {
				// The repeated fence or header does not fit with the next line: go on without it.
				prefix = '';
				prefixTable = false;
				continue;
			}
			// Only with a tiny maxChars: a unit that fits alone, without closing anything.
			parts.push(body(start + 1));
			start++;
			continue;
		}
		const full = candidates.filter((c) => c.size >= maxChars / 2);
		let chosen = candidates[candidates.length - 1];
		if (full.length > 0) {
			const top = Math.max(...full.map((c) => c.cut.priority));
			chosen = full.filter((c) => c.cut.priority === top).pop()!;
		}
		parts.push(prefix + body(chosen.k) + chosen.cut.suffix);
		start = chosen.k;
		prefix = chosen.cut.prefix;
		prefixTable = chosen.cut.prefixTable;
	}
	return parts;
}

// ---- closeOpenFence ----

const rowComplete = (row: string, head: string) =>
	(!head.trim().endsWith('|') || (row.trim().endsWith('|') && !row.trim().endsWith('\\|'))) && cells(row).length >= cells(head).length;

/**
 * Makes a streaming snapshot (an answer cut anywhere) render cleanly: closes an open code fence (dropping a
 * half-typed closing fence), drops a half-typed fence marker, a table row still being typed, and a table
 * header whose delimiter row has not arrived. Note that Feishu's typewriter effect needs each streamed text to
 * start with the previous one; a closed fence changes the end, so such updates are drawn at once.
 */
export function closeOpenFence(partial: string): string {
	const lines = partial.replace(/\r\n?/g, '\n').split('\n');
	const info = scan(lines);
	const last = lines.length - 1;
	const open = info[last].kind === 'code' || info[last].kind === 'fence-open' ? info[last].fence : undefined;

	if (open) {
		const half = /^[ \t]*(`+|~+)[ \t]*$/.exec(lines[last]);
		if (info[last].kind === 'code' && half && half[1][0] === open.char && half[1].length < open.len) lines[last] = '';
		if (lines[last] === '' && info[last].kind === 'code') lines[last] = closerOf(open);
		else lines.push(closerOf(open));
		return lines.join('\n');
	}

	const trailingNewline = lines[last] === '' && last > 0;
	const idx = trailingNewline ? last - 1 : last;
	const line = lines[idx];
	const kind = info[idx].kind;
	let drop = -1;
	if (!trailingNewline && /^[ \t]*(`{1,2}|~{1,2})[ \t]*$/.test(line)) drop = idx;
	else if (kind === 'table-row' && !trailingNewline && !rowComplete(line, lines[info[idx].head!])) drop = idx;
	else if (kind === 'table-delim' && !trailingNewline && !rowComplete(line, lines[idx - 1])) drop = idx - 1;
	else if (kind === 'text' && line.includes('|')) {
		const partialDelim = /^[ \t|:-]+$/.test(line) && line.includes('-');
		const prevIsHead = idx > 0 && info[idx - 1].kind === 'text' && lines[idx - 1].includes('|');
		if (partialDelim && prevIsHead) drop = idx - 1;
		else if (line.trim().startsWith('|')) drop = idx;
	}
	return drop < 0 ? lines.join('\n') : lines.slice(0, drop).join('\n');
}
