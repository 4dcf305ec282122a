// A model's Markdown answer made fit for a card JSON 2.0 markdown component, and long answers split into cards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	ANSWER_PART_MAX,
	closeOpenFence,
	MAX_TABLES_PER_ELEMENT,
	splitAnswer,
	toCardMarkdown,
} from '../../../lib/feishu/answerMarkdown';

const md = (...lines: string[]) => lines.join('\n');

/** The number of Markdown tables (a header row followed by a delimiter row) outside code fences. */
function tableCount(text: string): number {
	let n = 0;
	let fence = false;
	const lines = text.split('\n');
	lines.forEach((line, i) => {
		if (/^\s*```/.test(line)) fence = !fence;
		else if (!fence && line.includes('|') && /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(lines[i + 1] ?? '') && lines[i + 1].includes('|')) n++;
	});
	return n;
}

/** True when every ``` fence in the text is closed. */
const fencesBalanced = (text: string) => text.split('\n').filter((l) => /^\s*```/.test(l)).length % 2 === 0;

test('plain answers pass through: headings, emphasis, lists, quotes, links, code', () => {
	const answer = md(
		'# Heading 1',
		'## Heading 2',
		'###### Heading 6',
		'',
		'Some **bold**, *italic*, ~~struck~~ and `inline code` with a [link](https://open.feishu.cn/document).',
		'',
		'> A quote',
		'',
		'- one',
		'- two',
		'',
		'1. first',
		'2. second',
		'',
		'```python',
		'print("hi")',
		'```',
	);
	assert.equal(toCardMarkdown(answer), answer);
});

test('nested lists are re-indented to Feishu\'s 4 spaces a level, continuation lines and code with them', () => {
	const answer = md(
		'* fruit',
		'  * apple',
		'    * green',
		'  * pear',
		'    still the pear',
		'* veg',
		'1. step',
		'   - detail',
		'   ```bash',
		'   ls -l',
		'   ```',
		'2. next',
		'- [ ] open task',
		'- [x] done task',
	);
	assert.equal(
		toCardMarkdown(answer),
		md(
			'* fruit',
			'    * apple',
			'        * green',
			'    * pear',
			'      still the pear',
			'* veg',
			'1. step',
			'    - detail',
			'   ```bash',
			'   ls -l',
			'   ```',
			'2. next',
			'- ☐ open task',
			'- ☑ done task',
		),
	);
});

test('code blocks: Feishu language names, unknown ones dropped, ~~~ made backticks, an open fence closed, code untouched', () => {
	assert.equal(toCardMarkdown(md('```ts', 'const a: Array<string> = [];', '```')), md('```typescript', 'const a: Array<string> = [];', '```'));
	assert.equal(toCardMarkdown(md('```Py title="x.py"', 'x = 1 < 2', '```')), md('```python', 'x = 1 < 2', '```'));
	assert.equal(toCardMarkdown(md('```C#', 'var x = 1;', '```')), md('```c_sharp', 'var x = 1;', '```'));
	assert.equal(toCardMarkdown(md('```brainfuck', '+++.', '```')), md('```', '+++.', '```'));
	assert.equal(toCardMarkdown(md('~~~sh', 'echo "```"', '```', '~~~')), md('````bash', 'echo "```"', '```', '````'));
	assert.equal(toCardMarkdown(md('Run:', '```go', 'fmt.Println("<at id=all>")')), md('Run:', '```go', 'fmt.Println("<at id=all>")', '```'));
	// An indented fence outside a list goes to the left margin (4 spaces would make it an indented code block).
	assert.equal(toCardMarkdown(md('text', '', '    ```js', '    f();', '    ```')), md('text', '', '```javascript', 'f();', '```'));
});

test('images by URL become links (Feishu takes only image_key), other links keep to http(s)', () => {
	assert.equal(
		toCardMarkdown('![Revenue chart](https://example.com/chart.png "Q3") and ![](https://example.com/x.png)'),
		'[Revenue chart](https://example.com/chart.png) and [https://example.com/x.png](https://example.com/x.png)',
	);
	assert.equal(toCardMarkdown('![logo](img_v3_02ab_cd-ef)'), '![logo](img_v3_02ab_cd-ef)');
	assert.equal(toCardMarkdown('![local](./pic.png)'), 'local');
	assert.equal(toCardMarkdown('[![build](https://ci.example.com/badge.svg)](https://ci.example.com)'), '[build](https://ci.example.com)');
	assert.equal(toCardMarkdown('[docs](/guide#setup) or [top](#top)'), 'docs or top');
	assert.equal(toCardMarkdown('[site](www.example.com), [mail](mailto:a@example.com), [call](tel:+861234)'), '[site](https://www.example.com), mail (a@example.com), [call](tel:+861234)');
	assert.equal(toCardMarkdown('<https://example.com/a> or <me@example.com>'), '[https://example.com/a](https://example.com/a) or me@example.com');
	assert.equal(toCardMarkdown('[home](https://example.com/~user/a_b)'), '[home](https://example.com/~user/a_b)');
});

test('HTML-ish text: stray tags escaped, Feishu tags from the model inert, common inline HTML turned into Markdown', () => {
	assert.equal(toCardMarkdown('Use Array<string> when a < b && b > c.'), 'Use Array&#60;string> when a &#60; b && b > c.');
	assert.equal(toCardMarkdown('Hi <at id=all></at> <font color=red>red</font>'), 'Hi &#60;at id=all>&#60;/at> red');
	assert.equal(toCardMarkdown('<script>alert(1)</script>'), '&#60;script>alert(1)&#60;/script>');
	assert.equal(toCardMarkdown('<b>bold</b>, <em>it</em>, <del>old</del>, <code>a&lt;b</code>, line<br/>break'), '**bold**, *it*, ~~old~~, `a<b`, line<br>break');
	assert.equal(toCardMarkdown('<a href="https://example.com">site</a> <img src="https://example.com/p.png" alt="photo">'), '[site](https://example.com) [photo](https://example.com/p.png)');
	assert.equal(toCardMarkdown('keep `<div>` and `a<b>` in code'), 'keep `<div>` and `a<b>` in code');
	assert.equal(toCardMarkdown(md('before <!-- a note -->after', '<!--', 'hidden', '-->', 'shown')), md('before after', '', 'shown'));
	assert.equal(toCardMarkdown(md('<details>', '<summary>More</summary>', 'Body', '</details>')), md('More', 'Body'));
});

test('rules, tildes and CJK emphasis', () => {
	assert.equal(toCardMarkdown(md('Intro', '---', 'Next', '***', 'End', '<hr>')), md('Intro', '', '---', '', 'Next', '', '---', '', 'End', '', '---'));
	assert.equal(toCardMarkdown('about ~5 min, ~~gone~~, see https://example.com/~me'), 'about &#126;5 min, ~~gone~~, see https://example.com/~me');
	assert.equal(toCardMarkdown('这是**"引号"**的例子，**粗体**照常'), '这是 **"引号"** 的例子，**粗体**照常');
	assert.equal(toCardMarkdown('a\r\nb\u0007\n\n\n\nc'), md('a', 'b', '', 'c'));
});

test('tables: the first four kept (with blank lines around), later ones become code blocks of their rows', () => {
	const table = (n: number) => md(`| Item ${n} | Price |`, '|---|---:|', `| <b>x</b> | ${n} |`);
	const answer = [1, 2, 3, 4, 5, 6].map((n) => `Table ${n}:\n${table(n)}`).join('\n');
	const out = toCardMarkdown(answer);
	assert.equal(tableCount(out), MAX_TABLES_PER_ELEMENT);
	assert.ok(out.startsWith(md('Table 1:', '', '| Item 1 | Price |', '|---|---:|', '| **x** | 1 |', '', 'Table 2:')));
	assert.ok(out.endsWith(md('Table 6:', '', '```', '| Item 6 | Price |', '|---|---:|', '| <b>x</b> | 6 |', '```')));
	assert.equal(toCardMarkdown(out), out);
});

test('toCardMarkdown is idempotent', () => {
	const samples = [
		md('# T', '* a', '  * b', '', '```js', 'x', '```', '![i](https://e.com/i.png)', 'a < b ~1', '---', '| a | b |', '|---|---|', '| 1 | 2 |'),
		md('1. x', '   more', '', '    code?', '', 'Text **"q"**x <br> <at id=all></at>'),
	];
	for (const s of samples) {
		const once = toCardMarkdown(s);
		assert.equal(toCardMarkdown(once), once);
	}
});

// ---- splitting ----

const TABLE_HEAD = md('| n | square | 说明 |', '|---|---:|---|');

/** A long answer as a model writes one: sections, lists, Chinese prose, a long code block, a long table, many small tables. */
function longAnswer(): string {
	const sections: string[] = [];
	for (let s = 0; sections.join('\n\n').length < 40_000; s++) {
		sections.push(`## Section ${s}`);
		sections.push(`This paragraph explains part ${s} of the answer. `.repeat(6).trim());
		sections.push('这是一段中文说明，用来检验按字符而不是按字节切分。'.repeat(5));
		sections.push(md(`- point ${s}.1`, `    - detail with \`code\` and a [link](https://example.com/${s})`, `- point ${s}.2`));
		if (s === 3) {
			const code = Array.from({ length: 700 }, (_, i) => `    result_${i} = compute(${i}, "value ${i}")`);
			sections.push(md('```python', 'def main():', ...code, '```'));
		}
		if (s === 6) {
			sections.push(md(TABLE_HEAD, ...Array.from({ length: 400 }, (_, i) => `| ${i} | ${i * i} | 第${i}行 |`)));
		}
		if (s >= 8 && s <= 16) sections.push(md(`| k${s} | v |`, '|---|---|', `| a | ${s} |`));
		sections.push(md('> Note: quoted remark', '> second line'));
	}
	return sections.join('\n\n');
}

/** Undoes what splitAnswer adds at its cuts (a fence closed and reopened, a table header repeated). */
function rejoin(parts: string[]): string {
	let out = parts[0];
	for (const part of parts.slice(1)) {
		let next = part;
		const opener = next.split('\n')[0];
		if (out.endsWith('\n```') && /^```\w*$/.test(opener)) {
			out = out.slice(0, -4);
			next = next.slice(opener.length + 1);
		} else if (next.startsWith(`${TABLE_HEAD}\n`) && out.split('\n').pop()!.startsWith('|')) {
			next = next.slice(TABLE_HEAD.length + 1);
		}
		out = `${out}\n${next}`;
	}
	return out;
}

test('a 40,000-character answer splits into parts that each fit a card and rejoin to the whole', () => {
	const answer = longAnswer();
	assert.ok(answer.length >= 40_000);
	const parts = splitAnswer(answer, ANSWER_PART_MAX);
	assert.ok(parts.length >= 5, `${parts.length} parts`);
	for (const part of parts) {
		assert.ok(part.length <= ANSWER_PART_MAX, `part of ${part.length}`);
		assert.ok(fencesBalanced(part));
		assert.ok(tableCount(part) <= MAX_TABLES_PER_ELEMENT);
	}
	assert.equal(rejoin(parts), answer);

	// The long code block was cut and reopened with its language; the long table was cut between rows.
	assert.ok(parts.some((p, i) => i > 0 && p.startsWith('```python\n    result_')));
	assert.ok(parts.some((p, i) => i > 0 && p.startsWith(`${TABLE_HEAD}\n| `)));
	const originalLines = new Set(answer.split('\n'));
	for (const part of parts) for (const line of part.split('\n')) assert.ok(originalLines.has(line) || line === '```', `a cut row: ${line}`);
});

test('a normalised long answer, split, gives cards under Feishu\'s 30 KB', () => {
	const parts = splitAnswer(toCardMarkdown(longAnswer()), ANSWER_PART_MAX);
	for (const part of parts) {
		const card = {
			schema: '2.0',
			header: { title: { tag: 'plain_text', content: 'Answer (1/9)' }, template: 'blue' },
			body: { elements: [{ tag: 'markdown', element_id: 'answer', content: part }] },
		};
		assert.ok(Buffer.byteLength(JSON.stringify(card)) <= 30 * 1024);
	}
	// Even all-Chinese text at the full budget fits with room for the card around it.
	const cjk = '中'.repeat(ANSWER_PART_MAX);
	assert.ok(Buffer.byteLength(JSON.stringify({ schema: '2.0', body: { elements: [{ tag: 'markdown', content: cjk }] } })) < 25 * 1024);
});

test('splitting prefers paragraph breaks and headings; short text is one part; blank text none', () => {
	assert.deepEqual(splitAnswer('short answer', 100), ['short answer']);
	assert.deepEqual(splitAnswer(' \n ', 100), []);
	const answer = md('# A', '', 'x'.repeat(60), '', '# B', '', 'y'.repeat(60));
	assert.deepEqual(splitAnswer(answer, 100), [md('# A', '', 'x'.repeat(60), ''), md('# B', '', 'y'.repeat(60))]);
});

test('a cut inside a code block closes it and reopens it with the same language', () => {
	const code = md('```ts', ...Array.from({ length: 30 }, (_, i) => `const v${i} = ${i};`), '```');
	const parts = splitAnswer(code, 200);
	assert.ok(parts.length > 1);
	for (const [i, part] of parts.entries()) {
		assert.ok(part.length <= 200);
		assert.ok(part.startsWith('```ts\n'), `part ${i}`);
		assert.ok(part.endsWith('\n```'), `part ${i}`);
	}
});

test('more than four tables in a short answer still makes parts of at most four', () => {
	const answer = [1, 2, 3, 4, 5, 6].map((n) => md(`| t${n} |`, '|---|', '| x |')).join('\n\n');
	const parts = splitAnswer(answer, ANSWER_PART_MAX);
	assert.equal(parts.length, 2);
	assert.deepEqual(parts.map(tableCount), [4, 2]);
});

test('a line longer than a part is broken at a space, and the pieces rejoin without a newline', () => {
	const words = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
	const parts = splitAnswer(words, 1000);
	assert.ok(parts.every((p) => p.length <= 1000));
	assert.equal(parts.join(''), words);
	assert.ok(parts.slice(0, -1).every((p) => p.endsWith(' ')));
	assert.throws(() => splitAnswer('x', 0), RangeError);
});

// ---- streaming snapshots ----

test('closeOpenFence closes an open fence and drops what is half typed', () => {
	assert.equal(closeOpenFence(md('Here:', '```python', 'print(1)')), md('Here:', '```python', 'print(1)', '```'));
	assert.equal(closeOpenFence(md('```python', 'print(1)', '')), md('```python', 'print(1)', '```'));
	assert.equal(closeOpenFence(md('```python', 'print(1)', '``')), md('```python', 'print(1)', '```'));
	assert.equal(closeOpenFence(md('````md', '```js', 'x')), md('````md', '```js', 'x', '````'));
	assert.equal(closeOpenFence(md('Done.', '``')), 'Done.');
	assert.equal(closeOpenFence(md('```js', 'x', '```', 'after')), md('```js', 'x', '```', 'after'));
});

test('closeOpenFence drops a half table row and a header still waiting for its delimiter', () => {
	const table = md('| a | b |', '|---|---|', '| 1 | 2 |');
	assert.equal(closeOpenFence(`${table}\n| 3 | 4`), table);
	assert.equal(closeOpenFence(`${table}\n| 3 |`), table);
	assert.equal(closeOpenFence(`${table}\n| 3 | 4 |`), `${table}\n| 3 | 4 |`);
	assert.equal(closeOpenFence(`${table}\n`), `${table}\n`);
	assert.equal(closeOpenFence(md('Prices:', '| a | b |')), 'Prices:');
	assert.equal(closeOpenFence(md('Prices:', '| a | b |', '|---|-')), 'Prices:');
	assert.equal(closeOpenFence(md('Prices:', 'a | b | c', '---|--')), 'Prices:');
	assert.equal(closeOpenFence(md('Prices:', 'a | b', '---|--')), md('Prices:', 'a | b', '---|--'));
	assert.equal(closeOpenFence('Just text, still coming'), 'Just text, still coming');
});

test('a streamed answer rendered snapshot by snapshot is always balanced', () => {
	const answer = md('Intro', '', '```js', 'let a = 1;', 'let b = 2;', '```', '', '| x | y |', '|---|---|', '| 1 | 2 |', '| 3 | 4 |', '', 'End');
	for (let cut = 1; cut <= answer.length; cut++) {
		const shown = toCardMarkdown(closeOpenFence(answer.slice(0, cut)));
		assert.ok(fencesBalanced(shown), `cut ${cut}`);
		for (const line of shown.split('\n')) if (line.startsWith('| ')) assert.ok(line.endsWith('|'), `cut ${cut}: ${line}`);
	}
});
