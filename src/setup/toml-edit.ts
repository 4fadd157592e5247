// Minimal text edits to a TOML document (Codex's config.toml): set or remove one table, leaving every other byte of
// the file as it was (comments, order, spacing, every other table). Pure functions on strings: no file access here.
// toml-eslint-parser gives the syntax tree with exact ranges; smol-toml writes the new table. Each edit is checked
// against the same change made on the parsed value, and refused (never re-serialised: that would drop comments)
// when the two disagree or when the table is defined in a way a minimal edit cannot reach (inside an inline table).
import { isDeepStrictEqual } from 'node:util';

import { stringify } from 'smol-toml';
import { type AST, getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';

export type TomlObject = Record<string, unknown>;

export class TomlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TomlSyntaxError';
  }
}

/** The edit cannot be made as a minimal text change; the caller says so and writes nothing. */
export class TomlEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TomlEditError';
  }
}

function tree(text: string): AST.TOMLProgram {
  try {
    return parseTOML(text);
  } catch (error) {
    const e = error as Error & { lineNumber?: number; column?: number };
    const where = e.lineNumber !== undefined ? ` (line ${e.lineNumber}, column ${(e.column ?? 0) + 1})` : '';
    throw new TomlSyntaxError(`${e.message}${where}`);
  }
}

/** The document as plain values; blank text is an empty table. */
export function parseToml(text: string): TomlObject {
  return plain(getStaticTOMLValue(tree(text))) as TomlObject;
}

// Dates come back as Date objects and big integers as bigint: kept as they are, compared as they are.
function plain(value: unknown): unknown {
  return value;
}

type Path = readonly string[];

interface Span {
  start: number;
  end: number;
  /** A table header: the comment lines right above it (no blank line between) go with it when it is removed. */
  header?: boolean;
}

const startsWith = (key: readonly (string | number)[], path: readonly (string | number)[]) =>
  path.every((p, i) => key[i] === p);

/** Extends a span to the end of its line (a trailing comment, the newline). */
function toLineEnd(text: string, end: number): number {
  const newline = text.indexOf('\n', end);
  return newline < 0 ? text.length : newline + 1;
}

function toLineStart(text: string, start: number): number {
  return text.lastIndexOf('\n', start - 1) + 1;
}

interface Found {
  /** Whole lines that define the path (tables at or below it, key-values reaching into it). */
  spans: Span[];
  /** Where a table headed exactly by the path started, so a replacement keeps its place. */
  headed: number | null;
  /** End of the last table whose key is a proper prefix of or sibling under the path's parent, for insertion. */
  after: number | null;
}

function find(text: string, program: AST.TOMLProgram, path: Path): Found {
  const top = program.body[0];
  const spans: Span[] = [];
  let headed: number | null = null;
  let after: number | null = null;
  const parent = path.slice(0, -1);
  const keyValues = (body: AST.TOMLKeyValue[], prefix: readonly (string | number)[]) => {
    for (const kv of body) {
      const key = [...prefix, ...kv.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value))];
      if (startsWith(key, path))
        spans.push({ start: toLineStart(text, kv.range[0]), end: toLineEnd(text, kv.range[1]) });
      else if (startsWith(path, key)) {
        throw new TomlEditError(`${path.join('.')} is written inside the value of ${key.join('.')}`);
      }
    }
  };
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') {
      keyValues([node], []);
      continue;
    }
    const key = node.resolvedKey;
    const end = toLineEnd(text, node.range[1]);
    if (node.kind === 'standard' && startsWith(key, path)) {
      if (key.length === path.length && headed === null) headed = node.range[0];
      spans.push({ start: node.range[0], end, header: true });
      continue;
    }
    if (startsWith(key, path)) {
      throw new TomlEditError(`${path.join('.')} is written as an array of tables`);
    }
    keyValues(node.body, key);
    if (parent.length > 0 && startsWith(key, parent)) after = end;
  }
  return { spans, headed, after };
}

/** Removes the spans, and the blank line each leaves doubled. */
function cut(text: string, spans: Span[]): string {
  let out = text;
  for (const span of [...spans].sort((a, b) => b.start - a.start)) {
    let { start, end } = span;
    if (span.header === true) {
      for (
        let line = /(^|\n)([ \t]*#[^\n]*\n)$/.exec(out.slice(0, start));
        line !== null;
        line = /(^|\n)([ \t]*#[^\n]*\n)$/.exec(out.slice(0, start))
      ) {
        start -= line[2]!.length;
      }
    }
    // A blank line before and after the removed lines: drop the one after.
    const before = out.slice(0, start);
    const blankBefore = start === 0 || /\n\s*\n$/.test(before) || /^\s*\n$/.test(before);
    const rest = /^[ \t]*\r?\n/.exec(out.slice(end));
    if (blankBefore && rest !== null) end += rest[0].length;
    // At the end of the file: no blank lines left behind.
    if (out.slice(end).trim() === '') {
      const kept = out.slice(0, start).replace(/\s+$/, '');
      out = kept === '' ? '' : kept + (out.includes('\r\n') ? '\r\n' : '\n');
      continue;
    }
    out = out.slice(0, start) + out.slice(end);
  }
  return out;
}

function tableText(path: Path, value: TomlObject, eol: string): string {
  let wrapped: TomlObject = value;
  for (let i = path.length - 1; i >= 0; i--) wrapped = { [path[i]!]: wrapped };
  return stringify(wrapped).trimEnd().replace(/\n/g, eol) + eol;
}

function setAt(data: TomlObject, path: Path, value: unknown): void {
  let here = data;
  for (const key of path.slice(0, -1)) {
    if (here[key] === undefined) here[key] = {};
    here = here[key] as TomlObject;
  }
  if (value === undefined) delete here[path[path.length - 1]!];
  else here[path[path.length - 1]!] = value;
}

function checked(edited: string, expected: TomlObject, path: Path): string {
  let actual: TomlObject;
  try {
    actual = parseToml(edited);
  } catch {
    throw new TomlEditError(`editing ${path.join('.')} would break the file`);
  }
  // A table that only held the removed one vanishes with it unless it has a header of its own: both are right.
  if (isDeepStrictEqual(actual, expected) || isDeepStrictEqual(actual, pruned(expected, path.slice(0, -1))))
    return edited;
  throw new TomlEditError(`editing ${path.join('.')} would change more than that table`);
}

/** A copy without the empty tables along `path`, deepest first. */
function pruned(data: TomlObject, path: Path): TomlObject {
  const copy = structuredClone(data);
  for (let depth = path.length; depth > 0; depth--) {
    const parent = path.slice(0, depth - 1).reduce<TomlObject>((v, k) => v[k] as TomlObject, copy);
    const value = parent[path[depth - 1]!];
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
      delete parent[path[depth - 1]!];
    else break;
  }
  return copy;
}

/** Sets the table at `path` (replacing whatever defined it) to `value`, written as a `[a.b]` table. */
export function setTable(text: string, path: Path, value: TomlObject): string {
  const program = tree(text);
  const expected = structuredClone(getStaticTOMLValue(program)) as TomlObject;
  const parentValue = path.slice(0, -1).reduce<unknown>((v, k) => (v as TomlObject | undefined)?.[k], expected);
  if (
    parentValue !== undefined &&
    (parentValue === null || typeof parentValue !== 'object' || Array.isArray(parentValue))
  ) {
    throw new TomlEditError(`${path.slice(0, -1).join('.')} is not a table`);
  }
  setAt(expected, path, value);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const found = find(text, program, path);
  const table = tableText(path, value, eol);
  let edited: string;
  if (found.headed !== null) {
    // In place of the old table, the others that defined it removed.
    const at = found.headed;
    const others = found.spans.filter((s) => s.start !== at);
    const own = found.spans.find((s) => s.start === at)!;
    const separated = /\S/.test(text.slice(own.end)) && !/^\s*\n/.test(text.slice(own.end)) ? eol : '';
    const replaced = text.slice(0, own.start) + table + separated + text.slice(own.end);
    const shift = table.length + separated.length - (own.end - own.start);
    edited = cut(
      replaced,
      others.map((s) => (s.start > at ? { start: s.start + shift, end: s.end + shift } : s)),
    );
  } else {
    const removed = cut(text, found.spans);
    const reparsed = find(removed, tree(removed), path);
    const at = reparsed.after ?? removed.length;
    const head = removed.slice(0, at);
    const tail = removed.slice(at);
    const lead =
      head.trim() === ''
        ? ''
        : head.endsWith(eol + eol) || head.endsWith('\n\n')
          ? ''
          : head.endsWith('\n')
            ? eol
            : eol + eol;
    const trail = tail.trim() === '' || /^[ \t]*\r?\n/.test(tail) ? '' : eol;
    edited = head + lead + table + trail + tail;
  }
  return checked(edited, expected, path);
}

/** Removes the table at `path` and everything below it; an absent table leaves the text unchanged. */
export function removeTable(text: string, path: Path): string {
  const program = tree(text);
  const expected = structuredClone(getStaticTOMLValue(program)) as TomlObject;
  const found = find(text, program, path);
  if (found.spans.length === 0) return text;
  setAt(expected, path, undefined);
  return checked(cut(text, found.spans), expected, path);
}
