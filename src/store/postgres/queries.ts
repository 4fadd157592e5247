// Every SQL statement of the PostgreSQL store, as named statements (prepared once per pooled connection), the rows
// they return, and how message text is stored. Behaviour lives in store.ts; here is only what each statement does.
import type { SessionRow, StoredMessage } from '../rows.js';

/** Serialises session registration (picking a free name) across processes. */
export const SESSIONS_LOCK = 0x72656c6179_02;

export const MESSAGE_COLUMNS =
  'id, sender, message, message_exact, "timestamp", read_by_desktop_at, read_by_code_at, from_session, recipient, reply_to';
const SESSION_COLUMNS = 's.name, s.kind, s.cwd, s.host, s.pid, s.observer, s.started_at, s.last_seen, s.ended';
const SESSION_UNREAD =
  "(SELECT count(*) FROM relay.inbox i WHERE i.mailbox = s.kind || '/' || s.name AND i.read_at IS NULL) AS unread";

/** Named statements are prepared once per pooled connection. */
export const SQL = {
  byId: {
    name: 'relay_by_id',
    text: `SELECT ${MESSAGE_COLUMNS} FROM relay.messages WHERE id = ANY($1::bigint[]) ORDER BY id`,
  },
  // Run after the mailboxes' locks (each statement's snapshot then sees every earlier send, so the cap is exact):
  // the unread count of each of the mailboxes $1.
  unreadCounts: {
    name: 'relay_unread_counts',
    text: `SELECT mb AS mailbox, (SELECT count(*)::int FROM relay.inbox i WHERE i.mailbox = mb AND i.read_at IS NULL) AS n
           FROM unnest($1::text[]) AS mb`,
  },
  // Stores the message (columns 1-7) and delivers it to the mailboxes $8, in one statement.
  store: {
    name: 'relay_store',
    text: `WITH inserted AS (
             INSERT INTO relay.messages (sender, message, message_exact, "timestamp", recipient, from_session, reply_to)
             VALUES ($1::text, $2::text, $3::bytea, $4::text, $5::text, $6::text, $7::bigint)
             RETURNING ${MESSAGE_COLUMNS}),
           delivered AS (
             INSERT INTO relay.inbox (mailbox, message_id)
             SELECT mb, inserted.id FROM inserted, unnest($8::text[]) AS mb ON CONFLICT DO NOTHING)
           SELECT inserted.* FROM inserted`,
  },
  attach: {
    name: 'relay_attach',
    text: `INSERT INTO relay.attachments (message_id, name, media_type, size, data) VALUES ($1, $2, $3, $4, $5)`,
  },
  lockMailboxes: {
    name: 'relay_lock_mailboxes',
    // The caller sorts the array, so two sends take their locks in the same order.
    text: "SELECT pg_advisory_xact_lock(hashtextextended('relay mailbox ' || m, 0)) FROM unnest($1::text[]) AS m",
  },
  // The reader's oldest unread rows, locked; rows another fetch holds are skipped (it is delivering them), so two
  // concurrent fetches of one reader never both get a message. Parameters: own mailbox, kind, own name, limit.
  unreadFor: {
    name: 'relay_unread_for',
    text: `SELECT i.mailbox, i.message_id FROM relay.inbox i JOIN relay.messages m ON m.id = i.message_id
           WHERE i.read_at IS NULL
             AND (i.mailbox = $1 OR (i.mailbox = $2 AND ($3::text IS NULL OR m.from_session IS DISTINCT FROM $3)))
           ORDER BY i.message_id LIMIT $4 FOR UPDATE OF i SKIP LOCKED`,
  },
  unreadPeek: {
    name: 'relay_unread_peek',
    text: `SELECT i.mailbox, i.message_id FROM relay.inbox i JOIN relay.messages m ON m.id = i.message_id
           WHERE i.read_at IS NULL
             AND (i.mailbox = $1 OR (i.mailbox = $2 AND ($3::text IS NULL OR m.from_session IS DISTINCT FROM $3)))
           ORDER BY i.message_id LIMIT $4`,
  },
  newestFor: {
    name: 'relay_newest_for',
    text: `SELECT DISTINCT i.message_id FROM relay.inbox i JOIN relay.messages m ON m.id = i.message_id
           WHERE i.mailbox IN ($1, $2) AND ($3::text IS NULL OR m.from_session IS DISTINCT FROM $3)
           ORDER BY i.message_id DESC LIMIT $4`,
  },
  newest: { name: 'relay_newest', text: `SELECT ${MESSAGE_COLUMNS} FROM relay.messages ORDER BY id DESC LIMIT $1` },
  markInbox: {
    name: 'relay_mark_inbox',
    text: `UPDATE relay.inbox SET read_at = $1
           WHERE read_at IS NULL AND (mailbox, message_id) IN (SELECT * FROM unnest($2::text[], $3::bigint[]))`,
  },
  markDesktop: {
    name: 'relay_mark_desktop',
    text: 'UPDATE relay.messages SET read_by_desktop_at = $1 WHERE id = ANY($2::bigint[]) AND read_by_desktop_at IS NULL',
  },
  markCode: {
    name: 'relay_mark_code',
    text: 'UPDATE relay.messages SET read_by_code_at = $1 WHERE id = ANY($2::bigint[]) AND read_by_code_at IS NULL',
  },
  attachmentsOf: {
    name: 'relay_attachments_of',
    text: 'SELECT message_id, id, name, media_type, size FROM relay.attachments WHERE message_id = ANY($1::bigint[]) ORDER BY id',
  },
  // Read messages past the newest `keepRead`; nothing runs while the id span says there cannot be any.
  prune: {
    name: 'relay_prune',
    text: `DELETE FROM relay.messages WHERE (SELECT max(id) - min(id) + 1 FROM relay.messages) > $1 AND id IN (
             SELECT m.id FROM relay.messages m
             WHERE NOT EXISTS (SELECT 1 FROM relay.inbox i WHERE i.message_id = m.id AND i.read_at IS NULL)
             ORDER BY m.id DESC OFFSET $1)`,
  },
  stats: {
    name: 'relay_stats',
    text: `SELECT (SELECT count(*) FROM relay.messages) AS total,
                  (SELECT "timestamp" FROM relay.messages ORDER BY id DESC LIMIT 1) AS last_activity`,
  },
  unreadByKind: {
    name: 'relay_unread_by_kind',
    text: `SELECT split_part(mailbox, '/', 1) AS kind, count(DISTINCT message_id) AS n
           FROM relay.inbox WHERE read_at IS NULL GROUP BY 1`,
  },
  // With each session's unread count (for listing), or without (for routing: the rows are all it needs).
  sessionRows: {
    name: 'relay_session_rows',
    text: `SELECT ${SESSION_COLUMNS}, ${SESSION_UNREAD} FROM relay.sessions s ORDER BY s.started_at, s.seq`,
  },
  sessionRoutes: {
    name: 'relay_session_routes',
    text: `SELECT ${SESSION_COLUMNS}, 0 AS unread FROM relay.sessions s ORDER BY s.started_at, s.seq`,
  },
  upsertSession: {
    name: 'relay_upsert_session',
    text: `INSERT INTO relay.sessions (name, kind, cwd, host, pid, observer, started_at, last_seen, ended)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7, false)
           ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, cwd = excluded.cwd, host = excluded.host,
             pid = excluded.pid, observer = excluded.observer, started_at = excluded.started_at,
             last_seen = excluded.last_seen, ended = false`,
  },
  touchSession: {
    name: 'relay_touch_session',
    text: 'UPDATE relay.sessions SET last_seen = $1 WHERE name = $2 AND pid = $3 AND host = $4 AND NOT ended',
  },
  endSession: {
    name: 'relay_end_session',
    text: 'UPDATE relay.sessions SET ended = true, last_seen = $1 WHERE name = $2 AND pid = $3 AND host = $4',
  },
  deleteMessages: { name: 'relay_delete_messages', text: 'DELETE FROM relay.messages WHERE id = ANY($1::bigint[])' },
  forgetEnded: {
    name: 'relay_forget_ended',
    text: `DELETE FROM relay.sessions s WHERE s.name = $1 AND s.pid = $2 AND s.host = $3 AND s.ended
             AND NOT EXISTS (SELECT 1 FROM relay.inbox i WHERE i.mailbox = s.kind || '/' || s.name AND i.read_at IS NULL)`,
  },
  forgetSession: {
    name: 'relay_forget_session',
    text: `DELETE FROM relay.sessions WHERE name = $1
             AND NOT EXISTS (SELECT 1 FROM relay.inbox WHERE mailbox = $2 AND read_at IS NULL)`,
  },
  anyUnnotified: {
    name: 'relay_any_unnotified',
    text: 'SELECT 1 FROM relay.messages WHERE notified_at IS NULL LIMIT 1',
  },
  // Rows another leaser is deciding on are skipped (it is leasing them); the rest are locked until COMMIT.
  noticeCandidates: {
    name: 'relay_notice_candidates',
    text: `SELECT m.id, m.notify_owner, m.notify_until,
                  EXISTS (SELECT 1 FROM relay.inbox i WHERE i.message_id = m.id AND i.read_at IS NULL) AS unread
           FROM relay.messages m WHERE m.notified_at IS NULL ORDER BY m.id FOR UPDATE OF m SKIP LOCKED`,
  },
  leaseNotices: {
    name: 'relay_lease_notices',
    text: 'UPDATE relay.messages SET notify_owner = $1, notify_until = $2 WHERE id = ANY($3::bigint[]) AND notified_at IS NULL',
  },
  settleNotices: {
    name: 'relay_settle_notices',
    text: `UPDATE relay.messages SET notified_at = $1, notify_owner = NULL, notify_until = NULL
           WHERE id = ANY($2::bigint[]) AND notified_at IS NULL`,
  },
  // Settled once: one statement, so a second confirm of the same row waits for the first and then finds it settled.
  confirmNotices: {
    name: 'relay_confirm_notices',
    text: `UPDATE relay.messages m SET notified_at = $1, notify_owner = NULL, notify_until = NULL
           WHERE m.id = ANY($2::bigint[]) AND m.notified_at IS NULL
             AND (m.notify_owner IS NULL OR m.notify_owner = $3 OR m.notify_until IS NULL OR m.notify_until <= $4)
             AND EXISTS (SELECT 1 FROM relay.inbox i WHERE i.message_id = m.id AND i.read_at IS NULL)
           RETURNING m.id`,
  },
  // One range of the primary key per batch, newest first (src/store/search.ts matches and cuts snippets).
  searchBatch: {
    name: 'relay_search_batch',
    text: `SELECT id, sender, from_session, recipient, "timestamp", message, message_exact FROM relay.messages
           WHERE id < $1 ORDER BY id DESC LIMIT $2`,
  },
  attachmentSlice: {
    name: 'relay_attachment_slice',
    text: `SELECT id, message_id, name, media_type, size, substring(data FROM $2::integer + 1 FOR $3::integer) AS data
           FROM relay.attachments WHERE id = $1`,
  },
  fingerprint: {
    name: 'relay_fingerprint',
    text: `SELECT concat_ws(':', (SELECT max(id) FROM relay.messages), (SELECT count(*) FROM relay.messages),
                  (SELECT count(*) FROM relay.inbox WHERE read_at IS NULL),
                  (SELECT string_agg(name || CASE WHEN ended THEN '-' ELSE '+' END, ',' ORDER BY name) FROM relay.sessions)) AS print`,
  },
} as const;

export interface MessageRow extends StoredMessage {
  message: string;
  message_exact: Buffer | null;
  recipient: string;
}

export interface UnreadRow {
  mailbox: string;
  message_id: number;
}

/** A `sessions` row with its mailbox's unread count (0 where routing does not need it). */
export type PgSessionRow = SessionRow & { unread: number };

/** How a message's text is stored: PostgreSQL text cannot hold NUL, so such text also keeps its exact bytes. */
export function encodeMessageText(text: string): { message: string; exact: Buffer | null } {
  if (!text.includes('\u0000')) return { message: text, exact: null };
  return { message: text.replaceAll('\u0000', '\uFFFD'), exact: Buffer.from(text, 'utf8') };
}

export function decodeMessageText(row: Pick<MessageRow, 'message' | 'message_exact'>): string {
  return row.message_exact === null ? row.message : row.message_exact.toString('utf8');
}
