// The SQLite Store: one connection per process (through the driver seam: node:sqlite or better-sqlite3), WAL, one
// IMMEDIATE transaction per write, statements prepared once (queries.ts). Opening and recognising the file is
// open.ts's job; the change events are watch.ts's.
import os from 'node:os';

import { validateAttachments, validateMessageText } from '../input.js';
import {
  classifySessions,
  type Liveness,
  planNotices,
  registrationName,
  route,
  sessionMailbox,
  type SessionView,
} from '../routing.js';
import { attachInfos, directoryFrom, mailboxFull, messageFromRow, messageText, uniqueIds } from '../rows.js';
import { newestFirst, searchMessages } from '../search.js';
import {
  type AttachmentSlice,
  defaultRecipient,
  type Delivery,
  type Directory,
  type FetchQuery,
  type HistoryMessage,
  type HistoryQuery,
  isoTimestamp,
  LIMITS,
  NOTICE_LEASE_MS,
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
import type { Connection, Driver, DriverName } from './connection.js';
import { primaryCode, sqliteCode } from './driver.js';
import { type HistoryQueries, prepareHistoryQueries, readDeliveries, readHistory } from './history.js';
import { openError, openForWriting } from './open.js';
import { type MessageRow, prepareQueries, type Queries, type SqliteSessionRow, type UnreadRow } from './queries.js';
import { ChangeWatcher } from './watch.js';

export interface SqliteStoreOptions {
  now?: () => Date;
  /** Read messages kept for history (default LIMITS.keepRead); Infinity keeps everything. */
  keepRead?: number;
  /** Unread messages one mailbox may hold (default LIMITS.maxUnread). */
  maxUnread?: number;
  /** Read messages marked between two evictions of old history (default PRUNE_BATCH). */
  pruneBatch?: number;
  busyTimeoutMs?: number;
  /** This machine's name, for session liveness (default os.hostname()). */
  host?: string;
  /** Injected in tests: whether a process id is alive. */
  pidAlive?: (pid: number) => boolean;
  /** The change watcher's safety poll (default 2 s). */
  pollMs?: number;
  onWatchError?: (error: Error) => void;
  /** Tests: a driver other than the process's choice (RELAY_SQLITE_DRIVER, else node:sqlite, else better-sqlite3). */
  driver?: DriverName;
}

/** How long a send may route by a cached list of live sessions when nothing else was written meanwhile. */
const ROUTING_VIEW_MS = 1_000;

/** Evicting old read messages scans the history; once per this many messages marked read is plenty. */
export const PRUNE_BATCH = 32;

/** Opens (creating if absent, mode 0600) and migrates a relay database. Throws RelayError naming the path. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const { db, driver } = openForWriting(path, options.busyTimeoutMs ?? 5_000, options.driver);
  return new SqliteStore(db, driver, path, options);
}

export class SqliteStore implements Store {
  readonly location: string;
  /** The driver and the SQLite it runs, for `doctor` and `--debug`. */
  readonly driver: { name: DriverName; sqliteVersion: string };
  private readonly db: Connection;
  private readonly now: () => Date;
  private readonly keepRead: number;
  private readonly maxUnread: number;
  private readonly pruneBatch: number;
  private markedSincePrune = 0;
  private readonly host: string;
  private readonly pidAlive: ((pid: number) => boolean) | undefined;
  private readonly q: Queries;
  private readonly h: HistoryQueries;
  private readonly watcher: ChangeWatcher;
  private routing: { version: number; at: number; view: SessionView } | undefined;
  private closed = false;

  constructor(db: Connection, driver: Driver, location: string, options: SqliteStoreOptions) {
    this.db = db;
    this.driver = { name: driver.name, sqliteVersion: driver.sqliteVersion };
    this.location = location;
    this.now = options.now ?? (() => new Date());
    this.keepRead = options.keepRead ?? LIMITS.keepRead;
    this.maxUnread = options.maxUnread ?? LIMITS.maxUnread;
    this.pruneBatch = options.pruneBatch ?? PRUNE_BATCH;
    this.host = options.host ?? os.hostname();
    this.pidAlive = options.pidAlive;
    this.q = prepareQueries(db);
    this.h = prepareHistoryQueries(db);
    this.watcher = new ChangeWatcher({
      file: location,
      dataVersion: () => this.q.dataVersion.get() ?? 0,
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.onWatchError !== undefined ? { onError: options.onWatchError } : {}),
    });
  }

  async send(input: SendInput): Promise<SendResult> {
    validateMessageText(input.message);
    const attachments = input.attachments ?? [];
    validateAttachments(attachments);
    const timestamp = isoTimestamp(this.now());
    const from = input.from ?? null;
    const replyTo = input.replyTo ?? null;
    return this.write(() => {
      let to = input.to;
      if (input.replyTo !== undefined) {
        const original = this.q.byId.get({ id: input.replyTo });
        if (original === undefined) {
          throw new RelayError(
            'bad_request',
            `There is no message #${input.replyTo} in the relay (it may have been cleared); send without reply_to.`,
          );
        }
        to ??= original.from_session ?? original.sender;
      }
      to ??= defaultRecipient(input.sender);
      const target = route({ to, senderKind: input.sender, from, ...this.routingView() });
      for (const mailbox of target.mailboxes) {
        const unread = this.q.unreadCount.get({ mailbox }) ?? 0;
        if (unread >= this.maxUnread) throw mailboxFull(mailbox, unread);
      }
      const row = { sender: input.sender, message: input.message, timestamp, to, from, replyTo };
      const id = this.q.insert.run(row).lastInsertRowid;
      for (const mailbox of target.mailboxes) this.q.deliver.run({ mailbox, id });
      const files = attachments.map((a) => ({
        id: this.q.attach.run({ id, name: a.name, mediaType: a.mediaType, size: a.data.length, data: a.data })
          .lastInsertRowid,
        name: a.name,
        media_type: a.mediaType,
        size: a.data.length,
      }));
      const message = toMessage({
        id,
        sender: input.sender,
        message: input.message,
        timestamp,
        read_by_desktop_at: null,
        read_by_code_at: null,
        from_session: from,
        recipient: to,
        reply_to: replyTo,
      });
      if (files.length > 0) message.attachments = files;
      return { message, recipients: target.recipients };
    });
  }

  async fetch(query: FetchQuery): Promise<RelayMessage[]> {
    const { reader, limit, unreadOnly } = query;
    if (reader === null) return this.latest(limit);
    // Outside a session there is no own mailbox: '' matches none, so the kind's rows are not read twice.
    const own = reader.name === null ? '' : sessionMailbox(reader.kind, reader.name);
    const params = { own, kind: reader.kind, name: reader.name, limit };
    const pick = (): UnreadRow[] => {
      if (unreadOnly) return this.q.unreadFor.all(params);
      return this.q.newestFor
        .all(params)
        .reverse()
        .flatMap((id) => [
          { mailbox: own, message_id: id },
          { mailbox: reader.kind, message_id: id },
        ]);
    };
    const load = (picked: readonly UnreadRow[]) => uniqueIds(picked).flatMap((id) => this.q.byId.get({ id }) ?? []);
    const mark = query.mark ?? true;
    if (!mark) return this.read(() => this.withAttachments(load(pick())));
    // Most fetches find nothing: look (one index seek) without the write lock first, and take it only to pick and
    // mark for real.
    if (unreadOnly && this.read(() => this.q.anyUnread.get({ own, kind: reader.kind })) === undefined) return [];
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

  async stats(): Promise<StoreStats> {
    return this.read(() => {
      const unread: Record<string, number> = { desktop: 0, code: 0 };
      for (const row of this.q.unreadByKind.all()) unread[row.kind] = row.n;
      return { total: this.q.count.get() ?? 0, unread, lastActivity: this.q.lastActivity.get() ?? null };
    });
  }

  async registerSession(input: SessionInput): Promise<SessionInfo> {
    this.routing = undefined;
    return this.write(() => {
      const name = registrationName(input.name, input.kind, this.sessionView(false));
      this.q.upsertSession.run({
        name,
        kind: input.kind,
        cwd: input.cwd,
        host: input.host,
        pid: input.pid,
        observer: input.observer ? 1 : 0,
        now: this.now().toISOString(),
      });
      const row = this.q.sessionRows.all().find((r) => r.name === name) as SqliteSessionRow;
      return this.sessionInfo(row);
    });
  }

  async touchSession(session: SessionKey): Promise<boolean> {
    this.routing = undefined;
    return this.write(() => this.q.touchSession.run({ ...key(session), at: this.now().toISOString() }).changes > 0);
  }

  async endSession(session: SessionKey): Promise<void> {
    this.routing = undefined;
    this.write(() => this.q.endSession.run({ ...key(session), at: this.now().toISOString() }));
  }

  async sessions(): Promise<SessionInfo[]> {
    return this.read(() => this.sessionView(true).live);
  }

  async leaseNotifications(owner: string, limit: number): Promise<NoticeLease> {
    // A read first: most changes (reads, heartbeats) leave nothing to notify, and then no write lock is taken.
    if (this.read(() => this.q.anyUnnotified.get()) === undefined) return { messages: [], retryAt: null };
    return this.write(() => {
      const now = this.now();
      const plan = planNotices(this.q.noticeCandidates.all(), owner, limit, this.liveness(now));
      const at = isoTimestamp(now);
      for (const id of plan.silent) this.q.settleNotice.run({ at, id });
      const until = new Date(now.getTime() + NOTICE_LEASE_MS).toISOString();
      for (const id of plan.lease) this.q.leaseNotice.run({ id, owner, until });
      const rows = plan.lease.flatMap((id) => this.q.byId.get({ id }) ?? []);
      return { messages: this.withAttachments(rows), retryAt: plan.retryAt };
    });
  }

  async confirmNotifications(owner: string, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    return this.write(() => {
      const now = this.now();
      const at = isoTimestamp(now);
      return ids.filter((id) => this.q.confirmNotice.run({ at, id, owner, now: now.toISOString() }).changes > 0);
    });
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
      directoryFrom(this.sessionView(true), (kind) => this.q.unreadCount.get({ mailbox: kind }) ?? 0),
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
    this.db.close();
  }

  private markRead(reader: Reader, picked: readonly UnreadRow[], rows: readonly MessageRow[]): void {
    const at = isoTimestamp(this.now());
    for (const { mailbox, message_id } of picked) this.q.markInbox.run({ at, mailbox, id: message_id });
    if (reader.kind === 'desktop' || reader.kind === 'code') {
      const mark = reader.kind === 'desktop' ? this.q.markDesktop : this.q.markCode;
      for (const row of rows) {
        if (mark.run({ at, id: row.id }).changes > 0) {
          if (reader.kind === 'desktop') row.read_by_desktop_at = at;
          else row.read_by_code_at = at;
        }
      }
    }
    this.markedSincePrune += rows.length;
    if (this.markedSincePrune >= this.pruneBatch) this.prune();
  }

  /**
   * The session view for routing a send, kept until another process commits (PRAGMA data_version moves), this
   * process changes a session, or a second passes (a process may die without writing anything).
   */
  private routingView(): SessionView {
    const version = this.q.dataVersion.get() ?? 0;
    const cached = this.routing;
    if (cached !== undefined && cached.version === version && Date.now() - cached.at < ROUTING_VIEW_MS) {
      return cached.view;
    }
    const view = this.sessionView(false);
    this.routing = { version, at: Date.now(), view };
    return view;
  }

  /** Live sessions, remembered ones, and the kinds that may be addressed; in a write, tidies away long-dead ones. */
  private sessionView(withUnread: boolean): SessionView {
    const rows = this.q.sessionRows
      .all()
      .map((row) => ({ ...this.sessionInfo(row, withUnread), ended: row.ended !== 0 }));
    const view = classifySessions(rows, this.liveness(this.now()));
    for (const row of view.forget) {
      // Long gone: forgotten, unless mail still waits for the name.
      const mailbox = sessionMailbox(row.kind, row.name);
      const forgotten = this.db.inTransaction && this.q.forgetSession.run({ name: row.name, mailbox }).changes > 0;
      if (!forgotten) view.known.push(row);
    }
    return view;
  }

  private liveness(now: Date): Liveness {
    return { now, host: this.host, ...(this.pidAlive ? { pidAlive: this.pidAlive } : {}) };
  }

  private sessionInfo(row: SqliteSessionRow, withUnread = true): SessionInfo {
    return {
      name: row.name,
      kind: row.kind,
      cwd: row.cwd,
      host: row.host,
      pid: row.pid,
      observer: row.observer !== 0,
      started_at: row.started_at,
      last_seen: row.last_seen,
      unread: withUnread ? (this.q.unreadCount.get({ mailbox: sessionMailbox(row.kind, row.name) }) ?? 0) : 0,
    };
  }

  private withAttachments(rows: readonly MessageRow[]): RelayMessage[] {
    const messages = rows.map(toMessage);
    if (messages.length === 0 || this.q.anyAttachment.get() === undefined) return messages;
    attachInfos(messages, this.q.attachmentsOf.all({ ids: JSON.stringify(messages.map((m) => m.id)) }));
    return messages;
  }

  /**
   * Evicts read messages past the newest `keepRead`; unread ones are never touched. It runs once per `pruneBatch`
   * messages marked read (scanning the history costs about as much as a fetch), so up to that many more read
   * messages may stand between clean-ups.
   */
  private prune(): void {
    this.markedSincePrune = 0;
    if (!Number.isFinite(this.keepRead)) return;
    // Ids only grow, so a span within keepRead means there is nothing to evict (and the scan is skipped).
    if ((this.q.span.get() ?? 0) <= this.keepRead) return;
    for (const id of this.q.evictable.all({ keep: this.keepRead })) this.q.evict.run({ id });
  }

  private write<T>(body: () => T): T {
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

function key(session: SessionKey): SessionKey {
  return { name: session.name, pid: session.pid, host: session.host };
}

function toMessage(row: MessageRow): RelayMessage {
  return messageFromRow(row, messageText(row.message));
}
