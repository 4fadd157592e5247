// The PostgreSQL Store (node-postgres): the same model and rules as the SQLite store, for relays on several
// machines sharing one bus. One small pg.Pool per store, one transaction per operation (retried on deadlock or
// serialization failure), parameterised queries only, every table in the `relay` schema. Change events come from
// LISTEN/NOTIFY (watch.ts); connecting, migrating and retrying is
// connect.ts's job, the SQL is queries.ts's. It must never print or store the connection password: `location` has none.
// Loaded only through a dynamic import (open.ts), so a relay on SQLite never loads `pg`.
import pg from 'pg';

import { mailboxesWithRoom } from '../cap.js';
import { type StoreOptions, type StoreSettings, storeSettings } from '../options.js';
import { type Liveness, readerScope, route, scopeRows } from '../routing.js';
import {
  attachInfos,
  directoryFrom,
  messageFromRow,
  seedReadColumn,
  sendAddress,
  sendPrelude,
  uniqueIds,
} from '../rows.js';
import { newestFirst, searchMessages } from '../search.js';
import {
  type AttachmentInfo,
  type AttachmentSlice,
  type Delivery,
  type Directory,
  type FetchQuery,
  type HistoryMessage,
  type HistoryQuery,
  isoTimestamp,
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
import { decodeMessageText, encodeMessageText, type MessageRow, SQL, type UnreadRow } from './queries.js';
import { endSession, forgetSession, registerSession, sessionView, touchSession } from './sessions.js';
import { PgChangeWatcher } from './watch.js';

export interface PostgresStoreOptions extends StoreOptions {
  /** Connections in the pool (default 4); LISTEN uses one more while someone listens. */
  poolSize?: number;
  /** Read only (16.1): no migration, and every connection refuses writes (default_transaction_read_only). */
  readOnly?: boolean;
}

/** Connects, checks the database, migrates it (once, whoever starts first), and measures the server's clock. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const location = redactUrl(url);
  const readOnly = options.readOnly === true;
  const pool = new pg.Pool({
    ...connectionConfig(url),
    ...(readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    max: options.poolSize ?? 4,
    allowExitOnIdle: true,
  });
  pool.on('error', (error) => options.onError?.(error));
  try {
    const offsetMs = await migratePostgres(pool, location, readOnly);
    const version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
    const backend = `PostgreSQL ${version?.split(' ')[0] ?? '(version unknown)'}`;
    return new PostgresStore(pool, url, location, { offsetMs, backend }, options);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error instanceof RelayError ? error : connectError(location, error);
  }
}

type Db = pg.PoolClient | pg.Pool;

export class PostgresStore implements Store {
  readonly location: string;
  readonly backend: string;
  private readonly pool: pg.Pool;
  private readonly settings: StoreSettings;
  private readonly watcher: PgChangeWatcher;
  private readonly runner: PgRunner;
  private closed = false;

  constructor(
    pool: pg.Pool,
    url: string,
    location: string,
    server: { offsetMs: number; backend: string },
    options: PostgresStoreOptions,
  ) {
    this.pool = pool;
    this.location = location;
    this.backend = server.backend;
    this.runner = pgRunner(pool, location, () => this.closed);
    // Relays on several machines judge each other's last_seen: one clock (the server's) keeps them comparable.
    this.settings = storeSettings(options, () => new Date(Date.now() + server.offsetMs));
    this.watcher = new PgChangeWatcher({
      client: () => new pg.Client(connectionConfig(url)),
      fingerprint: async () => String((await this.pool.query<{ print: string }>(SQL.fingerprint)).rows[0]?.print),
      pollMs: this.settings.pollMs,
      ...(this.settings.onError !== undefined ? { onError: this.settings.onError } : {}),
    });
  }

  async send(input: SendInput): Promise<SendResult> {
    const { timestamp, from, replyTo, attachments } = sendPrelude(input, this.settings.now());
    const text = encodeMessageText(input.message);
    return this.write(async (db) => {
      const original =
        input.replyTo === undefined ? undefined : (await db.query<MessageRow>(SQL.byId, [[input.replyTo]])).rows[0];
      const to = sendAddress(input, original);
      const view = await sessionView(db, this.settings, 'route', true);
      const routed = route({ to, senderKind: input.sender, from, ...view });
      // Per-mailbox locks make the unread cap exact under concurrent sends.
      await db.query(SQL.lockMailboxes, [[...new Set(routed.mailboxes)].sort()]);
      const counts = (await db.query<{ mailbox: string; n: number }>(SQL.unreadCounts, [routed.mailboxes])).rows;
      const unread = new Map(counts.map((c) => [c.mailbox, c.n]));
      const target = mailboxesWithRoom(routed, (mailbox) => unread.get(mailbox) ?? 0, this.settings.maxUnread);
      const [row] = (
        await db.query<MessageRow>(SQL.store, [
          input.sender,
          text.message,
          text.exact,
          timestamp,
          to,
          from,
          replyTo,
          target.mailboxes,
        ])
      ).rows;
      const inserted = row as MessageRow;
      for (const a of attachments)
        await db.query(SQL.attach, [inserted.id, a.name, a.mediaType, a.data.length, a.data]);
      const [message] = attachments.length > 0 ? await this.withAttachments(db, [inserted]) : [toMessage(inserted)];
      return { message: message as RelayMessage, recipients: target.recipients, full: target.full };
    });
  }

  async fetch(query: FetchQuery): Promise<RelayMessage[]> {
    const { reader, limit, unreadOnly } = query;
    const mark = query.mark ?? true;
    const scope = readerScope(reader);
    const params = [scope.own, scope.kind, scope.name, limit];
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
        async (db) => (await db.query(SQL.unreadPeek, [scope.own, scope.kind, scope.name, 1])).rowCount,
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
        picked = scopeRows(ids, scope);
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

  async deleteMessages(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    // Inbox rows and attachments go with their messages (ON DELETE CASCADE).
    return this.write(async (db) => (await db.query(SQL.deleteMessages, [ids])).rowCount ?? 0);
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
    return this.write(async (db) => registerSession(db, input, this.settings));
  }

  async touchSession(session: SessionKey): Promise<boolean> {
    return this.autocommit(async (db) => touchSession(db, session, this.settings));
  }

  async endSession(session: SessionKey): Promise<void> {
    await this.autocommit(async (db) => endSession(db, session, this.settings));
  }

  async forgetSession(session: SessionKey): Promise<boolean> {
    return this.autocommit(async (db) => forgetSession(db, session));
  }

  async sessions(): Promise<SessionInfo[]> {
    return this.autocommit(async (db) => (await sessionView(db, this.settings, 'list', false)).live);
  }

  async leaseNotifications(owner: string, limit: number): Promise<NoticeLease> {
    // A read first: most changes (reads, sessions) leave nothing to notify, and then nothing is written.
    if ((await this.autocommit(async (db) => (await db.query(SQL.anyUnnotified)).rowCount)) === 0) {
      return { messages: [], retryAt: null };
    }
    const liveness = this.liveness(this.settings.now());
    return this.write((db) => leaseNotices(db, owner, limit, liveness, (ids) => this.messages(db, ids)));
  }

  async confirmNotifications(owner: string, ids: readonly number[]): Promise<number[]> {
    return ids.length === 0 ? [] : this.autocommit((db) => confirmNotices(db, owner, ids, this.settings.now()));
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
      const [view, unread] = await Promise.all([sessionView(db, this.settings, 'list', false), kindUnread(db)]);
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
    const readAt = isoTimestamp(this.settings.now());
    await db.query(SQL.markInbox, [readAt, picked.map((p) => p.mailbox), picked.map((p) => p.message_id)]);
    const column = seedReadColumn(reader.kind);
    if (column !== null)
      await db.query(column === 'read_by_desktop_at' ? SQL.markDesktop : SQL.markCode, [readAt, ids]);
  }

  /** Evicts read messages past the newest `keepRead`; unread ones are never touched. */
  private async prune(db: Db): Promise<void> {
    if (!Number.isFinite(this.settings.keepRead)) return;
    await db.query(SQL.prune, [this.settings.keepRead]);
  }

  /** Liveness for judging a notice lease's holder: only the clock, this host and the pid probe count. */
  private liveness(now: Date): Liveness {
    const { host, pidAlive } = this.settings;
    return { now, host, ...(pidAlive ? { pidAlive } : {}) };
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

function toMessage(row: MessageRow): RelayMessage {
  return messageFromRow(row, decodeMessageText(row));
}
