// PostgreSQL migration 2: search scans the buffer (src/store/search.ts), the same as on SQLite, so the tsvector
// column and its GIN index go: the 'simple' configuration could not find a word inside a Chinese phrase nor
// `strasse` for `Straße`, and every insert paid for the index.
export const noSearchColumn = `
DROP INDEX IF EXISTS relay.messages_search;
ALTER TABLE relay.messages DROP COLUMN IF EXISTS search;
`;
