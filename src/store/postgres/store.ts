// The PostgreSQL Store (node-postgres): the same model and rules as the SQLite store, for relays on several
// machines sharing one bus. One small pg.Pool per store, one transaction per operation (retried on deadlock or
// serialization failure), parameterised queries only, every table in the `relay` schema. Change events come from
// LISTEN/NOTIFY (postgres-watch.ts). It must never print or store the connection password: `location` has none.
// Loaded only through a dynamic import (open.ts), so a relay on SQLite never loads `pg`.
import os from 'node:os';

import pg from 'pg';

import { classifySessions, registrationName, route, sessionMailbox, type SessionView } from '../routing.js';
import { attachInfos, mailboxFull, messageFromRow, searchHit, type StoredMessage, uniqueIds } from '../rows.js';
import {
  type AttachmentInfo,
  type AttachmentSlice,
  defaultRecipient,
  type FetchQuery,
  isoTimestamp,
  LIMITS,
  type Reader,
  RelayError,
  type RelayMessage,
  type SearchHit,
  searchWords,
  type SendInput,
  type SendResult,
  type SessionInfo,
  type SessionInput,
  type SessionKey,
  type Store,
  type StoreStats,
  validateAttachments,
  validateMessageText,
} from '../store.js';
import { pgMigrations, pgSchemaVersion } from './migrations/index.js';
import { PgChangeWatcher } from './watch.js';

export interface PostgresStoreOptions {
  /** Injected in tests. Default: this machine's clock corrected to the database server's (measured at open). */
  now?: () => Date;
  /** Read messages kept for history (default LIMITS.keepRead); Infinity keeps everything. */
  keepRead?: number;
  /** Unread messages one mailbox may hold (default LIMITS.maxUnread). */
  maxUnread?: number;
  /** This machine's name, for session liveness (default os.hostname()). */
  host?: string;
  /** Injected in tests: whether a process id is alive. */
  pidAlive?: (pid: number) => boolean;
  /** Connections in the pool (default 4); LISTEN uses one more while someone listens. */
  poolSize?: number;
  /** The change events' fallback poll while the LISTEN connection is down (default 2 s). */
  pollMs?: number;
  /** Background trouble: the LISTEN connection dropping, an idle pooled connection failing. */
  onError?: (error: Error) => void;
}

/** The URL without its password (in the user part or as a `password` parameter), for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.searchParams.delete('password');
    return parsed.toString();
  } catch {
    return 'postgres://(a URL that does not parse)';
  }
}

/** Serialises migrations of one database across every relay starting at once. */
const MIGRATE_LOCK = 0x72656c6179_01;
/** Serialises session registration (picking a free name) across processes. */
const SESSIONS_LOCK = 0x72656c6179_02;

const MESSAGE_COLUMNS =
  'id, sender, message, message_exact, "timestamp", read_by_desktop_at, read_by_code_at, from_session, recipient, reply_to';
const SESSION_COLUMNS = 's.name, s.kind, s.cwd, s.host, s.pid, s.observer, s.started_at, s.last_seen, s.ended';
const SESSION_UNREAD =
  "(SELECT count(*) FROM relay.inbox i WHERE i.mailbox = s.kind || '/' || s.name AND i.read_at IS NULL) AS unread";

/** Named statements are prepared once per pooled connection. */
const SQL = {
  byId: {
    name: 'relay_by_id',
    text: `SELECT ${MESSAGE_COLUMNS} FROM relay.messages WHERE id = ANY($1::bigint[]) ORDER BY id`,
  },
  // Run after the mailboxes' locks: refuses when one of them is full, else stores and delivers the message, in one
  // statement whose snapshot (taken after the locks) sees every earlier send, so the cap is exact. Parameters: the
  // message's columns 1-7, the mailboxes in routing order 8, the cap 9.
  store: {
    name: 'relay_store',
    text: `WITH full_box AS (
             SELECT mb.mailbox, u.n FROM unnest($8::text[]) WITH ORDINALITY AS mb (mailbox, ord)
             CROSS JOIN LATERAL (SELECT count(*) AS n FROM relay.inbox i WHERE i.mailbox = mb.mailbox AND i.read_at IS NULL) AS u
             WHERE u.n >= $9::bigint ORDER BY mb.ord LIMIT 1),
           inserted AS (
             INSERT INTO relay.messages (sender, message, message_exact, "timestamp", recipient, from_session, reply_to)
             SELECT $1::text, $2::text, $3::bytea, $4::text, $5::text, $6::text, $7::bigint WHERE NOT EXISTS (SELECT 1 FROM full_box)
             RETURNING ${MESSAGE_COLUMNS}),
           delivered AS (
             INSERT INTO relay.inbox (mailbox, message_id)
             SELECT mb, inserted.id FROM inserted, unnest($8::text[]) AS mb ON CONFLICT DO NOTHING)
           SELECT inserted.*, full_box.mailbox AS full_mailbox, full_box.n AS full_count
           FROM (SELECT 1) AS one LEFT JOIN inserted ON true LEFT JOIN full_box ON true`,
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
  forgetSession: {
    name: 'relay_forget_session',
    text: `DELETE FROM relay.sessions WHERE name = $1
             AND NOT EXISTS (SELECT 1 FROM relay.inbox WHERE mailbox = $2 AND read_at IS NULL)`,
  },
  anyUnnotified: {
    name: 'relay_any_unnotified',
    text: 'SELECT 1 FROM relay.messages WHERE notified_at IS NULL LIMIT 1',
  },
  // Claimed exactly once across processes: rows another claim holds are skipped, and the UPDATE is the claim.
  claim: {
    name: 'relay_claim',
    text: `WITH claimed AS (
             UPDATE relay.messages SET notified_at = $1 WHERE id IN (
               SELECT id FROM relay.messages WHERE notified_at IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING id)
           SELECT ${MESSAGE_COLUMNS.split(', ')
             .map((c) => `m.${c}`)
             .join(', ')} FROM relay.messages m JOIN claimed c ON c.id = m.id
           WHERE EXISTS (SELECT 1 FROM relay.inbox i WHERE i.message_id = m.id AND i.read_at IS NULL)
           ORDER BY m.id`,
  },
  search: {
    name: 'relay_search',
    text: `SELECT m.id, m.sender, m.from_session, m.recipient, m."timestamp", m.message,
                  ts_headline('simple', m.message, q, $3) AS headline
           FROM relay.messages m, to_tsquery('simple', $1) AS q
           WHERE m.search @@ q ORDER BY m.id DESC LIMIT $2`,
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

/** ts_headline's marks: control characters no text search shows, turned into [ and ] once the ellipses are placed. */
const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';
const HEADLINE_OPTIONS =
  `StartSel="${MARK_OPEN}", StopSel="${MARK_CLOSE}", MaxWords=16, MinWords=6, ShortWord=0, MaxFragments=1, ` +
  `FragmentDelimiter=" … "`;

interface MessageRow extends StoredMessage {
  message: string;
  message_exact: Buffer | null;
  recipient: string;
}

interface UnreadRow {
  mailbox: string;
  message_id: number;
}

interface SessionRow {
  name: string;
  kind: string;
  cwd: string | null;
  host: string;
  pid: number;
  observer: boolean;
  started_at: string;
  last_seen: string;
  ended: boolean;
  unread: number;
}

/** bigint (counts, ids) as a JS number: relay ids stay far below 2^53. Per pool, so other pg users are untouched. */
const INT8_OID = 20;
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;

/** How a message's text is stored: PostgreSQL text cannot hold NUL, so such text also keeps its exact bytes. */
export function encodeMessageText(text: string): { message: string; exact: Buffer | null } {
  if (!text.includes('\u0000')) return { message: text, exact: null };
  return { message: text.replaceAll('\u0000', '\uFFFD'), exact: Buffer.from(text, 'utf8') };
}

function decodeMessageText(row: Pick<MessageRow, 'message' | 'message_exact'>): string {
  return row.message_exact === null ? row.message : row.message_exact.toString('utf8');
}

/** Connection settings shared by the pool, the LISTEN client and the migrate command. */
export function connectionConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    application_name: 'mcp-relay',
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types,
  };
}

/** Connects, checks the database, migrates it (once, whoever starts first), and measures the server's clock. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const location = redactUrl(url);
  const pool = new pg.Pool({ ...connectionConfig(url), max: options.poolSize ?? 4, allowExitOnIdle: true });
  pool.on('error', (error) => options.onError?.(error));
  try {
    const offsetMs = await migratePostgres(pool, location);
    return new PostgresStore(pool, url, location, offsetMs, options);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error instanceof RelayError ? error : connectError(location, error);
  }
}

/** Brings the `relay` schema to this relay's version; returns the server clock's offset from ours, in ms. */
export async function migratePostgres(pool: pg.Pool, location: string): Promise<number> {
  const client = await pool.connect();
  try {
    const before = Date.now();
    const { rows } = await client.query<{ encoding: string; now: Date; ours: boolean; foreign: boolean }>(
      `SELECT current_setting('server_encoding') AS encoding, now() AS now,
              to_regclass('relay.relay_schema') IS NOT NULL AS ours,
              EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'relay') AS foreign`,
    );
    const after = Date.now();
    const info = rows[0]!;
    const offsetMs = info.now.getTime() - (before + after) / 2;
    if (info.encoding !== 'UTF8') {
      throw new RelayError(
        'not_relay_db',
        `The PostgreSQL database at ${location} uses the ${info.encoding} encoding; relay needs UTF8 (create one with: createdb -E ` +
          `UTF8 -T template0 NAME).`,
      );
    }
    if (!info.ours && info.foreign) {
      throw new RelayError(
        'not_relay_db',
        `The PostgreSQL database at ${location} has a schema "relay" that is not a relay store (no relay.relay_schema table); it was ` +
          `left untouched: use another database.`,
      );
    }
    let version = info.ours ? await currentVersion(client) : 0;
    checkVersion(version, location);
    if (version === pgSchemaVersion) return offsetMs;
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      await client.query('CREATE SCHEMA IF NOT EXISTS relay');
      await client.query(
        'CREATE TABLE IF NOT EXISTS relay.relay_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      // Re-read under the lock: another relay may have migrated meanwhile.
      version = await currentVersion(client);
      checkVersion(version, location);
      for (; version < pgSchemaVersion; version++) {
        await client.query(pgMigrations[version] as string);
        await client.query('INSERT INTO relay.relay_schema (version) VALUES ($1)', [version + 1]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    return offsetMs;
  } catch (error) {
    throw error instanceof RelayError ? error : connectError(location, error);
  } finally {
    client.release();
  }
}

async function currentVersion(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM relay.relay_schema',
  );
  return rows[0]?.version ?? 0;
}

function checkVersion(version: number, location: string): void {
  if (version > pgSchemaVersion) {
    throw new RelayError(
      'newer_schema',
      `The PostgreSQL relay store at ${location} was written by a newer relay (schema ${version}, this one knows ${pgSchemaVersion}); ` +
        `upgrade mcp-server-relay.`,
    );
  }
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure to reach or use the server, as a sentence that says what to do. */
export function connectError(location: string, error: unknown): RelayError {
  const code = pgCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === '28P01' || code === '28000') {
    return new RelayError(
      'unavailable',
      `PostgreSQL at ${location} refused the login (${detail}); check the user and password in the URL.`,
    );
  }
  if (code === '3D000') {
    return new RelayError(
      'unavailable',
      `PostgreSQL at ${location}: ${detail}; create it (createdb NAME) or fix the URL.`,
    );
  }
  if (code === '42501') {
    return new RelayError(
      'unwritable',
      `PostgreSQL at ${location} does not let this user create relay's tables (${detail}); run relay once as the database owner, or ` +
        `GRANT CREATE ON DATABASE to this user.`,
    );
  }
  return new RelayError(
    'unavailable',
    `Cannot use PostgreSQL at ${location} (${detail}); check the URL and that the server is running, then try again.`,
  );
}

/** Connection-level failures (server gone, network down): worth a clear "try again", not an internal error. */
function isConnectionError(error: unknown): boolean {
  const code = pgCode(error);
  if (code !== undefined && (code.startsWith('08') || code.startsWith('57P'))) return true;
  if (
    code !== undefined &&
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN'].includes(code)
  )
    return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

type Db = pg.PoolClient | pg.Pool;

export class PostgresStore implements Store {
  readonly location: string;
  private readonly pool: pg.Pool;
  private readonly now: () => Date;
  private readonly keepRead: number;
  private readonly maxUnread: number;
  private readonly host: string;
  private readonly pidAlive: ((pid: number) => boolean) | undefined;
  private readonly watcher: PgChangeWatcher;
  private closed = false;

  constructor(pool: pg.Pool, url: string, location: string, clockOffsetMs: number, options: PostgresStoreOptions) {
    this.pool = pool;
    this.location = location;
    // Relays on several machines judge each other's last_seen: one clock (the server's) keeps them comparable.
    this.now = options.now ?? (() => new Date(Date.now() + clockOffsetMs));
    this.keepRead = options.keepRead ?? LIMITS.keepRead;
    this.maxUnread = options.maxUnread ?? LIMITS.maxUnread;
    this.host = options.host ?? os.hostname();
    this.pidAlive = options.pidAlive;
    this.watcher = new PgChangeWatcher({
      client: () => new pg.Client(connectionConfig(url)),
      fingerprint: async () => String((await this.pool.query<{ print: string }>(SQL.fingerprint)).rows[0]?.print),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.onError !== undefined ? { onError: options.onError } : {}),
    });
  }

  async send(input: SendInput): Promise<SendResult> {
    validateMessageText(input.message);
    const attachments = input.attachments ?? [];
    validateAttachments(attachments);
    const timestamp = isoTimestamp(this.now());
    const from = input.from ?? null;
    const text = encodeMessageText(input.message);
    return this.write(async (db) => {
      let to = input.to;
      if (input.replyTo !== undefined) {
        const [original] = (await db.query<MessageRow>(SQL.byId, [[input.replyTo]])).rows;
        if (original === undefined) {
          throw new RelayError(
            'bad_request',
            `There is no message #${input.replyTo} in the relay (it may have been cleared); send without reply_to.`,
          );
        }
        to ??= original.from_session ?? original.sender;
      }
      to ??= defaultRecipient(input.sender);
      const target = route({ to, senderKind: input.sender, from, ...(await this.sessionView(db, 'route', true)) });
      const mailboxes = [...new Set(target.mailboxes)].sort();
      // Per-mailbox locks make the unread cap exact under concurrent sends.
      await db.query(SQL.lockMailboxes, [mailboxes]);
      const [row] = (
        await db.query<MessageRow & { full_mailbox: string | null; full_count: number | null }>(SQL.store, [
          input.sender,
          text.message,
          text.exact,
          timestamp,
          to,
          from,
          input.replyTo ?? null,
          target.mailboxes,
          this.maxUnread,
        ])
      ).rows;
      if (row?.full_mailbox != null) throw mailboxFull(row.full_mailbox, row.full_count ?? this.maxUnread);
      const inserted = row as MessageRow;
      for (const a of attachments)
        await db.query(SQL.attach, [inserted.id, a.name, a.mediaType, a.data.length, a.data]);
      const [message] = attachments.length > 0 ? await this.withAttachments(db, [inserted]) : [toMessage(inserted)];
      return { message: message as RelayMessage, recipients: target.recipients };
    });
  }

  async fetch(query: FetchQuery): Promise<RelayMessage[]> {
    const { reader, limit, unreadOnly } = query;
    if (reader === null) return this.latest(limit);
    const mark = query.mark ?? true;
    // Outside a session there is no own mailbox: '' matches none, so the kind's rows are not read twice.
    const own = reader.name === null ? '' : sessionMailbox(reader.kind, reader.name);
    const params = [own, reader.kind, reader.name, limit];
    if (!mark) {
      return this.autocommit(async (db) => {
        const picked = unreadOnly
          ? (await db.query<UnreadRow>(SQL.unreadPeek, params)).rows
          : (await db.query<{ message_id: number }>(SQL.newestFor, params)).rows;
        return this.messages(db, uniqueIds(picked));
      });
    }
    // Most fetches find nothing: look without a transaction first, and open one only to lock and mark what is there.
    if (
      unreadOnly &&
      (await this.autocommit(
        async (db) => (await db.query(SQL.unreadPeek, [own, reader.kind, reader.name, 1])).rowCount,
      )) === 0
    ) {
      return [];
    }
    return this.write(async (db) => {
      let picked: UnreadRow[];
      if (unreadOnly) {
        picked = (await db.query<UnreadRow>(SQL.unreadFor, params)).rows;
      } else {
        const ids = (await db.query<{ message_id: number }>(SQL.newestFor, params)).rows.map((r) => r.message_id);
        picked = ids.flatMap((id) => [
          { mailbox: own, message_id: id },
          { mailbox: reader.kind, message_id: id },
        ]);
      }
      const ids = uniqueIds(picked);
      if (ids.length === 0) return [];
      await this.markRead(db, reader, picked, ids);
      const messages = await this.messages(db, ids);
      await this.prune(db);
      return messages;
    });
  }

  async latest(limit: number): Promise<RelayMessage[]> {
    return this.autocommit(async (db) =>
      this.withAttachments(db, (await db.query<MessageRow>(SQL.newest, [limit])).rows.reverse()),
    );
  }

  async clear(): Promise<number> {
    // Inbox rows and attachments go with their messages (ON DELETE CASCADE).
    return this.write(async (db) => (await db.query('DELETE FROM relay.messages')).rowCount ?? 0);
  }

  async stats(): Promise<StoreStats> {
    return this.autocommit(async (db) => {
      const [totals] = (await db.query<{ total: number; last_activity: string | null }>(SQL.stats)).rows;
      const unread: Record<string, number> = { desktop: 0, code: 0 };
      for (const row of (await db.query<{ kind: string; n: number }>(SQL.unreadByKind)).rows) unread[row.kind] = row.n;
      return { total: totals?.total ?? 0, unread, lastActivity: totals?.last_activity ?? null };
    });
  }

  async registerSession(input: SessionInput): Promise<SessionInfo> {
    return this.write(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [SESSIONS_LOCK]);
      const name = registrationName(input.name, input.kind, await this.sessionView(db, 'route', true));
      await db.query(SQL.upsertSession, [
        name,
        input.kind,
        input.cwd,
        input.host,
        input.pid,
        input.observer,
        this.now().toISOString(),
      ]);
      const row = (await db.query<SessionRow>(SQL.sessionRows)).rows.find((r) => r.name === name) as SessionRow;
      return sessionInfo(row);
    });
  }

  async touchSession(session: SessionKey): Promise<boolean> {
    return this.autocommit(async (db) => {
      const result = await db.query(SQL.touchSession, [
        this.now().toISOString(),
        session.name,
        session.pid,
        session.host,
      ]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  async endSession(session: SessionKey): Promise<void> {
    await this.autocommit(async (db) =>
      db.query(SQL.endSession, [this.now().toISOString(), session.name, session.pid, session.host]),
    );
  }

  async sessions(): Promise<SessionInfo[]> {
    return this.autocommit(async (db) => (await this.sessionView(db, 'list', false)).live);
  }

  async claimNotifications(limit: number): Promise<RelayMessage[]> {
    // A read first: most changes (reads, sessions) leave nothing to claim, and then nothing is written.
    return this.autocommit(async (db) => {
      if ((await db.query(SQL.anyUnnotified)).rowCount === 0) return [];
      // One statement: the claim and the still-unread check are atomic without an explicit transaction.
      const claimed = (await db.query<MessageRow>(SQL.claim, [isoTimestamp(this.now()), limit])).rows;
      return this.withAttachments(db, claimed);
    });
  }

  async search(query: string, limit: number): Promise<SearchHit[]> {
    const tsquery = tsQuery(query);
    return this.autocommit(async (db) => {
      const rows = (
        await db.query<
          Omit<MessageRow, 'message_exact' | 'read_by_desktop_at' | 'read_by_code_at' | 'reply_to'> & {
            headline: string;
          }
        >(SQL.search, [tsquery, limit, HEADLINE_OPTIONS])
      ).rows;
      return rows.map((r) => searchHit(r, snippet(r.message, r.headline)));
    });
  }

  async attachment(id: number, offset: number, length: number): Promise<AttachmentSlice | null> {
    return this.autocommit(async (db) => {
      const [row] = (
        await db.query<AttachmentInfo & { message_id: number; data: Buffer | null }>(SQL.attachmentSlice, [
          id,
          offset,
          length,
        ])
      ).rows;
      if (row === undefined) return null;
      return { ...row, offset, data: row.data ?? Buffer.alloc(0) };
    });
  }

  onChange(listener: () => void): () => void {
    return this.watcher.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher.close();
    await this.pool.end();
  }

  private async markRead(db: Db, reader: Reader, picked: readonly UnreadRow[], ids: readonly number[]): Promise<void> {
    const readAt = isoTimestamp(this.now());
    await db.query(SQL.markInbox, [readAt, picked.map((p) => p.mailbox), picked.map((p) => p.message_id)]);
    if (reader.kind === 'desktop') await db.query(SQL.markDesktop, [readAt, ids]);
    if (reader.kind === 'code') await db.query(SQL.markCode, [readAt, ids]);
  }

  /** Evicts read messages past the newest `keepRead`; unread ones are never touched. */
  private async prune(db: Db): Promise<void> {
    if (!Number.isFinite(this.keepRead)) return;
    await db.query(SQL.prune, [this.keepRead]);
  }

  /**
   * Live sessions, remembered ones, and the kinds that may be addressed. In a write transaction it also tidies away
   * long-dead sessions; for routing it leaves out the unread counts nobody reads there.
   */
  private async sessionView(db: Db, use: 'list' | 'route', write: boolean): Promise<SessionView> {
    const rows = (await db.query<SessionRow>(use === 'list' ? SQL.sessionRows : SQL.sessionRoutes)).rows.map((row) => ({
      ...sessionInfo(row),
      ended: row.ended,
    }));
    const view = classifySessions(rows, {
      now: this.now(),
      host: this.host,
      ...(this.pidAlive ? { pidAlive: this.pidAlive } : {}),
    });
    for (const row of view.forget) {
      // Long gone: forgotten, unless mail still waits for the name.
      const forgotten =
        write &&
        ((await db.query(SQL.forgetSession, [row.name, sessionMailbox(row.kind, row.name)])).rowCount ?? 0) > 0;
      if (!forgotten) view.known.push(row);
    }
    return view;
  }

  private async messages(db: Db, ids: readonly number[]): Promise<RelayMessage[]> {
    if (ids.length === 0) return [];
    return this.withAttachments(db, (await db.query<MessageRow>(SQL.byId, [ids])).rows);
  }

  private async withAttachments(db: Db, rows: readonly MessageRow[]): Promise<RelayMessage[]> {
    const messages = rows.map(toMessage);
    if (messages.length === 0) return messages;
    const files = (
      await db.query<AttachmentInfo & { message_id: number }>(SQL.attachmentsOf, [messages.map((m) => m.id)])
    ).rows;
    attachInfos(messages, files);
    return messages;
  }

  /**
   * One transaction on one pooled connection; retried a few times on deadlock or serialization failure, and on a
   * connection that turns out dead before COMMIT was sent (nothing of it was committed; a server restart).
   */
  private async write<T>(body: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw this.translate(error);
      }
      let broken: Error | undefined;
      let committing = false;
      try {
        await client.query('BEGIN');
        const result = await body(client);
        committing = true;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (isConnectionError(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((e: unknown) => (broken = e as Error));
        const code = pgCode(error);
        const retry = code === '40P01' || code === '40001' || (broken !== undefined && !committing && !this.closed);
        if (retry && attempt < 5) continue;
        throw this.translate(error);
      } finally {
        // A connection that failed mid-transaction is discarded rather than returned to the pool.
        client.release(broken);
      }
    }
  }

  /** Statements that need no transaction: each is atomic on its own, or only reads. Retried once on a dead connection. */
  private async autocommit<T>(body: (db: pg.Pool) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await body(this.pool);
      } catch (error) {
        if (attempt < 2 && isConnectionError(error) && !this.closed) continue;
        throw this.translate(error);
      }
    }
  }

  private translate(error: unknown): unknown {
    if (error instanceof RelayError) return error;
    const code = pgCode(error);
    if (code === '22021' || code === '22P05') {
      return new RelayError(
        'bad_request',
        `PostgreSQL refused a text value (${(error as Error).message}); send it without NUL or control characters in names.`,
      );
    }
    if (code === '55P03' || code === '40P01' || code === '40001') {
      return new RelayError('busy', `The PostgreSQL relay store at ${this.location} is busy; try again in a moment.`);
    }
    if (code === '53100') {
      return new RelayError(
        'disk_full',
        `The PostgreSQL server at ${this.location} is out of disk space; free some space there and try again.`,
      );
    }
    if (code === '53300') {
      return new RelayError(
        'busy',
        `The PostgreSQL server at ${this.location} has no connection to spare (too many clients); try again in a moment.`,
      );
    }
    if (this.closed) return new RelayError('unavailable', `The relay store at ${this.location} is closed.`);
    if (isConnectionError(error)) {
      return new RelayError(
        'unavailable',
        `Lost the connection to PostgreSQL at ${this.location} (${(error as Error).message}); check that the server is reachable, then ` +
          `try again.`,
      );
    }
    if (code !== undefined && (code.startsWith('28') || code === '3D000' || code === '42501'))
      return connectError(this.location, error);
    // Anything else is a bug here, reported as an internal error by the caller.
    return error;
  }
}

function sessionInfo(row: SessionRow): SessionInfo {
  return {
    name: row.name,
    kind: row.kind,
    cwd: row.cwd,
    host: row.host,
    pid: row.pid,
    observer: row.observer,
    started_at: row.started_at,
    last_seen: row.last_seen,
    unread: row.unread,
  };
}

function toMessage(row: MessageRow): RelayMessage {
  return messageFromRow(row, decodeMessageText(row));
}

/**
 * The words of a free-text query as a tsquery: each word prefix-matched, all required. The words are the same as
 * the SQLite store's (letters, digits, '_'), so nothing in the text is tsquery syntax.
 */
export function tsQuery(text: string): string {
  return searchWords(text)
    .map((w) => `'${w}':*`)
    .join(' & ');
}

/** ts_headline's fragment with [marks], and '…' where it cuts words off, as SQLite's snippet() shows. */
function snippet(message: string, headline: string): string {
  const plain = headline.replaceAll(MARK_OPEN, '').replaceAll(MARK_CLOSE, '');
  const marked = headline.replaceAll(MARK_OPEN, '[').replaceAll(MARK_CLOSE, ']');
  const at = message.indexOf(plain);
  if (at === -1) return marked;
  const wordy = /[\p{L}\p{N}]/u;
  const before = wordy.test(message.slice(0, at)) ? '…' : '';
  const after = wordy.test(message.slice(at + plain.length)) ? '…' : '';
  return `${before}${marked}${after}`;
}
