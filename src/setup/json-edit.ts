// Minimal text edits to a JSON document: set or remove one member, leaving every other byte of the file as it was
// (key order, indentation, line endings, odd spacing). Pure functions on strings: no file access here.
// Each edit is checked against the same change made on the parsed value; if they ever disagree, the document is
// re-serialised instead, so an edit can change formatting but never content.
import { isDeepStrictEqual } from 'node:util';

import {
  findNodeAtLocation,
  type Node,
  parse as parseJsonc,
  type ParseError,
  parseTree,
  printParseErrorCode,
  visit,
} from 'jsonc-parser';

export type JsonPath = readonly (string | number)[];
export type JsonObject = Record<string, unknown>;

export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export interface JsonSyntax {
  /** Comments and trailing commas allowed (JSONC, as Gemini CLI reads its settings). Default: strict JSON. */
  comments?: boolean;
}

/** JSON (strict unless `syntax.comments`) holding an object, every key once; blank text is an empty object. */
export function parseObject(text: string, syntax: JsonSyntax = {}): JsonObject {
  if (text.trim() === '') return {};
  let value: unknown;
  if (syntax.comments === true) {
    const errors: ParseError[] = [];
    value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
    const first = errors[0];
    if (first !== undefined) {
      const line = text.slice(0, first.offset).split('\n').length;
      throw new JsonSyntaxError(`${printParseErrorCode(first.error)} at line ${line}`);
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new JsonSyntaxError((error as Error).message);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JsonSyntaxError('it does not hold a JSON object');
  }
  const duplicate = duplicateKey(text);
  if (duplicate !== null) {
    // JSON.parse keeps the last and drops the rest without a word: an edit would lose what the others hold.
    throw new JsonSyntaxError(`the key ${describePath(duplicate)} appears more than once`);
  }
  return value as JsonObject;
}

/** The path of the first key that appears twice in one object, or null. */
export function duplicateKey(text: string): JsonPath | null {
  const open: Set<string>[] = [];
  let found: JsonPath | null = null;
  visit(
    text,
    {
      onObjectBegin: () => {
        open.push(new Set());
      },
      onObjectEnd: () => {
        open.pop();
      },
      onObjectProperty: (name, _offset, _length, _line, _column, pathSupplier) => {
        const keys = open[open.length - 1]!;
        if (found === null && keys.has(name)) found = [...pathSupplier(), name];
        keys.add(name);
      },
    },
    { allowTrailingComma: true, disallowComments: false },
  );
  return found;
}

/** `mcpServers.relay`, `hooks.SessionStart[0]`, or "at the top level" for the empty path. */
export function describePath(path: JsonPath): string {
  if (path.length === 0) return 'at the top level';
  return `"${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${p}`)).join('')}"`;
}

/**
 * What stands in the way of writing at `path`: the first existing value on the way that is not the container the
 * next key needs (an object for a name, a list for an index), described for a message; null when the path is clear.
 */
export function shapeProblem(data: unknown, path: JsonPath): string | null {
  let here: unknown = data;
  for (let i = 0; i < path.length - 1; i++) {
    here = (here as Record<string | number, unknown>)[path[i]!];
    if (here === undefined) return null;
    const wantList = typeof path[i + 1] === 'number';
    const isList = Array.isArray(here);
    const isObject = here !== null && typeof here === 'object' && !isList;
    if (wantList ? !isList : !isObject) {
      return `${describePath(path.slice(0, i + 1))} is ${kindOf(here)}, not ${wantList ? 'a list' : 'an object'}`;
    }
  }
  return null;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/** The indentation unit a file uses (its first indented line), two spaces when it has none. */
export function detectIndent(text: string): string {
  const match = /\n([ \t]+)\S/.exec(text);
  if (match === null) return '  ';
  const lead = match[1]!;
  return lead.startsWith('\t') ? '\t' : lead;
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** A change that would not be a plain edit of the value asked for (a container of the wrong type on the path). */
export class JsonShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonShapeError';
  }
}

/** Sets `path` to `value`, creating missing objects on the way. A numeric last segment equal to the array's
 * length appends. Throws JsonShapeError rather than replace a value on the way that is not a container. */
export function setIn(text: string, path: JsonPath, value: unknown, syntax: JsonSyntax = {}): string {
  const expected = structuredClone(parseObject(text, syntax)) as unknown;
  const problem = shapeProblem(expected, path);
  if (problem !== null) throw new JsonShapeError(problem);
  applySet(expected, path, value);
  if (text.trim() === '') return `${JSON.stringify(expected, null, 2)}\n`;
  return checked(text, editSet(text, path, value), expected, syntax);
}

/** Removes the member at `path` (an object key or an array index); absent paths leave the text unchanged. */
export function removeIn(text: string, path: JsonPath, syntax: JsonSyntax = {}): string {
  const expected = structuredClone(parseObject(text, syntax)) as unknown;
  if (!applyRemove(expected, path)) return text;
  return checked(text, editRemove(text, path), expected, syntax);
}

/** The value at `path` in a parsed document, or undefined. */
export function getIn(data: unknown, path: JsonPath): unknown {
  let here: unknown = data;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, unknown>)[key];
  }
  return here;
}

function checked(original: string, edited: string | null, expected: unknown, syntax: JsonSyntax): string {
  if (edited !== null) {
    try {
      if (isDeepStrictEqual(parseObject(edited, syntax), expected)) return edited;
    } catch {
      // fall through to a full re-serialisation
    }
  }
  // Re-serialising keeps every value but drops comments: where the file may hold them, refuse instead.
  if (syntax.comments === true) throw new JsonShapeError('the change cannot be made without rewriting the whole file');
  const tail = /\r?\n$/.exec(original)?.[0] ?? '';
  return JSON.stringify(expected, null, detectIndent(original)).replace(/\n/g, eolOf(original)) + tail;
}

function applySet(root: unknown, path: JsonPath, value: unknown): void {
  let here = root as Record<string | number, unknown>;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      if (Array.isArray(here) && typeof key === 'number' && key === here.length) here.push(value);
      else here[key] = value;
      return;
    }
    const next = here[key];
    if (next === null || typeof next !== 'object') here[key] = typeof path[i + 1] === 'number' ? [] : {};
    here = here[key] as Record<string | number, unknown>;
  });
}

function applyRemove(root: unknown, path: JsonPath): boolean {
  const parent = getIn(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (parent === null || typeof parent !== 'object' || key === undefined) return false;
  if (Array.isArray(parent)) {
    if (typeof key !== 'number' || key >= parent.length) return false;
    parent.splice(key, 1);
    return true;
  }
  if (!Object.hasOwn(parent, key)) return false;
  delete (parent as Record<string | number, unknown>)[key];
  return true;
}

/** The members (object properties or array elements) of a container node. */
function members(container: Node): Node[] {
  return container.children ?? [];
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function serialise(value: unknown, indent: string, unit: string, eol: string): string {
  return JSON.stringify(value, null, unit)
    .split('\n')
    .join(eol + indent);
}

function editSet(text: string, path: JsonPath, value: unknown): string | null {
  const root = parseTree(text);
  if (root === undefined) return null;
  const unit = detectIndent(text);
  const eol = eolOf(text);

  const existing = findNodeAtLocation(root, [...path]);
  if (existing !== undefined) {
    const indent = lineIndent(text, (existing.parent?.type === 'property' ? existing.parent : existing).offset);
    return splice(text, existing.offset, existing.offset + existing.length, serialise(value, indent, unit, eol));
  }

  // The deepest container that exists; everything below it is created as one new member.
  let depth = path.length - 1;
  let container: Node | undefined;
  for (; depth >= 0; depth--) {
    container = depth === 0 ? root : findNodeAtLocation(root, path.slice(0, depth) as (string | number)[]);
    if (container !== undefined) break;
  }
  if (container === undefined) return null;
  const key = path[depth]!;
  let newValue = value;
  for (let i = path.length - 1; i > depth; i--)
    newValue = typeof path[i] === 'number' ? [newValue] : { [path[i]!]: newValue };
  if (container.type === 'object' && typeof key !== 'string') return null;
  if (container.type === 'array' && key !== members(container).length) return null;
  if (container.type !== 'object' && container.type !== 'array') return null;
  const name = container.type === 'object' ? `${JSON.stringify(key)}: ` : '';
  const compactName = container.type === 'object' ? `${JSON.stringify(key)}:` : '';

  const span = text.slice(container.offset, container.offset + container.length);
  const multiLine = span.includes('\n');
  const containerIndent = lineIndent(text, container.offset);
  const children = members(container);
  const last = children[children.length - 1];
  if (last !== undefined) {
    const end = last.offset + last.length;
    if (!multiLine) {
      const spaced = /,\s/.test(span) || /:\s/.test(span);
      const member = spaced ? `, ${name}${JSON.stringify(newValue)}` : `,${compactName}${JSON.stringify(newValue)}`;
      return splice(text, end, end, member);
    }
    const sameLineAsOpen = !text.slice(container.offset, last.offset).includes('\n');
    const indent = sameLineAsOpen ? containerIndent + unit : lineIndent(text, last.offset);
    return splice(text, end, end, `,${eol}${indent}${name}${serialise(newValue, indent, unit, eol)}`);
  }
  const inner = [container.offset + 1, container.offset + container.length - 1] as const;
  if (!text.trim().includes('\n')) return splice(text, inner[0], inner[1], `${compactName}${JSON.stringify(newValue)}`);
  const indent = containerIndent + unit;
  return splice(
    text,
    inner[0],
    inner[1],
    `${eol}${indent}${name}${serialise(newValue, indent, unit, eol)}${eol}${containerIndent}`,
  );
}

function editRemove(text: string, path: JsonPath): string | null {
  const root = parseTree(text);
  if (root === undefined) return null;
  const valueNode = findNodeAtLocation(root, [...path]);
  if (valueNode === undefined) return null;
  const member = valueNode.parent?.type === 'property' ? valueNode.parent : valueNode;
  const container = member.parent;
  if (container === undefined) return null;
  const siblings = members(container);
  const index = siblings.indexOf(member);
  if (index < 0) return null;
  const memberEnd = member.offset + member.length;
  if (index > 0) {
    const previous = siblings[index - 1]!;
    return splice(text, previous.offset + previous.length, memberEnd, '');
  }
  const next = siblings[1];
  if (next !== undefined) return splice(text, member.offset, next.offset, '');
  return splice(text, container.offset + 1, container.offset + container.length - 1, '');
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}
