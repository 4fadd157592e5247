// Migration 3: search scans the buffer (src/store/search.ts), the same on every backend, so the FTS5 index of
// migration 2 goes. Its tokenizer could not find a word inside a Chinese phrase nor `strasse` for `Straße`, and it
// had to be caught up with rows the seed inserted. The seed never touched it.
export const noFts = `
DROP TABLE IF EXISTS messages_fts;
`;
