// Every SQL statement of the SQLite store, prepared once per connection, typed by its named parameters and the
// rows it returns. Behaviour lives in store.ts; here is only what each statement reads or writes.
import type { NoticeCandidate } from '../routing.js';
import type { SessionRow, StoredMessage } from '../rows.js';
import type { AttachmentInfo } from '../store.js';
import type { Connection } from './connection.js';

export interface MessageRow extends StoredMessage {
  /** Read as a BLOB (node:sqlite on Node 22 cuts TEXT at a NUL): bytes, or whatever else another writer stored. */
  message: unknown;
}

export interface UnreadRow {
  mailbox: string;
  message_id: number;
}

export type SearchScanRow = Pick<MessageRow, 'id' | 'sender' | 'from_session' | 'recipient' | 'timestamp' | 'message'>;
export type AttachmentSliceRow = AttachmentInfo & { message_id: number; data: Buffer | null };

export const MESSAGE_COLUMNS =
  'id, sender, CAST(message AS BLOB) AS message, timestamp, read_by_desktop_at, read_by_code_at, from_session, recipient, reply_to';

/** Whose unread mail: the reader's own mailbox, its kind's shared one (minus the reader's own sends), how many. */
export interface ReaderParams {
  own: string;
  kind: string;
  name: string | null;
  limit: number;
}

/**
 * A reader's oldest unread messages: a merge of two index seeks (its own mailbox, and its kind's shared mailbox
 * minus its own messages), whatever the size of the history.
 */
export const UNREAD_FOR_SQL = `
  SELECT mailbox, message_id FROM inbox INDEXED BY inbox_unread WHERE mailbox = @own AND read_at IS NULL
  UNION ALL
  SELECT i.mailbox, i.message_id FROM inbox i INDEXED BY inbox_unread JOIN messages m ON m.id = i.message_id
    WHERE i.mailbox = @kind AND i.read_at IS NULL AND (@name IS NULL OR m.from_session IS NOT @name)
  ORDER BY 2 LIMIT @limit`;

type Id = { id: number };
type Mailbox = { mailbox: string };
type Stamp = { at: string };
type Key = { name: string; pid: number; host: string };

// Prepared once per connection: per-call preparation is the usual hidden cost of a SQLite-backed server.
export function prepareQueries(db: Connection) {
  return {
    insert: db.prepare<{
      sender: string;
      message: string;
      timestamp: string;
      to: string;
      from: string | null;
      replyTo: number | null;
    }>(
      `INSERT INTO messages (sender, message, timestamp, recipient, from_session, reply_to)
       VALUES (@sender, @message, @timestamp, @to, @from, @replyTo)`,
    ),
    deliver: db.prepare<{ mailbox: string; id: number }>(
      'INSERT OR IGNORE INTO inbox (mailbox, message_id) VALUES (@mailbox, @id)',
    ),
    attach: db.prepare<{ id: number; name: string; mediaType: string; size: number; data: Buffer }>(
      'INSERT INTO attachments (message_id, name, media_type, size, data) VALUES (@id, @name, @mediaType, @size, @data)',
    ),
    byId: db.prepare<Id, MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = @id`),
    unreadCount: db.pluck<Mailbox, number>(
      'SELECT count(*) FROM inbox INDEXED BY inbox_unread WHERE mailbox = @mailbox AND read_at IS NULL',
    ),
    unreadFor: db.prepare<ReaderParams, UnreadRow>(UNREAD_FOR_SQL),
    newestFor: db.pluck<ReaderParams, number>(
      `SELECT DISTINCT i.message_id FROM inbox i JOIN messages m ON m.id = i.message_id
       WHERE i.mailbox IN (@own, @kind) AND (@name IS NULL OR m.from_session IS NOT @name) ORDER BY i.message_id DESC LIMIT @limit`,
    ),
    newest: db.prepare<{ limit: number }, MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages ORDER BY id DESC LIMIT @limit`,
    ),
    markInbox: db.prepare<Stamp & Mailbox & Id>(
      'UPDATE inbox SET read_at = @at WHERE mailbox = @mailbox AND message_id = @id AND read_at IS NULL',
    ),
    markDesktop: db.prepare<Stamp & Id>(
      'UPDATE messages SET read_by_desktop_at = @at WHERE id = @id AND read_by_desktop_at IS NULL',
    ),
    markCode: db.prepare<Stamp & Id>(
      'UPDATE messages SET read_by_code_at = @at WHERE id = @id AND read_by_code_at IS NULL',
    ),
    anyAttachment: db.pluck<void, 1>('SELECT 1 FROM attachments LIMIT 1'),
    attachmentsOf: db.prepare<{ ids: string }, AttachmentInfo & { message_id: number }>(
      'SELECT message_id, id, name, media_type, size FROM attachments WHERE message_id IN (SELECT value FROM json_each(@ids)) ORDER BY id',
    ),
    // Two seeks: max(id) - min(id) in one expression would scan the table.
    span: db.pluck<void, number>(
      'SELECT coalesce((SELECT max(id) FROM messages) - (SELECT min(id) FROM messages) + 1, 0)',
    ),
    anyUnread: db.pluck<{ own: string; kind: string }, 1>(
      'SELECT 1 FROM inbox INDEXED BY inbox_unread WHERE mailbox IN (@own, @kind) AND read_at IS NULL LIMIT 1',
    ),
    evictable: db.pluck<{ keep: number }, number>(
      `SELECT m.id FROM messages m
       WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.message_id = m.id AND i.read_at IS NULL)
       ORDER BY m.id DESC LIMIT -1 OFFSET @keep`,
    ),
    evict: db.prepare<Id>('DELETE FROM messages WHERE id = @id'),
    count: db.pluck<void, number>('SELECT count(*) FROM messages'),
    lastActivity: db.pluck<void, string>('SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1'),
    unreadByKind: db.prepare<void, { kind: string; n: number }>(
      `SELECT CASE WHEN instr(mailbox, '/') > 0 THEN substr(mailbox, 1, instr(mailbox, '/') - 1) ELSE mailbox END AS kind,
              count(DISTINCT message_id) AS n
       FROM inbox INDEXED BY inbox_unread WHERE read_at IS NULL GROUP BY kind`,
    ),
    deleteMessages: db.prepare<{ ids: string }>('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(@ids))'),
    clearInbox: db.prepare('DELETE FROM inbox'),
    clearMessages: db.prepare('DELETE FROM messages'),
    sessionRows: db.prepare<void, SessionRow>(
      'SELECT name, kind, cwd, host, pid, observer, started_at, last_seen, ended FROM sessions ORDER BY started_at, rowid',
    ),
    upsertSession: db.prepare<Key & { kind: string; cwd: string | null; observer: number; now: string }>(
      `INSERT INTO sessions (name, kind, cwd, host, pid, observer, started_at, last_seen, ended)
       VALUES (@name, @kind, @cwd, @host, @pid, @observer, @now, @now, 0)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, cwd = excluded.cwd, host = excluded.host, pid = excluded.pid,
         observer = excluded.observer, started_at = excluded.started_at, last_seen = excluded.last_seen, ended = 0`,
    ),
    touchSession: db.prepare<Key & Stamp>(
      'UPDATE sessions SET last_seen = @at WHERE name = @name AND pid = @pid AND host = @host AND ended = 0',
    ),
    endSession: db.prepare<Key & Stamp>(
      'UPDATE sessions SET ended = 1, last_seen = @at WHERE name = @name AND pid = @pid AND host = @host',
    ),
    forgetEnded: db.prepare<Key & { mailbox: string }>(
      `DELETE FROM sessions WHERE name = @name AND pid = @pid AND host = @host AND ended = 1
         AND NOT EXISTS (SELECT 1 FROM inbox INDEXED BY inbox_unread WHERE mailbox = @mailbox AND read_at IS NULL)`,
    ),
    forgetSession: db.prepare<{ name: string; mailbox: string }>(
      `DELETE FROM sessions WHERE name = @name
         AND NOT EXISTS (SELECT 1 FROM inbox INDEXED BY inbox_unread WHERE mailbox = @mailbox AND read_at IS NULL)`,
    ),
    anyUnnotified: db.pluck<void, 1>(
      'SELECT 1 FROM messages INDEXED BY messages_unnotified WHERE notified_at IS NULL LIMIT 1',
    ),
    noticeCandidates: db.prepare<void, NoticeCandidate>(
      `SELECT m.id, m.notify_owner, m.notify_until,
              EXISTS (SELECT 1 FROM inbox i INDEXED BY inbox_by_message WHERE i.message_id = m.id AND i.read_at IS NULL) AS unread
       FROM messages m INDEXED BY messages_unnotified WHERE m.notified_at IS NULL ORDER BY m.id`,
    ),
    leaseNotice: db.prepare<Id & { owner: string; until: string }>(
      'UPDATE messages SET notify_owner = @owner, notify_until = @until WHERE id = @id AND notified_at IS NULL',
    ),
    settleNotice: db.prepare<Stamp & Id>(
      'UPDATE messages SET notified_at = @at, notify_owner = NULL, notify_until = NULL WHERE id = @id AND notified_at IS NULL',
    ),
    // Settled once: only by its lease holder (or anyone, once no live lease stands), and only while still unread.
    confirmNotice: db.prepare<Stamp & Id & { owner: string; now: string }>(
      `UPDATE messages SET notified_at = @at, notify_owner = NULL, notify_until = NULL
       WHERE id = @id AND notified_at IS NULL
         AND (notify_owner IS NULL OR notify_owner = @owner OR notify_until IS NULL OR notify_until <= @now)
         AND EXISTS (SELECT 1 FROM inbox INDEXED BY inbox_by_message WHERE message_id = @id AND read_at IS NULL)`,
    ),
    // One range of the primary key per batch; the text as bytes, as everywhere (see MESSAGE_COLUMNS).
    searchBatch: db.prepare<{ before: number; size: number }, SearchScanRow>(
      `SELECT id, sender, from_session, recipient, timestamp, CAST(message AS BLOB) AS message FROM messages
       WHERE id < @before ORDER BY id DESC LIMIT @size`,
    ),
    attachmentSlice: db.prepare<Id & { offset: number; length: number }, AttachmentSliceRow>(
      'SELECT id, message_id, name, media_type, size, substr(data, @offset + 1, @length) AS data FROM attachments WHERE id = @id',
    ),
    dataVersion: db.pluck<void, number>('PRAGMA data_version'),
    totalChanges: db.pluck<void, number>('SELECT total_changes()'),
  };
}

export type Queries = ReturnType<typeof prepareQueries>;
