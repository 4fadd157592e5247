// What the history shows, on SQLite: messages with each delivery's read state (in the same statement, so one
// snapshot), filtered by session, kind and thread, paged; and the deliveries alone, for a watcher. Marks nothing.
import { deliveriesById, deliveriesFromPairs } from '../rows.js';
import type { Delivery, HistoryMessage, HistoryQuery, RelayMessage } from '../store.js';
import type { Connection } from './connection.js';
import { MESSAGE_COLUMNS, type MessageRow } from './queries.js';

interface HistoryParams {
  session: string | null;
  kind: string | null;
  thread: number | null;
  before: number | null;
  after: number | null;
  limit: number;
}

interface DeliveryRow {
  message_id: number;
  mailbox: string;
  read_at: string | null;
  timestamp: string;
}

/**
 * The newest matches first (the caller reverses), every filter optional. A session is matched by its name as sender
 * or as the name part of a mailbox; a kind as sender, as its shared mailbox, or as the prefix of its sessions'
 * (the range between 'code/' and 'code0'). A thread is the message's root, found up reply_to, and every reply below.
 */
export const HISTORY_SQL = `
  WITH RECURSIVE
    up (id, parent, depth) AS (
      SELECT id, reply_to, 0 FROM messages WHERE id = @thread
      UNION ALL SELECT m.id, m.reply_to, up.depth + 1 FROM messages m JOIN up ON m.id = up.parent WHERE up.depth < 10000),
    root (id) AS (SELECT id FROM up ORDER BY depth DESC LIMIT 1),
    thread (id) AS (SELECT id FROM root UNION SELECT m.id FROM messages m JOIN thread ON m.reply_to = thread.id)
  SELECT ${MESSAGE_COLUMNS},
    (SELECT json_group_array(json_array(i.mailbox, i.read_at)) FROM inbox i INDEXED BY inbox_by_message
     WHERE i.message_id = m.id) AS deliveries
  FROM messages m
  WHERE (@before IS NULL OR m.id < @before) AND (@after IS NULL OR m.id > @after)
    AND (@session IS NULL OR m.from_session = @session OR EXISTS (
      SELECT 1 FROM inbox i INDEXED BY inbox_by_message
      WHERE i.message_id = m.id AND substr(i.mailbox, -length(@session) - 1) = '/' || @session))
    AND (@kind IS NULL OR m.sender = @kind OR EXISTS (
      SELECT 1 FROM inbox i INDEXED BY inbox_by_message
      WHERE i.message_id = m.id AND (i.mailbox = @kind OR (i.mailbox > @kind || '/' AND i.mailbox < @kind || '0'))))
    AND (@thread IS NULL OR m.id IN (SELECT id FROM thread))
  ORDER BY m.id DESC LIMIT @limit`;

export function prepareHistoryQueries(db: Connection) {
  return {
    history: db.prepare<HistoryParams, MessageRow & { deliveries: string }>(HISTORY_SQL),
    deliveriesFrom: db.prepare<{ from: number }, DeliveryRow>(
      `SELECT i.message_id, i.mailbox, i.read_at, m.timestamp FROM inbox i INDEXED BY inbox_by_message
       JOIN messages m ON m.id = i.message_id WHERE i.message_id >= @from ORDER BY i.message_id, i.mailbox`,
    ),
  };
}

export type HistoryQueries = ReturnType<typeof prepareHistoryQueries>;

/** The matching messages, oldest first; `withAttachments` turns rows into messages with their files listed. */
export function readHistory(
  q: HistoryQueries,
  query: HistoryQuery,
  withAttachments: (rows: readonly MessageRow[]) => RelayMessage[],
): HistoryMessage[] {
  const rows = q.history
    .all({
      session: query.session ?? null,
      kind: query.kind ?? null,
      thread: query.thread ?? null,
      before: query.before ?? null,
      after: query.after ?? null,
      limit: query.limit,
    })
    .reverse();
  const recipients = rows.map((r) =>
    deliveriesFromPairs(JSON.parse(r.deliveries) as [string, string | null][], r.timestamp),
  );
  return withAttachments(rows).map((m, n) => ({ ...m, recipients: recipients[n] ?? [] }));
}

export function readDeliveries(q: HistoryQueries, fromId: number): Map<number, Delivery[]> {
  return deliveriesById(q.deliveriesFrom.all({ from: fromId }));
}
