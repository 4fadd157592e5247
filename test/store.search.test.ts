// The one search both backends share (src/store/search.ts): what it finds and how it shows it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { searchMessages, type SearchRow, searchWords } from '../src/store/search.js';

const rows = (...texts: string[]): SearchRow[] =>
  texts.map((message, i) => ({
    id: texts.length - i,
    sender: 'code',
    from_session: 'api',
    recipient: 'desktop',
    timestamp: 't',
    message,
  }));
const find = async (query: string, ...texts: string[]) =>
  (await searchMessages([rows(...texts)], query, 10)).map((h) => h.snippet);

describe('search', () => {
  it('finds a word inside a CJK phrase, and other scripts without spaces', async () => {
    expect(await find('消息', '中文消息测试', 'unrelated')).toEqual(['中文[消息]测试']);
    expect(await find('テキスト', '日本語のテキストです')).toEqual(['日本語の[テキスト]です']);
    expect(await find('메시지', '새메시지가 왔어요')).toEqual(['새[메시지]가 왔어요']);
    expect(await find('ภาษา', 'ภาษาไทยง่าย')).toEqual(['[ภาษา]ไทยง่าย']);
  });

  it('folds case fully and ignores accents and compatibility forms', async () => {
    expect(await find('strasse', 'Die Straße ist lang')).toEqual(['Die [Straße] ist lang']);
    expect(await find('STRASSE', 'straße')).toEqual(['[straße]']);
    expect(await find('Straße', 'STRASSE', 'strasse')).toEqual(['[STRASSE]', '[strasse]']);
    expect(await find('cafe', 'Un café noir')).toEqual(['Un [café] noir']);
    expect(await find('café', 'un cafe')).toEqual(['un [cafe]']);
    expect(await find('file', 'the ﬁle is ready')).toEqual(['the [ﬁle] is ready']);
    expect(await find('abc', 'ＡＢＣ full width')).toEqual(['[ＡＢＣ] full width']);
    expect(await find('οδος', 'ΟΔΟΣ', 'η οδός')).toEqual(['[ΟΔΟΣ]', 'η [οδός]']);
    expect(await find('istanbul', 'İstanbul')).toEqual(['[İstanbul]']);
  });

  it('matches word starts (prefixes) in spaced scripts, all words required, query syntax as text', async () => {
    expect(await find('pars', 'The parser tests pass', 'sparse matrix')).toEqual(['The [pars]er tests pass']);
    expect(await find('pars tests', 'The parser tests pass', 'only the parser')).toEqual(['The [pars]er [tests] pass']);
    expect(await find('parser AND NOT "x" OR (', 'Refactor the parser module')).toEqual([]);
    await expect(find(' "*" ', 'x')).rejects.toMatchObject({ code: 'bad_request' });
    expect(searchWords('a a b')).toEqual(['a', 'b']);
  });

  it('shows text after a NUL and around the match, with ellipses where it cut', async () => {
    expect(await find('after', 'before\u0000after')).toEqual(['before\u0000[after]']);
    const long = `${'lorem ipsum '.repeat(20)}needle ${'dolor sit '.repeat(30)}`;
    const [cut] = await find('needle', long);
    expect(cut).toMatch(/^…(ipsum |lorem )+\[needle\] (dolor sit )+\S+…$/);
    expect(cut!.length).toBeLessThan(200);
    expect(await find('two', 'line one\n\nline two')).toEqual(['line one line [two]']);
  });

  it('returns the newest first and stops at the limit', async () => {
    const hits = await searchMessages([rows('a match 3', 'no'), rows('a match 2', 'a match 1')], 'match', 2);
    expect(hits.map((h) => h.snippet)).toEqual(['a [match] 3', 'a [match] 2']);
  });

  it('finds any text by any word of it, and marks the match (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
        async (rest, word) => {
          let words: string[];
          try {
            words = searchWords(word);
          } catch {
            return; // no letters or digits in it
          }
          const [hit] = await searchMessages([rows(`${rest} ${word}`)], word, 1);
          expect(hit, JSON.stringify({ rest, word, words })).toBeDefined();
          expect(hit!.snippet).toContain('[');
        },
      ),
    );
  });
});

describe('search snippets at folded characters', () => {
  it('marks whole characters where folding changed the length', async () => {
    expect(await find('stras', 'Straße')).toEqual(['[Straß]e']);
    expect(await find('cafe', 'cafe\u0301 noir')).toEqual(['[cafe\u0301] noir']);
    expect(await find('fi', 'ﬁ and 😀 fi')).toEqual(['[ﬁ] and 😀 [fi]']);
  });
});
