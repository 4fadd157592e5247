// A small Markdown renderer for message text, straight to DOM nodes (text nodes only: no HTML is ever parsed, so
// inline HTML in a message shows as the text it is). Blocks: fenced code, headings, quotes, lists, tables, rules,
// paragraphs. Inline: code, bold, italic, strike-through, links and bare URLs (http, https and mailto only; anything
// else, javascript: included, stays text). Every search for a closing mark is memoised, so hostile input (64 KB of
// brackets) renders in linear time.
import { append, type Child, h } from './dom.js';

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The link target if it is one a person may follow, else null. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function link(href: string, children: Child[]): HTMLAnchorElement {
  return h('a', { attrs: { href, title: href, rel: 'noopener noreferrer nofollow', target: '_blank' } }, ...children);
}

/** indexOf with memory: once `token` was found at p from some start, every start up to p finds p again. */
function finder(text: string): (token: string, from: number) => number {
  const memo = new Map<string, number>();
  return (token, from) => {
    const known = memo.get(token);
    if (known !== undefined && (known === -1 || known >= from)) return known;
    const found = text.indexOf(token, from);
    memo.set(token, found);
    return found;
  };
}

const URL_START = /https?:\/\/|mailto:/y;
const WORD = /[\p{L}\p{N}]/u;

/** Inline Markdown in `text` as nodes. `depth` bounds nesting (bold inside a link inside italics...). */
export function inline(text: string, depth = 0): Child[] {
  if (depth > 4) return [text];
  const out: Child[] = [];
  const find = finder(text);
  let plain = '';
  const flush = () => {
    if (plain !== '') out.push(plain);
    plain = '';
  };
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      const fence = '`'.repeat(run);
      const end = find(fence, i + run);
      if (end !== -1) {
        flush();
        out.push(h('code', null, text.slice(i + run, end)));
        i = end + run;
        continue;
      }
      plain += fence;
      i += run;
      continue;
    }
    const pair = text.startsWith('**', i)
      ? '**'
      : text.startsWith('~~', i)
        ? '~~'
        : text.startsWith('__', i)
          ? '__'
          : null;
    if (pair !== null) {
      const end = find(pair, i + 2);
      if (end > i + 2) {
        flush();
        out.push(h(pair === '~~' ? 's' : 'strong', null, ...inline(text.slice(i + 2, end), depth + 1)));
        i = end + 2;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[i + 1] !== ' ' && !(c === '_' && i > 0 && WORD.test(text[i - 1]!))) {
      const end = find(c, i + 1);
      const after = text[end + 1];
      if (end > i + 1 && text[end - 1] !== ' ' && !(c === '_' && after !== undefined && WORD.test(after))) {
        flush();
        out.push(h('em', null, ...inline(text.slice(i + 1, end), depth + 1)));
        i = end + 1;
        continue;
      }
    }
    if (c === '[' || (c === '!' && text[i + 1] === '[')) {
      const open = c === '!' ? i + 1 : i;
      const close = find(']', open + 1);
      if (close !== -1 && text[close + 1] === '(') {
        const end = find(')', close + 2);
        const href = end === -1 ? null : safeHref(text.slice(close + 2, end));
        if (href !== null) {
          flush();
          const label = text.slice(open + 1, close);
          // An image is never loaded (the page reaches no other site): it becomes a link to it.
          out.push(link(href, c === '!' ? [`🖼 ${label || href}`] : inline(label, depth + 1)));
          i = end + 1;
          continue;
        }
      }
    }
    URL_START.lastIndex = i;
    if ((c === 'h' || c === 'm') && URL_START.test(text) && (i === 0 || !WORD.test(text[i - 1]!))) {
      let end = i;
      while (end < text.length && !/[\s<>"]/.test(text[end]!)) end++;
      while (end > i && /[.,;:!?)\]'*_]/.test(text[end - 1]!)) end--;
      const href = safeHref(text.slice(i, end));
      if (href !== null) {
        flush();
        out.push(link(href, [text.slice(i, end)]));
        i = end;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** Markdown text as a fragment of block elements. */
export function markdown(text: string, depth = 0): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length;) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence !== null) {
      const mark = fence[1]!;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(mark); i++) body.push(lines[i]!);
      i++;
      const language = line.trim().slice(mark.length).trim();
      append(fragment, h('pre', { attrs: { 'data-lang': language || undefined } }, h('code', null, body.join('\n'))));
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading !== null) {
      const level = Math.min(heading[1]!.length + 2, 6) as 3 | 4 | 5 | 6;
      append(fragment, h(`h${level}`, null, ...inline(heading[2]!)));
      i++;
      continue;
    }
    if (RULE.test(line)) {
      append(fragment, h('hr'));
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < 4) {
      const body: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) body.push(QUOTE.exec(lines[i]!)![1]!);
      append(fragment, h('blockquote', null, markdown(body.join('\n'), depth + 1)));
      continue;
    }
    const item = ITEM.exec(line);
    if (item !== null) {
      const ordered = /\d/.test(item[2]!);
      const list = h(ordered ? 'ol' : 'ul');
      if (ordered && parseInt(item[2]!, 10) !== 1) list.setAttribute('start', String(parseInt(item[2]!, 10)));
      for (
        let m = ITEM.exec(lines[i] ?? '');
        m !== null && /\d/.test(m[2]!) === ordered;
        m = ITEM.exec(lines[i] ?? '')
      ) {
        const indent = Math.min(Math.floor(m[1]!.replace(/\t/g, '  ').length / 2), 4);
        append(list, h('li', { class: indent > 0 ? `indent-${indent}` : undefined }, ...inline(m[3]!)));
        i++;
      }
      append(fragment, list);
      continue;
    }
    if (line.includes('|') && TABLE_RULE.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('-')) {
      const head = cells(line);
      const table = h(
        'table',
        null,
        h('thead', null, h('tr', null, ...head.map((cell) => h('th', null, ...inline(cell))))),
      );
      const body = h('tbody');
      for (i += 2; i < lines.length && lines[i]!.includes('|') && lines[i]!.trim() !== ''; i++) {
        append(body, h('tr', null, ...cells(lines[i]!).map((cell) => h('td', null, ...inline(cell)))));
      }
      append(table, body);
      append(fragment, h('div', { class: 'table' }, table));
      continue;
    }
    const paragraph: Child[] = [];
    for (; i < lines.length; i++) {
      const next = lines[i]!;
      if (next.trim() === '' || FENCE.test(next) || HEADING.test(next) || QUOTE.test(next) || ITEM.test(next)) break;
      if (paragraph.length > 0) paragraph.push(h('br'));
      paragraph.push(...inline(next));
    }
    if (paragraph.length === 0) {
      // A line no rule took (should not happen): keep it as text rather than loop.
      paragraph.push(line);
      i++;
    }
    append(fragment, h('p', null, ...paragraph));
  }
  return fragment;
}
