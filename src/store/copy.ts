// Copies an SQLite relay buffer into a PostgreSQL relay store, row for row: messages with their ids, text,
// timestamps, read state, recipient, sender session, reply_to and notification claim; every delivery (inbox row)
// with its read state; attachments byte for byte; sessions. One PostgreSQL transaction, with the tables locked
// against relays writing meanwhile, and one SQLite read snapshot: on any error nothing is copied.
// The SQLite file is first opened as the relay opens it (the seed's file is upgraded in place); it is
// otherwise only read. Never writes to a PostgreSQL store that already holds data unless told to replace it.
import fs from 'node:fs';

import pg from 'pg';

import { connectError, connectionConfig, migratePostgres, redactUrl } from './postgres/connect.js';
import { encodeMessageText } from './postgres/queries.js';
import { messageText, oddColumns, type SessionRow, type StoredMessage, storedMessage, textOf } from './rows.js';
import type { Connection } from './sqlite/connection.js';
import { sqliteDriver } from './sqlite/driver.js';
import { schemaVersion as sqliteSchemaVersion } from './sqlite/migrations/index.js';
import { openSqliteStore } from './sqlite/store.js';
import { defaultRecipient, formatCount, RelayError } from './store.js';

/** The SQLite schema this copy reads. A new SQLite migration must be taught here (and the migrate test fails until it is). */
// 4 dropped the FTS5 index (never copied); 5 added notice leases (a lease is a moment: not copied).
export const COPIED_SQLITE_SCHEMA = 5;
const BATCH = 500;

export interface CopyOptions {
  /** Replace whatever the PostgreSQL store holds; without it a store that is not empty is refused. */
  force?: boolean;
}

export interface CopyReport {
  from: string;
  /** The target URL without its password. */
  to: string;
  messages: number;
  /** Messages someone has not read yet. */
  unread: number;
  /** Inbox rows: one per message and mailbox it was delivered to. */
  deliveries: number;
  attachments: number;
  attachmentBytes: number;
  sessions: number;
  /** What --force replaced, or null. */
  replaced: { messages: number; sessions: number } | null;
  /** Rows another program stored oddly (a BLOB, a number or NULL where text belongs), copied converted. */
  converted: { id: number; what: string[] }[];
}

interface SqliteMessage extends StoredMessage {
  message: unknown;
  /** SQLite's typeof(message): the text itself is read as bytes (node:sqlite cuts TEXT at NUL). */
  message_type: string;
  notified_at: string | null;
}

export async function copySqliteToPostgres(
  fromPath: string,
  toUrl: string,
  options: CopyOptions = {},
): Promise<CopyReport> {
  if (COPIED_SQLITE_SCHEMA !== sqliteSchemaVersion) {
    throw new Error(
      `migrate copies SQLite schema ${COPIED_SQLITE_SCHEMA}, but this relay's SQLite schema is ${sqliteSchemaVersion}: teach ` +
        `src/store/copy.ts the new columns`,
    );
  }
  if (!fs.existsSync(fromPath)) {
    throw new RelayError(
      'not_relay_db',
      `There is no relay buffer at ${fromPath}; pass --from with the SQLite file to copy.`,
    );
  }
  // Opened as a relay opens it: checked, and brought to the current schema.
  await openSqliteStore(fromPath).close();

  const location = redactUrl(toUrl);
  const pool = new pg.Pool({ ...connectionConfig(toUrl), max: 1 });
  pool.on('error', () => {
    // Reported by the query that fails.
  });
  const sqlite = sqliteDriver().open(fromPath, { readOnly: true });
  try {
    await migratePostgres(pool, location);
    const client = await pool.connect().catch((error: unknown) => {
      throw connectError(location, error);
    });
    try {
      await client.query('BEGIN');
      sqlite.exec('BEGIN');
      const report = await copy(sqlite, client, fromPath, location, options);
      await client.query('COMMIT');
      return report;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error instanceof RelayError || !(error as { code?: string }).code ? error : connectError(location, error);
    } finally {
      if (sqlite.inTransaction) sqlite.exec('COMMIT');
      client.release();
    }
  } finally {
    sqlite.close();
    await pool.end();
  }
}

type CopiedMessage = StoredMessage & { text: { message: string; exact: Buffer | null }; notified_at: string | null };

async function insertMessages(db: pg.PoolClient, batch: readonly CopiedMessage[]): Promise<void> {
  await db.query(
    `INSERT INTO relay.messages (id, sender, message, message_exact, "timestamp", read_by_desktop_at, read_by_code_at,
                                 recipient, from_session, reply_to, notified_at)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::bigint[], $11::text[])`,
    [
      batch.map((m) => m.id),
      batch.map((m) => m.sender),
      batch.map((m) => m.text.message),
      batch.map((m) => m.text.exact),
      batch.map((m) => m.timestamp),
      batch.map((m) => m.read_by_desktop_at),
      batch.map((m) => m.read_by_code_at),
      // Rows the seed inserted after the upgrade have no recipient yet: the seed's route.
      batch.map((m) => m.recipient ?? defaultRecipient(m.sender)),
      batch.map((m) => m.from_session),
      batch.map((m) => m.reply_to),
      batch.map((m) => m.notified_at),
    ],
  );
}

async function copy(
  sqlite: Connection,
  db: pg.PoolClient,
  from: string,
  to: string,
  options: CopyOptions,
): Promise<CopyReport> {
  // No relay writes while the copy runs: its sends and reads wait, then see the whole copy at once.
  await db.query(
    'LOCK TABLE relay.messages, relay.inbox, relay.attachments, relay.sessions IN SHARE ROW EXCLUSIVE MODE',
  );
  const { rows: held } = await db.query<{ messages: number; sessions: number }>(
    'SELECT (SELECT count(*) FROM relay.messages) AS messages, (SELECT count(*) FROM relay.sessions) AS sessions',
  );
  const existing = held[0] ?? { messages: 0, sessions: 0 };
  let replaced: CopyReport['replaced'] = null;
  if (existing.messages > 0 || existing.sessions > 0) {
    if (options.force !== true) {
      throw new RelayError(
        'bad_request',
        `The PostgreSQL relay store at ${to} already holds ${formatCount(existing.messages)} messages and ` +
          `${formatCount(existing.sessions)} sessions; ` +
          'nothing was copied. Pass --force to replace them with the copy, or use an empty database.',
      );
    }
    await db.query('DELETE FROM relay.messages');
    await db.query('DELETE FROM relay.sessions');
    replaced = existing;
  }

  const report: CopyReport = {
    from,
    to,
    messages: 0,
    unread: 0,
    deliveries: 0,
    attachments: 0,
    attachmentBytes: 0,
    sessions: 0,
    replaced,
    converted: [],
  };

  const messages = sqlite
    .prepare<void, SqliteMessage>(
      `SELECT id, sender, CAST(message AS BLOB) AS message, typeof(message) AS message_type, timestamp,
              read_by_desktop_at, read_by_code_at, recipient, from_session, reply_to, notified_at
       FROM messages ORDER BY id`,
    )
    .iterate();
  for (const raw of batches(messages)) {
    const batch = raw.map((m) => {
      const what = oddColumns(m, m.message_type);
      if (what.length > 0) report.converted.push({ id: m.id, what });
      return {
        ...storedMessage(m),
        text: encodeMessageText(messageText(m.message)),
        notified_at: textOf(m.notified_at),
      };
    });
    await db.query('SAVEPOINT batch');
    try {
      await insertMessages(db, batch);
    } catch (error) {
      // Name the row PostgreSQL refuses, rather than a whole batch of them.
      await db.query('ROLLBACK TO SAVEPOINT batch');
      for (const row of batch) {
        try {
          await insertMessages(db, [row]);
        } catch (rowError) {
          throw new RelayError(
            'bad_request',
            `Message #${row.id} in ${from} cannot be copied (${(rowError as Error).message}); nothing was copied: ` +
              `change or delete that row in the SQLite file, then run migrate again.`,
          );
        }
      }
      throw error;
    }
    report.messages += batch.length;
  }

  const inbox = sqlite
    .prepare<void, { mailbox: string; message_id: number; read_at: string | null }>(
      'SELECT mailbox, message_id, read_at FROM inbox WHERE message_id IN (SELECT id FROM messages) ORDER BY message_id, mailbox',
    )
    .iterate();
  for (const batch of batches(inbox)) {
    await db.query(
      'INSERT INTO relay.inbox (mailbox, message_id, read_at) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])',
      [batch.map((r) => r.mailbox), batch.map((r) => r.message_id), batch.map((r) => r.read_at)],
    );
    report.deliveries += batch.length;
  }
  report.unread =
    sqlite
      .pluck<void, number>(
        'SELECT count(DISTINCT message_id) FROM inbox WHERE read_at IS NULL AND message_id IN (SELECT id FROM messages)',
      )
      .get() ?? 0;

  // One attachment at a time: up to 25 MB each, never all in memory at once.
  const attachments = sqlite
    .prepare<void, { id: number; message_id: number; name: string; media_type: string; size: number }>(
      'SELECT id, message_id, name, media_type, size FROM attachments WHERE message_id IN (SELECT id FROM messages) ORDER BY id',
    )
    .all();
  const bytesOf = sqlite.pluck<{ id: number }, Buffer>('SELECT data FROM attachments WHERE id = @id');
  for (const a of attachments) {
    const data = bytesOf.get({ id: a.id }) ?? Buffer.alloc(0);
    await db.query(
      'INSERT INTO relay.attachments (id, message_id, name, media_type, size, data) VALUES ($1, $2, $3, $4, $5, $6)',
      [a.id, a.message_id, a.name, a.media_type, a.size, data],
    );
    report.attachments += 1;
    report.attachmentBytes += data.length;
  }

  const sessions = sqlite
    .prepare<void, SessionRow>(
      'SELECT name, kind, cwd, host, pid, observer, started_at, last_seen, ended FROM sessions ORDER BY rowid',
    )
    .all();
  for (const s of sessions) {
    await db.query(
      `INSERT INTO relay.sessions (name, kind, cwd, host, pid, observer, started_at, last_seen, ended)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [s.name, s.kind, s.cwd, s.host, s.pid, Boolean(s.observer), s.started_at, s.last_seen, Boolean(s.ended)],
    );
    report.sessions += 1;
  }

  // Ids keep increasing past every id SQLite ever gave out, as they would have there.
  const sequence = sqlite.pluck<{ table: string }, number>('SELECT seq FROM sqlite_sequence WHERE name = @table');
  for (const table of ['messages', 'attachments'] as const) {
    const last = Math.max(
      sequence.get({ table }) ?? 0,
      sqlite.pluck<void, number>(`SELECT coalesce(max(id), 0) FROM ${table}`).get() ?? 0,
    );
    if (last > 0) await db.query(`SELECT setval(pg_get_serial_sequence('relay.${table}', 'id'), $1)`, [last]);
  }
  return report;
}

function* batches<T>(rows: Iterable<T>): Generator<T[]> {
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
