// The PostgreSQL Store (node-postgres): the same model and rules as the SQLite store, for relays on several
// machines sharing one bus. One small pg.Pool per store, one transaction per operation (retried on deadlock or
// serialization failure), parameterised queries only, every table in the `relay` schema. Change events come from
// LISTEN/NOTIFY (watch.ts); connecting, migrating and retrying is
// connect.ts's job, the SQL is queries.ts's. It must never print or store the connection password: `location` has none.
// Loaded only through a dynamic import (open.ts), so a relay on SQLite never loads `pg`.
import os from 'node:os';

import pg from 'pg';

import { validateAttachments, validateMessageText } from '../input.js';
import {
  classifySessions,
  type Liveness,
  registrationName,
  route,
  sessionMailbox,
  type SessionView,
} from '../routing.js';
import { attachInfos, directoryFrom, mailboxFull, messageFromRow, uniqueIds } from '../rows.js';
import { newestFirst, searchMessages } from '../search.js';
import {
  type AttachmentInfo,
  type AttachmentSlice,
  defaultRecipient,
  type Delivery,
  type Directory,
  type FetchQuery,
  type HistoryMessage,
  type HistoryQuery,
  isoTimestamp,
  LIMITS,
  type NoticeLease,
  type Reader,
  RelayError,
  type RelayMessage,
  type SearchHit,
  type SendInput,
  type SendResult,
  type SessionInfo,
  type SessionInput,
  type SessionKey,
  type Store,
  type StoreStats,
} from '../store.js';
import { connectError, connectionConfig, migratePostgres, type PgRunner, pgRunner, redactUrl } from './connect.js';
import { kindUnread, readDeliveries, readHistory } from './history.js';
import { confirmNotices, leaseNotices } from './notices.js';
import {
  decodeMessageText,
  encodeMessageText,
  type MessageRow,
  type PgSessionRow,
  SESSIONS_LOCK,
  SQL,
  type UnreadRow,
} from './queries.js';
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
  private readonly runner: PgRunner;
  private closed = false;

  constructor(pool: pg.Pool, url: string, location: string, clockOffsetMs: number, options: PostgresStoreOptions) {
    this.pool = pool;
    this.location = location;
    this.runner = pgRunner(pool, location, () => this.closed);
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
      const row = (await db.query<PgSessionRow>(SQL.sessionRows)).rows.find((r) => r.name === name) as PgSessionRow;
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

  async leaseNotifications(owner: string, limit: number): Promise<NoticeLease> {
    // A read first: most changes (reads, sessions) leave nothing to notify, and then nothing is written.
    if ((await this.autocommit(async (db) => (await db.query(SQL.anyUnnotified)).rowCount)) === 0) {
      return { messages: [], retryAt: null };
    }
    const liveness = this.liveness(this.now());
    return this.write((db) => leaseNotices(db, owner, limit, liveness, (ids) => this.messages(db, ids)));
  }

  async confirmNotifications(owner: string, ids: readonly number[]): Promise<number[]> {
    return ids.length === 0 ? [] : this.autocommit((db) => confirmNotices(db, owner, ids, this.now()));
  }

  async search(query: string, limit: number): Promise<SearchHit[]> {
    const batch = (before: number, size: number) =>
      this.autocommit(async (db) =>
        (await db.query<MessageRow>(SQL.searchBatch, [before, size])).rows.map((r) => ({
          ...r,
          message: decodeMessageText(r),
        })),
      );
    return searchMessages(newestFirst(batch), query, limit);
  }

  async history(query: HistoryQuery): Promise<HistoryMessage[]> {
    return this.autocommit((db) => readHistory(db, query, (on, rows) => this.withAttachments(on, rows)));
  }

  async deliveries(fromId: number): Promise<Map<number, Delivery[]>> {
    return this.autocommit((db) => readDeliveries(db, fromId));
  }

  async directory(): Promise<Directory> {
    return this.autocommit(async (db) => {
      const [view, unread] = await Promise.all([this.sessionView(db, 'list', false), kindUnread(db)]);
      return directoryFrom(view, (kind) => unread.get(kind) ?? 0);
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
    const rows = (await db.query<PgSessionRow>(use === 'list' ? SQL.sessionRows : SQL.sessionRoutes)).rows.map(
      (row) => ({
        ...sessionInfo(row),
        ended: row.ended,
      }),
    );
    const view = classifySessions(rows, this.liveness(this.now()));
    for (const row of view.forget) {
      // Long gone: forgotten, unless mail still waits for the name.
      const forgotten =
        write &&
        ((await db.query(SQL.forgetSession, [row.name, sessionMailbox(row.kind, row.name)])).rowCount ?? 0) > 0;
      if (!forgotten) view.known.push(row);
    }
    return view;
  }

  private liveness(now: Date): Liveness {
    return { now, host: this.host, ...(this.pidAlive ? { pidAlive: this.pidAlive } : {}) };
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
  private write<T>(body: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.runner.write(body);
  }

  private autocommit<T>(body: (db: pg.Pool) => Promise<T>): Promise<T> {
    return this.runner.autocommit(body);
  }
}

function sessionInfo(row: PgSessionRow): SessionInfo {
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
