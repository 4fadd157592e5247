// What the history shows, on PostgreSQL: the same filters as the SQLite store's (sqlite/history.ts), each message's
// deliveries in the same statement (one snapshot), the deliveries alone for a watcher, and the kinds' shared unread.
// Marks nothing.
import type pg from 'pg';

import { deliveriesById, deliveriesFromPairs } from '../rows.js';
import type { Delivery, HistoryMessage, HistoryQuery, RelayMessage } from '../store.js';
import { MESSAGE_COLUMNS, type MessageRow } from './queries.js';

type Db = pg.PoolClient | pg.Pool;

/** Named statements. History parameters: session 1, kind 2, thread 3, before 4, after 5, limit 6. */
export const HISTORY_SQL = {
  history: {
    name: 'relay_history',
    text: `WITH RECURSIVE
             up (id, parent, depth) AS (
               SELECT id, reply_to, 0 FROM relay.messages WHERE id = $3::bigint
               UNION ALL SELECT m.id, m.reply_to, up.depth + 1 FROM relay.messages m JOIN up ON m.id = up.parent
               WHERE up.depth < 10000),
             root (id) AS (SELECT id FROM up ORDER BY depth DESC LIMIT 1),
             thread (id) AS (SELECT id FROM root UNION SELECT m.id FROM relay.messages m JOIN thread ON m.reply_to = thread.id)
           SELECT ${MESSAGE_COLUMNS.split(', ')
             .map((c) => `m.${c}`)
             .join(', ')},
             (SELECT coalesce(json_agg(json_build_array(i.mailbox, i.read_at)), '[]'::json) FROM relay.inbox i
              WHERE i.message_id = m.id) AS deliveries
           FROM relay.messages m
           WHERE ($4::bigint IS NULL OR m.id < $4) AND ($5::bigint IS NULL OR m.id > $5)
             AND ($1::text IS NULL OR m.from_session = $1 OR EXISTS (
               SELECT 1 FROM relay.inbox i WHERE i.message_id = m.id AND right(i.mailbox, length($1) + 1) = '/' || $1))
             AND ($2::text IS NULL OR m.sender = $2 OR EXISTS (
               SELECT 1 FROM relay.inbox i
               WHERE i.message_id = m.id AND (i.mailbox = $2 OR split_part(i.mailbox, '/', 1) = $2)))
             AND ($3::bigint IS NULL OR m.id IN (SELECT id FROM thread))
           ORDER BY m.id DESC LIMIT $6`,
  },
  deliveriesFrom: {
    name: 'relay_deliveries_from',
    text: `SELECT i.message_id, i.mailbox, i.read_at, m."timestamp" FROM relay.inbox i
           JOIN relay.messages m ON m.id = i.message_id WHERE i.message_id >= $1 ORDER BY i.message_id, i.mailbox`,
  },
  kindUnread: {
    name: 'relay_kind_unread',
    text: `SELECT mailbox, count(*) AS n FROM relay.inbox WHERE read_at IS NULL AND position('/' in mailbox) = 0
           GROUP BY mailbox`,
  },
} as const;

/** The matching messages, oldest first; `withAttachments` turns rows into messages with their files listed. */
export async function readHistory(
  db: Db,
  query: HistoryQuery,
  withAttachments: (db: Db, rows: readonly MessageRow[]) => Promise<RelayMessage[]>,
): Promise<HistoryMessage[]> {
  const params = [
    query.session ?? null,
    query.kind ?? null,
    query.thread ?? null,
    query.before ?? null,
    query.after ?? null,
    query.limit,
  ];
  const rows = (
    await db.query<MessageRow & { deliveries: [string, string | null][] }>(HISTORY_SQL.history, params)
  ).rows.reverse();
  const messages = await withAttachments(db, rows);
  return messages.map((m, n) => ({ ...m, recipients: deliveriesFromPairs(rows[n]?.deliveries ?? [], m.timestamp) }));
}

export async function readDeliveries(db: Db, fromId: number): Promise<Map<number, Delivery[]>> {
  const rows = await db.query<{ message_id: number; mailbox: string; read_at: string | null; timestamp: string }>(
    HISTORY_SQL.deliveriesFrom,
    [fromId],
  );
  return deliveriesById(rows.rows);
}

/** Unread messages waiting in each kind's shared mailbox. */
export async function kindUnread(db: Db): Promise<Map<string, number>> {
  const rows = await db.query<{ mailbox: string; n: number }>(HISTORY_SQL.kindUnread);
  return new Map(rows.rows.map((r) => [r.mailbox, r.n]));
}
