// The client kinds relay knows by name, and which of them an unknown word is probably a typo of: `--client
// dekstop` is an error that says "did you mean desktop?", while a kind nobody misspelt (a new client) stays
// possible. One list for the CLI, the HTTP headers and routing. Pure: no I/O.
import { KIND_PATTERN, NAME_PATTERN } from './store.js';

/** The seed's two kinds, then other MCP clients' own names. */
export const KNOWN_KINDS: readonly string[] = [
  'desktop',
  'code',
  'cursor',
  'codex',
  'gemini',
  'windsurf',
  'cline',
  'copilot',
];

/** Optimal string alignment distance (Levenshtein plus swapped neighbours); anything above `max` is `max + 1`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let previous: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    if (Math.min(...row) > max) return max + 1;
    before = previous;
    previous = row;
  }
  return previous[b.length]!;
}

/** How many typos a name may hide: one, two from six letters on. */
function allowance(name: string): number {
  return name.length >= 6 ? 2 : 1;
}

/**
 * The candidates `value` is probably a misspelling of: those with the same letters in another case, else those
 * within one typo (two for names of six letters or more). Empty when `value` is a candidate itself, or near none.
 */
export function similarNames(value: string, candidates: Iterable<string>): string[] {
  const list = [...new Set(candidates)];
  if (list.includes(value)) return [];
  const lower = value.toLowerCase();
  const otherCase = list.filter((c) => c.toLowerCase() === lower);
  if (otherCase.length > 0) return otherCase;
  return list.filter((c) => editDistance(lower, c.toLowerCase(), allowance(c)) <= allowance(c));
}

/** "desktop", "code or codex", "desktop, code or codex". */
export function orList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** The sentence for a kind that looks like a typo, or undefined when `kind` is known or near no known kind. */
export function misspeltKind(kind: string, known: Iterable<string> = KNOWN_KINDS): string | undefined {
  const near = similarNames(kind, known);
  return near.length === 0 ? undefined : `'${kind}' is not a client kind relay knows; did you mean ${orList(near)}?`;
}

/** What is wrong with `kind` as a client kind (after the flag or header that gave it), or undefined when usable. */
export function kindProblem(kind: string): string | undefined {
  const typo = misspeltKind(kind);
  if (typo !== undefined) return typo;
  if (!KIND_PATTERN.test(kind)) {
    return `must be desktop, code, or another client's lower-case name such as cursor (got '${kind}')`;
  }
  return undefined;
}

/** What is wrong with `name` as the name of a session of `kind`, or undefined when usable. */
export function sessionNameProblem(name: string, kind: string | null): string | undefined {
  if (!NAME_PATTERN.test(name)) {
    return `must be letters, digits, '.', '_' or '-', at most 64, starting with a letter or digit (got '${name}')`;
  }
  // "desktop" means the kind when a message is addressed: a Code session of that name would take Desktop's mail.
  const kindName = KNOWN_KINDS.find((k) => k === name.toLowerCase() && k !== kind);
  if (kindName !== undefined) {
    const which = kindName === name ? '' : ` (${kindName})`;
    return `'${name}' is a client kind's name${which}, so it cannot name a ${kind ?? 'session'} session; pick another name`;
  }
  return undefined;
}
