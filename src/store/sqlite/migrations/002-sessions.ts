// Migration 2: named sessions, attachments and full-text search.
// Session mailboxes are `<kind>/<name>` rows in the inbox beside the kinds' shared mailboxes ('desktop', 'code').
// Nothing here may be touched by the seed's own SQL: no trigger on `messages` refers to the FTS table, so a seed
// whose SQLite lacks FTS5 can still insert and delete. The relay indexes new rows (its own and the seed's)
// when it next searches, and unindexes the rows it evicts.
export const sessions = `
CREATE TABLE sessions (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  cwd TEXT,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  observer INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  ended INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX attachments_by_message ON attachments (message_id);

CREATE TRIGGER messages_forget_attachments AFTER DELETE ON messages
BEGIN
  DELETE FROM attachments WHERE message_id = OLD.id;
END;

CREATE VIRTUAL TABLE messages_fts USING fts5(message, tokenize = 'unicode61 remove_diacritics 2');
`;
