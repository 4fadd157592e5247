// The SQLite Store: one connection per process (through the driver seam: node:sqlite or better-sqlite3), WAL, one
// IMMEDIATE transaction per write, statements prepared once (queries.ts). Opening and recognising the file is
// open.ts's job, what each write writes is writes.ts's, the change events are watch.ts's.
import { mailboxesWithRoom } from '../cap.js';
import { type StoreOptions, type StoreSettings, storeSettings } from '../options.js';
import { type Liveness, readerScope, route, scopeRows } from '../routing.js';
import { attachInfos, directoryFrom, messageText, sendAddress, sendPrelude, uniqueIds } from '../rows.js';
import { newestFirst, searchMessages } from '../search.js';
import {
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
import type { Connection, DriverName } from './connection.js';
import { primaryCode, sqliteCode } from './driver.js';
import { movedAway, movedNotice, reopenMoved } from './file-guard.js';
import { type HistoryQueries, prepareHistoryQueries, readDeliveries, readHistory } from './history.js';
import { type OpenedFile, openError, openForReading, openForWriting } from './open.js';
import { type MessageRow, prepareQueries, type Queries, type UnreadRow } from './queries.js';
import { SqliteSessions } from './sessions.js';
import { ChangeWatcher } from './watch.js';
import { confirmNotices, evictRead, insertMessage, leaseNotices, toMessage, writeReadMarks } from './writes.js';

export interface SqliteStoreOptions extends StoreOptions {
  /** Read messages marked between two evictions of old history (default PRUNE_BATCH). */
  pruneBatch?: number;
  /** How long to wait for another process's write lock (default 5 s). */
  busyTimeoutMs?: number;
  /**
   * Read only (16.1): nothing about the file changes (no chmod, no WAL switch, no migration, no new file); every
   * write is refused with RelayError('read_only'), and a missing file is RelayError('missing').
   */
  readOnly?: boolean;
  /** Tests: a driver other than the process's choice (RELAY_SQLITE_DRIVER, else node:sqlite, else better-sqlite3). */
  driver?: DriverName;
}

/** Evicting old read messages scans the history; once per this many messages marked read is plenty. */
export const PRUNE_BATCH = 32;

/** Opens (creating if absent, mode 0600) and migrates a relay database. Throws RelayError naming the path. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const opened =
    options.readOnly === true
      ? openForReading(path, options.driver)
      : openForWriting(path, options.busyTimeoutMs ?? 5_000, options.driver);
  return new SqliteStore(opened, path, options);
}

export class SqliteStore implements Store {
  readonly location: string;
  /** The driver and the SQLite it runs, for `doctor` and `--debug`. */
  readonly driver: { name: DriverName; sqliteVersion: string };
  readonly backend: string;
  private db: Connection;
  private opened: OpenedFile;
  private readonly readOnly: boolean;
  private readonly settings: StoreSettings;
  private readonly pruneBatch: number;
  private markedSincePrune = 0;
  private q: Queries;
  private h: HistoryQueries;
  private readonly sessionRows: SqliteSessions;
  private readonly reopen: () => OpenedFile;
  private readonly watcher: ChangeWatcher;
  private closed = false;

  constructor(opened: OpenedFile, location: string, options: SqliteStoreOptions) {
    const { db, driver } = opened;
    this.opened = opened;
    this.readOnly = options.readOnly === true;
    this.db = db;
    this.driver = { name: driver.name, sqliteVersion: driver.sqliteVersion };
    this.backend = `SQLite ${driver.sqliteVersion} via ${driver.name}`;
    this.location = location;
    this.settings = storeSettings(options);
    this.pruneBatch = options.pruneBatch ?? PRUNE_BATCH;
    this.reopen = () => openForWriting(location, options.busyTimeoutMs ?? 5_000, driver.name);
    this.q = prepareQueries(db);
    this.h = prepareHistoryQueries(db);
    this.sessionRows = new SqliteSessions(db, this.q, this.settings);
    this.watcher = new ChangeWatcher({
      file: location,
      dataVersion: () => this.q.dataVersion.get() ?? 0,
      // Each change event and the slow poll also look at which file the path names now.
      beforeCheck: () => {
        try {
          this.guardFile();
        } catch (error) {
          this.settings.onError?.(error as Error);
        }
      },
      pollMs: this.settings.pollMs,
      ...(this.settings.onError !== undefined ? { onError: this.settings.onError } : {}),
    });
  }

  async send(input: SendInput): Promise<SendResult> {
    const { timestamp, from, replyTo, attachments } = sendPrelude(input, this.settings.now());
    return this.write(() => {
      const original = input.replyTo === undefined ? undefined : this.q.byId.get({ id: input.replyTo });
      const to = sendAddress(input, original);
      const target = mailboxesWithRoom(
        route({ to, senderKind: input.sender, from, ...this.sessionRows.routingView() }),
        (mailbox) => this.q.unreadCount.get({ mailbox }) ?? 0,
        this.settings.maxUnread,
      );
      const message = insertMessage(this.q, { input, timestamp, to, from, replyTo, attachments }, target);
      return { message, recipients: target.recipients, full: target.full };
    });
  }

  async fetch(query: FetchQuery): Promise<RelayMessage[]> {
    const { reader, limit, unreadOnly } = query;
    const scope = readerScope(reader);
    const params = { ...scope, limit };
    const pick = (): UnreadRow[] =>
      unreadOnly ? this.q.unreadFor.all(params) : scopeRows(this.q.newestFor.all(params).reverse(), scope);
    const load = (picked: readonly UnreadRow[]) => uniqueIds(picked).flatMap((id) => this.q.byId.get({ id }) ?? []);
    const mark = query.mark ?? true;
    if (!mark) return this.read(() => this.withAttachments(load(pick())));
    // Most fetches find nothing: look (one index seek) without the write lock first, and take it only to pick and
    // mark for real.
    if (unreadOnly && this.read(() => this.q.anyUnread.get({ own: scope.own, kind: scope.kind })) === undefined) {
      return [];
    }
    return this.write(() => {
      const picked = pick();
      const rows = load(picked);
      if (rows.length > 0) this.markRead(reader, picked, rows);
      return this.withAttachments(rows);
    });
  }

  async latest(limit: number): Promise<RelayMessage[]> {
    return this.read(() => this.withAttachments(this.q.newest.all({ limit }).reverse()));
  }

  async clear(): Promise<number> {
    return this.write(() => {
      this.q.clearInbox.run();
      return this.q.clearMessages.run().changes;
    });
  }

  async deleteMessages(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const list = { ids: JSON.stringify(ids) };
    return this.write(() => {
      // Deliveries and attachments go with their messages (triggers).
      return this.q.deleteMessages.run(list).changes;
    });
  }

  async stats(): Promise<StoreStats> {
    return this.read(() => {
      const unread: Record<string, number> = { desktop: 0, code: 0 };
      for (const row of this.q.unreadByKind.all()) unread[row.kind] = row.n;
      return { total: this.q.count.get() ?? 0, unread, lastActivity: this.q.lastActivity.get() ?? null };
    });
  }

  async registerSession(input: SessionInput): Promise<SessionInfo> {
    return this.write(() => this.sessionRows.register(input));
  }

  async touchSession(session: SessionKey): Promise<boolean> {
    return this.write(() => this.sessionRows.touch(session));
  }

  async endSession(session: SessionKey): Promise<void> {
    this.write(() => this.sessionRows.end(session));
  }

  async forgetSession(session: SessionKey): Promise<boolean> {
    return this.write(() => this.sessionRows.forget(session));
  }

  async sessions(): Promise<SessionInfo[]> {
    return this.read(() => this.sessionRows.view(true).live);
  }

  async leaseNotifications(owner: string, limit: number): Promise<NoticeLease> {
    // A read first: most changes (reads, heartbeats) leave nothing to notify, and then no write lock is taken.
    if (this.read(() => this.q.anyUnnotified.get()) === undefined) return { messages: [], retryAt: null };
    return this.write(() => {
      const { rows, retryAt } = leaseNotices(this.q, owner, limit, this.liveness(this.settings.now()));
      return { messages: this.withAttachments(rows), retryAt };
    });
  }

  async confirmNotifications(owner: string, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    return this.write(() => confirmNotices(this.q, owner, ids, this.settings.now()));
  }

  async search(query: string, limit: number): Promise<SearchHit[]> {
    const batch = (before: number, size: number) =>
      this.read(() => this.q.searchBatch.all({ before, size }).map((r) => ({ ...r, message: messageText(r.message) })));
    return searchMessages(newestFirst(batch), query, limit);
  }

  async history(query: HistoryQuery): Promise<HistoryMessage[]> {
    return this.read(() => readHistory(this.h, query, (rows) => this.withAttachments(rows)));
  }

  async deliveries(fromId: number): Promise<Map<number, Delivery[]>> {
    return this.read(() => readDeliveries(this.h, fromId));
  }

  async directory(): Promise<Directory> {
    return this.read(() =>
      directoryFrom(this.sessionRows.view(true), (kind) => this.q.unreadCount.get({ mailbox: kind }) ?? 0),
    );
  }

  async attachment(id: number, offset: number, length: number): Promise<AttachmentSlice | null> {
    return this.read(() => {
      const row = this.q.attachmentSlice.get({ id, offset, length });
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
    this.watcher.close();
    this.opened.close();
  }

  private markRead(reader: Reader, picked: readonly UnreadRow[], rows: readonly MessageRow[]): void {
    writeReadMarks(this.q, reader, picked, rows, isoTimestamp(this.settings.now()));
    this.markedSincePrune += rows.length;
    if (this.markedSincePrune >= this.pruneBatch) {
      // Scanning the history costs about as much as a fetch: once per `pruneBatch` messages marked read, so up to
      // that many more read messages may stand between clean-ups.
      this.markedSincePrune = 0;
      evictRead(this.q, this.settings.keepRead);
    }
  }

  /** Liveness for judging a notice lease's holder: only the wall clock, this host and the pid probe count. */
  private liveness(now: Date): Liveness {
    const { host, pidAlive } = this.settings;
    return { now, host, ...(pidAlive ? { pidAlive } : {}) };
  }

  private withAttachments(rows: readonly MessageRow[]): RelayMessage[] {
    const messages = rows.map(toMessage);
    if (messages.length === 0 || this.q.anyAttachment.get() === undefined) return messages;
    attachInfos(messages, this.q.attachmentsOf.all({ ids: JSON.stringify(messages.map((m) => m.id)) }));
    return messages;
  }

  /** The path names another file than the one open (deleted or replaced, 16.4): open it again, or refuse. */
  private guardFile(): void {
    if (this.readOnly || this.closed) return;
    const moved = movedAway(this.location, this.opened.identity);
    if (moved === null) return;
    const next = reopenMoved(this.location, moved, this.opened, this.reopen);
    this.opened = next;
    this.db = next.db;
    this.q = prepareQueries(next.db);
    this.h = prepareHistoryQueries(next.db);
    this.sessionRows.moveTo(next.db, this.q);
    this.write(() => this.sessionRows.registerAgain());
    this.settings.onError?.(movedNotice(this.location, moved));
    this.watcher.changedHere();
  }

  private write<T>(body: () => T): T {
    this.guardFile();
    if (this.readOnly) {
      throw new RelayError(
        'read_only',
        `The relay database ${this.location} was opened read-only here; nothing was changed (use a command that writes).`,
      );
    }
    const before = this.q.totalChanges.get();
    let result: T;
    try {
      result = this.db.immediate(body);
    } catch (error) {
      throw this.translate(error);
    }
    if (this.q.totalChanges.get() !== before) this.watcher.changedHere();
    return result;
  }

  private read<T>(body: () => T): T {
    this.guardFile();
    try {
      return body();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    if (error instanceof RelayError) return error;
    const code = primaryCode(sqliteCode(error));
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new RelayError(
        'busy',
        `The relay database ${this.location} stayed locked by another process; try again in a moment.`,
      );
    }
    if (code !== undefined) return openError(this.location, error);
    return error;
  }
}
