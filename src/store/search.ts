// Full-text search over the buffer, the same on every backend: a backend hands over its messages newest first, in
// batches, and this finds the ones containing every word of the query and cuts a snippet around the matches. The
// buffer holds at most a few thousand messages (unread ones, and the newest read ones), so one scan is fast enough
// and needs no index to keep in step. Pure: no SQL, no I/O.
//
// Matching: case-insensitive with full case folding (Straße = STRASSE = strasse), accents ignored (café = cafe),
// compatibility forms unified (ﬁ = fi, full-width Ａ = A). A word of the query matches the start of a word in the
// text (so `pars` finds "parser"), or anywhere when it is in a script written without spaces (Chinese, Japanese,
// Korean, Thai, ...): `消息` finds "中文消息测试".
import { searchHit } from './rows.js';
import { RelayError, type SearchHit } from './store.js';

/** The columns of a stored message a search reads; `message` decoded to the exact text that was sent. */
export interface SearchRow {
  id: number;
  sender: string;
  from_session: string | null;
  recipient: string | null;
  timestamp: string;
  message: string;
}

/** Reads up to `size` messages with ids below `before`, newest first: all a backend gives a search. */
export type SearchBatch = (before: number, size: number) => Promise<readonly SearchRow[]> | readonly SearchRow[];

/** Messages read per batch: the newest few hundred usually hold the hits, and a batch is one index range. */
export const SEARCH_BATCH = 250;

/** The buffer, newest first, in batches read as the search needs them. */
export async function* newestFirst(batch: SearchBatch): AsyncGenerator<readonly SearchRow[]> {
  let before = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const rows = await batch(before, SEARCH_BATCH);
    if (rows.length > 0) yield rows;
    const last = rows.at(-1);
    if (rows.length < SEARCH_BATCH || last === undefined) return;
    before = last.id;
  }
}

/** At most this many words of a query are used. */
export const MAX_SEARCH_WORDS = 16;

/** Characters of context a snippet shows around its first match, at most. */
const BEFORE = 40;
const SPAN = 160;

/**
 * The combining marks that decomposition splits off Latin, Greek and Cyrillic letters (diacritics): ignored when
 * matching. All in the BMP, so a plain (non-unicode) class finds them fast.
 */
// Ranges of marks on purpose: no-misleading-character-class rightly sees combining characters in the class.
// eslint-disable-next-line no-misleading-character-class
const DIACRITICS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
const WORD = /[\p{L}\p{N}_]/u;
/** Scripts written without spaces between words: a query word may match anywhere inside a run of them. */
const SPACELESS =
  /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;

/** Folds text for matching: full case folding, compatibility decomposition, no diacritics. */
export function fold(text: string): string {
  // toUpperCase then toLowerCase is full case folding (ß -> SS -> ss); lowercasing first would keep ß, and the
  // dotted İ's lower case has a combining dot that decomposition then drops. Final ς is σ wherever it stands.
  // ASCII folds to its lower case: most messages take this path.
  if (!/[^\0-\x7f]/.test(text)) return text.toLowerCase();
  const folded = text.toUpperCase().toLowerCase().normalize('NFKD').replace(DIACRITICS, '');
  return folded.includes('ς') ? folded.replaceAll('ς', 'σ') : folded;
}

/** The words a free-text search looks for: letters, digits and '_'; anything else separates them. */
export function searchWords(query: string): string[] {
  // Split after folding, as the text is matched: folding can turn a symbol into a letter (⻳ -> 龟).
  const words = fold(query).match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) {
    throw new RelayError('bad_request', 'The search query has no words to look for; pass one or more words.');
  }
  return [...new Set(words)].slice(0, MAX_SEARCH_WORDS);
}

/** Where a word matches in folded text: at a word start, or anywhere for a word in a spaceless script. */
function matchesIn(folded: string, word: string): number[] {
  const anywhere = SPACELESS.test(word);
  const found: number[] = [];
  for (let at = folded.indexOf(word); at !== -1; at = folded.indexOf(word, at + 1)) {
    if (anywhere || at === 0 || !WORD.test(folded[at - 1] as string)) found.push(at);
  }
  return found;
}

/** Whether folded text contains every word (cheap: no positions kept beyond the first of each). */
function containsAll(folded: string, words: readonly string[]): boolean {
  return words.every((word) => {
    const anywhere = SPACELESS.test(word);
    for (let at = folded.indexOf(word); at !== -1; at = folded.indexOf(word, at + 1)) {
      if (anywhere || at === 0 || !WORD.test(folded[at - 1] as string)) return true;
    }
    return false;
  });
}

/**
 * The newest `limit` messages containing every word of `query`, from batches given newest first (the scan stops as
 * soon as it has enough). Throws RelayError('bad_request') for a query without words.
 */
export async function searchMessages(
  batches: AsyncIterable<readonly SearchRow[]> | Iterable<readonly SearchRow[]>,
  query: string,
  limit: number,
): Promise<SearchHit[]> {
  const words = searchWords(query);
  const hits: SearchHit[] = [];
  for await (const batch of batches) {
    for (const row of batch) {
      if (!containsAll(fold(row.message), words)) continue;
      hits.push(searchHit(row, snippet(row.message, words)));
      if (hits.length >= limit) return hits;
    }
  }
  return hits;
}

/**
 * The part of `text` around its first match, every match inside it in [brackets], '…' where text was cut off, and
 * runs of white space (newlines too) shown as one space.
 */
export function snippet(text: string, words: readonly string[]): string {
  const { folded, origin } = foldWithOrigins(text);
  const ranges: [number, number][] = [];
  for (const word of words) {
    for (const at of matchesIn(folded, word)) ranges.push([origin(at), endOrigin(text, origin, at + word.length)]);
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const first = ranges[0]?.[0] ?? 0;
  let start = Math.max(0, first - BEFORE);
  let end = Math.min(text.length, start + SPAN);
  // Whole words at the edges where a space is near.
  if (start > 0 && !/\s/.test(text[start - 1] as string)) {
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < first && space - start <= 20) start = space + 1;
  }
  const after = text.indexOf(' ', end);
  if (end < text.length && after !== -1 && after - end <= 20) end = after;
  let out = '';
  let at = start;
  for (const [from, to] of ranges) {
    if (from < at || from >= end) continue;
    out += text.slice(at, from) + '[' + text.slice(from, Math.min(to, end)) + ']';
    at = Math.min(to, end);
  }
  out += text.slice(at, end);
  const cut = (part: string) => WORD.test(part);
  return `${start > 0 && cut(text.slice(0, start)) ? '…' : ''}${out.replace(/\s+/g, ' ').trim()}${end < text.length && cut(text.slice(end)) ? '…' : ''}`;
}

/**
 * The folded text and a map from its positions (and its end) back to positions in `text`. ASCII runs fold to their
 * lower case one for one and are mapped as runs; every other character maps all it folds to onto itself.
 */
/** Where a match ending at folded position `end` ends in `text`: after the whole character it ends inside. */
function endOrigin(text: string, origin: (at: number) => number, end: number): number {
  const last = origin(end - 1);
  const after = origin(end);
  return after > last ? after : last + ((text.codePointAt(last) ?? 0) > 0xffff ? 2 : 1);
}

function foldWithOrigins(text: string): { folded: string; origin: (at: number) => number } {
  const parts: string[] = [];
  /** [folded start, text start, one for one]: sorted by folded start. */
  const runs: [number, number, boolean][] = [];
  let length = 0;
  const ascii = /[\0-\x7f]+/y;
  for (let at = 0; at < text.length;) {
    ascii.lastIndex = at;
    const run = ascii.exec(text)?.[0];
    if (run !== undefined) {
      runs.push([length, at, true]);
      parts.push(run.toLowerCase());
      length += run.length;
      at += run.length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(at) as number);
    const part = fold(char);
    runs.push([length, at, false]);
    parts.push(part);
    length += part.length;
    at += char.length;
  }
  const origin = (position: number): number => {
    if (position >= length) return text.length;
    let low = 0;
    let high = runs.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((runs[mid] as [number, number, boolean])[0] <= position) low = mid;
      else high = mid - 1;
    }
    const [foldedStart, textStart, oneForOne] = runs[low] as [number, number, boolean];
    return oneForOne ? textStart + (position - foldedStart) : textStart;
  };
  return { folded: parts.join(''), origin };
}
