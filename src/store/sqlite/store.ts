// The better-sqlite3 Store: one connection per process, WAL, one IMMEDIATE transaction per write, statements
// prepared once. It must never overwrite or "repair" a file it does not recognise: every open failure names the path.
import fs from 'node:fs';
import os from 'node:os';

import Database from 'better-sqlite3';

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
import { migrations, schemaVersion } from './migrations/index.js';
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
}

/** How long a send may route by a cached list of live sessions when nothing else was written meanwhile. */
const ROUTING_VIEW_MS = 1_000;

/** Evicting old read messages scans the history; once per this many messages marked read is plenty. */
export const PRUNE_BATCH = 32;

const SEED_COLUMNS = ['id', 'sender', 'message', 'timestamp', 'read_by_desktop_at', 'read_by_code_at'];
const MESSAGE_COLUMNS =
  'id, sender, message, timestamp, read_by_desktop_at, read_by_code_at, from_session, recipient, reply_to';

/** Opens (creating if absent, mode 0600) and migrates a relay database. Throws RelayError naming the path. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  prepareFile(path);
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
  } catch (error) {
    throw openError(path, error);
  }
  try {
    checkRecognised(db, path);
    whenNotBusy(() => db.pragma('journal_mode = WAL'), options.busyTimeoutMs ?? 5_000);
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
    return new SqliteStore(db, path, options);
  } catch (error) {
    db.close();
    throw error instanceof RelayError ? error : openError(path, error);
  }
}

function prepareFile(path: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(path);
  } catch {
    stat = undefined;
  }
  if (stat === undefined) {
    try {
      // Created private before SQLite touches it; SQLite gives -wal and -shm the same mode.
      fs.closeSync(fs.openSync(path, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_RDWR, 0o600));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw openError(path, error);
    }
    return;
  }
  if (stat.isDirectory()) {
    throw new RelayError(
      'not_relay_db',
      `${path} is a directory, not a relay database; remove it or pass --db with a file path.`,
    );
  }
  try {
    fs.accessSync(path, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    throw new RelayError(
      'unwritable',
      `The relay database ${path} is not writable by this user; fix its permissions (chmod u+rw "${path}") or pass --db.`,
    );
  }
  // The Python relay created the file with the umask (often world-readable): tighten it, messages are private.
  if ((stat.mode & 0o077) !== 0 && typeof process.getuid === 'function' && stat.uid === process.getuid()) {
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      try {
        fs.chmodSync(file, 0o600);
      } catch {
        // -wal/-shm may not exist; the main file existed a moment ago.
      }
    }
  }
}

/**
 * Runs `step`, retrying while SQLite says SQLITE_BUSY. Switching to WAL takes a lock that SQLite's busy handler does
 * not wait for, so relays starting at the same moment on a new file would otherwise fail.
 */
function whenNotBusy<T>(step: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      return step();
    } catch (error) {
      if (!sqliteCode(error)?.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, delay);
    }
  }
}

function sqliteCode(error: unknown): string | undefined {
  return (error as { code?: unknown } | null)?.code as string | undefined;
}

function openError(path: string, error: unknown): RelayError {
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  // Extended result codes (SQLITE_READONLY_DIRECTORY, SQLITE_BUSY_SNAPSHOT, ...) belong to their primary code.
  const primary = code?.replace(/^(SQLITE_[A-Z]+?)(_[A-Z_]+)?$/, '$1');
  if (primary === 'SQLITE_NOTADB') {
    return new RelayError(
      'not_relay_db',
      `${path} is not an SQLite database (it was left untouched); move it away or pass --db with another path.`,
    );
  }
  if (primary === 'SQLITE_BUSY' || primary === 'SQLITE_LOCKED') {
    return new RelayError(
      'busy',
      `The relay database ${path} stayed locked by another process; try again in a moment (or find what holds it).`,
    );
  }
  if (primary === 'SQLITE_CORRUPT') {
    return new RelayError(
      'corrupt',
      `The relay database ${path} is corrupt (${detail}); it was left untouched: move it away and restart to begin a new one.`,
    );
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new RelayError(
      'unwritable',
      `Cannot create the relay database ${path}: its directory does not exist; create it or pass --db with another path.`,
    );
  }
  if (
    primary === 'SQLITE_FULL' ||
    code === 'SQLITE_IOERR_WRITE' ||
    (error as NodeJS.ErrnoException).code === 'ENOSPC'
  ) {
    return new RelayError('disk_full', `The disk holding ${path} is full; free some space and try again.`);
  }
  if (
    primary === 'SQLITE_READONLY' ||
    primary === 'SQLITE_CANTOPEN' ||
    primary === 'SQLITE_PERM' ||
    (error as NodeJS.ErrnoException).code === 'EACCES'
  ) {
    return new RelayError(
      'unwritable',
      `Cannot open the relay database ${path} for writing (${detail}); check the path and its permissions, or pass --db.`,
    );
  }
  return new RelayError('corrupt', `Cannot open the relay database ${path}: ${detail}`);
}

/** Refuses any SQLite file that is not empty and is not a relay database, before anything is written to it. */
function checkRecognised(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > schemaVersion) {
    throw new RelayError(
      'newer_schema',
      `The relay database ${path} was written by a newer relay (schema ${version}, this one knows ${schemaVersion}); upgrade ` +
        `mcp-server-relay.`,
    );
  }
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  if (tables.length === 0) return;
  if (!tables.includes('messages')) {
    throw new RelayError(
      'not_relay_db',
      `${path} is an SQLite database but not a relay buffer (it has no messages table); it was left untouched: pass --db with another ` +
        `path.`,
    );
  }
  const columns = (db.prepare('PRAGMA table_info(messages)').all() as { name: string }[]).map((c) => c.name);
  const missing = SEED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new RelayError(
      'not_relay_db',
      `${path} has a messages table without the relay's columns (${missing.join(', ')}); it was left untouched: pass --db with another ` +
        `path.`,
    );
  }
}

function migrate(db: Database.Database, path: string): void {
  const apply = db.transaction(() => {
    // Re-read inside the write lock: another relay may have migrated the file meanwhile.
    let version = db.pragma('user_version', { simple: true }) as number;
    if (version > schemaVersion) {
      throw new RelayError(
        'newer_schema',
        `The relay database ${path} was written by a newer relay (schema ${version}); upgrade mcp-server-relay.`,
      );
    }
    for (; version < schemaVersion; version++) {
      db.exec(migrations[version] as string);
    }
    db.pragma(`user_version = ${schemaVersion}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current < schemaVersion) apply.immediate();
}

interface MessageRow extends StoredMessage {
  message: string;
}

interface UnreadRow {
  mailbox: string;
  message_id: number;
}

/** A row of the `sessions` table as SQLite returns it (also read by `migrate`, copy.ts). */
export interface SessionRow {
  name: string;
  kind: string;
  cwd: string | null;
  host: string;
  pid: number;
  observer: number;
  started_at: string;
  last_seen: string;
  ended: number;
}

/**
 * A reader's oldest unread messages: a merge of two index seeks (its own mailbox, and its kind's shared mailbox
 * minus its own messages), whatever the size of the history. Parameters: 1 own mailbox, 2 kind, 3 own name, 4 limit.
 */
export const UNREAD_FOR_SQL = `
  SELECT mailbox, message_id FROM inbox INDEXED BY inbox_unread WHERE mailbox = ?1 AND read_at IS NULL
  UNION ALL
  SELECT i.mailbox, i.message_id FROM inbox i INDEXED BY inbox_unread JOIN messages m ON m.id = i.message_id
    WHERE i.mailbox = ?2 AND i.read_at IS NULL AND (?3 IS NULL OR m.from_session IS NOT ?3)
  ORDER BY 2 LIMIT ?4`;

// Prepared once per connection: per-call preparation is the usual hidden cost of a SQLite-backed server.
function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      'INSERT INTO messages (sender, message, timestamp, recipient, from_session, reply_to) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    deliver: db.prepare('INSERT OR IGNORE INTO inbox (mailbox, message_id) VALUES (?, ?)'),
    attach: db.prepare('INSERT INTO attachments (message_id, name, media_type, size, data) VALUES (?, ?, ?, ?, ?)'),
    byId: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
    exists: db.prepare('SELECT 1 FROM messages WHERE id = ?').pluck(),
    unreadCount: db
      .prepare('SELECT count(*) FROM inbox INDEXED BY inbox_unread WHERE mailbox = ? AND read_at IS NULL')
      .pluck(),
    unreadFor: db.prepare(UNREAD_FOR_SQL),
    newestFor: db
      .prepare(
        `SELECT DISTINCT i.message_id FROM inbox i JOIN messages m ON m.id = i.message_id
       WHERE i.mailbox IN (?1, ?2) AND (?3 IS NULL OR m.from_session IS NOT ?3) ORDER BY i.message_id DESC LIMIT ?4`,
      )
      .pluck(),
    newest: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages ORDER BY id DESC LIMIT ?`),
    markInbox: db.prepare('UPDATE inbox SET read_at = ? WHERE mailbox = ? AND message_id = ? AND read_at IS NULL'),
    markDesktop: db.prepare('UPDATE messages SET read_by_desktop_at = ? WHERE id = ? AND read_by_desktop_at IS NULL'),
    markCode: db.prepare('UPDATE messages SET read_by_code_at = ? WHERE id = ? AND read_by_code_at IS NULL'),
    anyAttachment: db.prepare('SELECT 1 FROM attachments LIMIT 1').pluck(),
    attachmentsOf: db.prepare(
      'SELECT message_id, id, name, media_type, size FROM attachments WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY id',
    ),
    // Two seeks: max(id) - min(id) in one expression would scan the table.
    span: db.prepare('SELECT coalesce((SELECT max(id) FROM messages) - (SELECT min(id) FROM messages) + 1, 0)').pluck(),
    anyUnread: db
      .prepare('SELECT 1 FROM inbox INDEXED BY inbox_unread WHERE mailbox IN (?, ?) AND read_at IS NULL LIMIT 1')
      .pluck(),
    evictable: db
      .prepare(
        `SELECT m.id FROM messages m
       WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.message_id = m.id AND i.read_at IS NULL)
       ORDER BY m.id DESC LIMIT -1 OFFSET ?`,
      )
      .pluck(),
    evict: db.prepare('DELETE FROM messages WHERE id = ?'),
    unindex: db.prepare('DELETE FROM messages_fts WHERE rowid = ?'),
    count: db.prepare('SELECT count(*) FROM messages').pluck(),
    lastActivity: db.prepare('SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1').pluck(),
    unreadByKind: db.prepare(
      `SELECT CASE WHEN instr(mailbox, '/') > 0 THEN substr(mailbox, 1, instr(mailbox, '/') - 1) ELSE mailbox END AS kind,
              count(DISTINCT message_id) AS n
       FROM inbox INDEXED BY inbox_unread WHERE read_at IS NULL GROUP BY kind`,
    ),
    clearInbox: db.prepare('DELETE FROM inbox'),
    clearMessages: db.prepare('DELETE FROM messages'),
    clearIndex: db.prepare('DELETE FROM messages_fts'),
    sessionRows: db.prepare(
      'SELECT name, kind, cwd, host, pid, observer, started_at, last_seen, ended FROM sessions ORDER BY started_at, rowid',
    ),
    upsertSession: db.prepare(
      `INSERT INTO sessions (name, kind, cwd, host, pid, observer, started_at, last_seen, ended)
       VALUES (@name, @kind, @cwd, @host, @pid, @observer, @now, @now, 0)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, cwd = excluded.cwd, host = excluded.host, pid = excluded.pid,
         observer = excluded.observer, started_at = excluded.started_at, last_seen = excluded.last_seen, ended = 0`,
    ),
    touchSession: db.prepare('UPDATE sessions SET last_seen = ? WHERE name = ? AND pid = ? AND host = ? AND ended = 0'),
    endSession: db.prepare('UPDATE sessions SET ended = 1, last_seen = ? WHERE name = ? AND pid = ? AND host = ?'),
    forgetSession: db.prepare(
      `DELETE FROM sessions WHERE name = ?1
         AND NOT EXISTS (SELECT 1 FROM inbox INDEXED BY inbox_unread WHERE mailbox = ?2 AND read_at IS NULL)`,
    ),
    anyUnnotified: db
      .prepare('SELECT 1 FROM messages INDEXED BY messages_unnotified WHERE notified_at IS NULL LIMIT 1')
      .pluck(),
    unnotified: db
      .prepare('SELECT id FROM messages INDEXED BY messages_unnotified WHERE notified_at IS NULL ORDER BY id LIMIT ?')
      .pluck(),
    markNotified: db.prepare('UPDATE messages SET notified_at = ? WHERE id = ? AND notified_at IS NULL'),
    stillUnread: db
      .prepare('SELECT 1 FROM inbox INDEXED BY inbox_by_message WHERE message_id = ? AND read_at IS NULL LIMIT 1')
      .pluck(),
    // The index is brought up to date when someone searches, not on every send (FTS5 writes several pages per row):
    // every message up to the highest indexed id is indexed, so the rest is what comes after it.
    indexedUpTo: db.prepare('SELECT coalesce(max(rowid), 0) FROM messages_fts').pluck(),
    newestId: db.prepare('SELECT coalesce(max(id), 0) FROM messages').pluck(),
    indexAfter: db.prepare('INSERT INTO messages_fts (rowid, message) SELECT id, message FROM messages WHERE id > ?'),
    search: db.prepare(
      `SELECT m.id, m.sender, m.from_session, m.recipient, m.timestamp,
              snippet(messages_fts, 0, '[', ']', '…', 16) AS snippet
       FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
       WHERE messages_fts MATCH ? ORDER BY messages_fts.rowid DESC LIMIT ?`,
    ),
    attachmentSlice: db.prepare(
      'SELECT id, message_id, name, media_type, size, substr(data, ? + 1, ?) AS data FROM attachments WHERE id = ?',
    ),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    totalChanges: db.prepare('SELECT total_changes()').pluck(),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export class SqliteStore implements Store {
  readonly location: string;
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly keepRead: number;
  private readonly maxUnread: number;
  private readonly pruneBatch: number;
  private markedSincePrune = 0;
  private readonly host: string;
  private readonly pidAlive: ((pid: number) => boolean) | undefined;
  private readonly statements: Statements;
  private readonly watcher: ChangeWatcher;
  private routing: { version: number; at: number; view: SessionView } | undefined;
  private closed = false;

  constructor(db: Database.Database, location: string, options: SqliteStoreOptions) {
    this.db = db;
    this.location = location;
    this.now = options.now ?? (() => new Date());
    this.keepRead = options.keepRead ?? LIMITS.keepRead;
    this.maxUnread = options.maxUnread ?? LIMITS.maxUnread;
    this.pruneBatch = options.pruneBatch ?? PRUNE_BATCH;
    this.host = options.host ?? os.hostname();
    this.pidAlive = options.pidAlive;
    this.statements = prepareStatements(db);
    this.watcher = new ChangeWatcher({
      file: location,
      dataVersion: () => this.statements.dataVersion.get() as number,
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
    return this.write(() => {
      let to = input.to;
      if (input.replyTo !== undefined) {
        const original = this.statements.byId.get(input.replyTo) as MessageRow | undefined;
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
        const unread = this.statements.unreadCount.get(mailbox) as number;
        if (unread >= this.maxUnread) throw mailboxFull(mailbox, unread);
      }
      const { lastInsertRowid } = this.statements.insert.run(
        input.sender,
        input.message,
        timestamp,
        to,
        from,
        input.replyTo ?? null,
      );
      const id = Number(lastInsertRowid);
      for (const mailbox of target.mailboxes) this.statements.deliver.run(mailbox, id);
      const files = attachments.map((a) => ({
        id: Number(this.statements.attach.run(id, a.name, a.mediaType, a.data.length, a.data).lastInsertRowid),
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
        reply_to: input.replyTo ?? null,
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
    const params = { 1: own, 2: reader.kind, 3: reader.name, 4: limit };
    const pick = (): UnreadRow[] => {
      if (unreadOnly) return this.statements.unreadFor.all(params) as UnreadRow[];
      const ids = (this.statements.newestFor.all(params) as number[]).reverse();
      return ids.flatMap((id) => [
        { mailbox: own, message_id: id },
        { mailbox: reader.kind, message_id: id },
      ]);
    };
    const load = (picked: readonly UnreadRow[]) =>
      uniqueIds(picked).map((id) => this.statements.byId.get(id) as MessageRow);
    const mark = query.mark ?? true;
    if (!mark) return this.read(() => this.withAttachments(load(pick())));
    // Most fetches find nothing: look (one index seek) without the write lock first, and take it only to pick and
    // mark for real.
    if (unreadOnly && this.read(() => this.statements.anyUnread.get(own, reader.kind)) === undefined) return [];
    return this.write(() => {
      const picked = pick();
      const rows = load(picked);
      if (rows.length > 0) this.markRead(reader, picked, rows);
      return this.withAttachments(rows);
    });
  }

  async latest(limit: number): Promise<RelayMessage[]> {
    return this.read(() => this.withAttachments((this.statements.newest.all(limit) as MessageRow[]).reverse()));
  }

  async clear(): Promise<number> {
    return this.write(() => {
      this.statements.clearInbox.run();
      this.statements.clearIndex.run();
      return this.statements.clearMessages.run().changes;
    });
  }

  async stats(): Promise<StoreStats> {
    return this.read(() => {
      const unread: Record<string, number> = { desktop: 0, code: 0 };
      for (const row of this.statements.unreadByKind.all() as { kind: string; n: number }[]) unread[row.kind] = row.n;
      return {
        total: this.statements.count.get() as number,
        unread,
        lastActivity: (this.statements.lastActivity.get() as string | undefined) ?? null,
      };
    });
  }

  async registerSession(input: SessionInput): Promise<SessionInfo> {
    this.routing = undefined;
    return this.write(() => {
      const name = registrationName(input.name, input.kind, this.sessionView(false));
      this.statements.upsertSession.run({
        name,
        kind: input.kind,
        cwd: input.cwd,
        host: input.host,
        pid: input.pid,
        observer: input.observer ? 1 : 0,
        now: this.now().toISOString(),
      });
      const row = (this.statements.sessionRows.all() as SessionRow[]).find((r) => r.name === name) as SessionRow;
      return this.sessionInfo(row);
    });
  }

  async touchSession(session: SessionKey): Promise<boolean> {
    this.routing = undefined;
    return this.write(
      () =>
        this.statements.touchSession.run(this.now().toISOString(), session.name, session.pid, session.host).changes > 0,
    );
  }

  async endSession(session: SessionKey): Promise<void> {
    this.routing = undefined;
    this.write(() => this.statements.endSession.run(this.now().toISOString(), session.name, session.pid, session.host));
  }

  async sessions(): Promise<SessionInfo[]> {
    return this.read(() => this.sessionView(true).live);
  }

  async claimNotifications(limit: number): Promise<RelayMessage[]> {
    // A read first: most changes (reads, heartbeats) leave nothing to claim, and then no write lock is taken.
    if (this.read(() => this.statements.anyUnnotified.get()) === undefined) return [];
    return this.write(() => {
      const at = isoTimestamp(this.now());
      const claimed: MessageRow[] = [];
      for (const id of this.statements.unnotified.all(limit) as number[]) {
        if (this.statements.markNotified.run(at, id).changes === 0) continue;
        if (this.statements.stillUnread.get(id) !== undefined) claimed.push(this.statements.byId.get(id) as MessageRow);
      }
      return this.withAttachments(claimed);
    });
  }

  async search(query: string, limit: number): Promise<SearchHit[]> {
    const match = ftsQuery(query);
    // This also indexes rows the Python relay inserted (it cannot touch the FTS table itself).
    if (this.read(() => (this.statements.newestId.get() as number) > (this.statements.indexedUpTo.get() as number))) {
      this.write(() => this.statements.indexAfter.run(this.statements.indexedUpTo.get() as number));
    }
    return this.read(() => {
      const rows = this.statements.search.all(match, limit) as (Omit<
        MessageRow,
        'message' | 'read_by_desktop_at' | 'read_by_code_at' | 'reply_to'
      > & { snippet: string })[];
      return rows.map((r) => searchHit(r, r.snippet));
    });
  }

  async attachment(id: number, offset: number, length: number): Promise<AttachmentSlice | null> {
    return this.read(() => {
      const row = this.statements.attachmentSlice.get(offset, length, id) as
        (AttachmentInfo & { message_id: number; data: Buffer | null }) | undefined;
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
    const readAt = isoTimestamp(this.now());
    for (const { mailbox, message_id } of picked) this.statements.markInbox.run(readAt, mailbox, message_id);
    if (reader.kind === 'desktop' || reader.kind === 'code') {
      const mark = reader.kind === 'desktop' ? this.statements.markDesktop : this.statements.markCode;
      for (const row of rows) {
        if (mark.run(readAt, row.id).changes > 0) {
          if (reader.kind === 'desktop') row.read_by_desktop_at = readAt;
          else row.read_by_code_at = readAt;
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
    const version = this.statements.dataVersion.get() as number;
    const cached = this.routing;
    if (cached !== undefined && cached.version === version && Date.now() - cached.at < ROUTING_VIEW_MS)
      return cached.view;
    const view = this.sessionView(false);
    this.routing = { version, at: Date.now(), view };
    return view;
  }

  /** Live sessions, remembered ones, and the kinds that may be addressed; in a write, tidies away long-dead ones. */
  private sessionView(withUnread: boolean): SessionView {
    const rows = (this.statements.sessionRows.all() as SessionRow[]).map((row) => ({
      ...this.sessionInfo(row, withUnread),
      ended: row.ended !== 0,
    }));
    const view = classifySessions(rows, {
      now: this.now(),
      host: this.host,
      ...(this.pidAlive ? { pidAlive: this.pidAlive } : {}),
    });
    for (const row of view.forget) {
      // Long gone: forgotten, unless mail still waits for the name.
      const forgotten =
        this.db.inTransaction &&
        this.statements.forgetSession.run(row.name, sessionMailbox(row.kind, row.name)).changes > 0;
      if (!forgotten) view.known.push(row);
    }
    return view;
  }

  private sessionInfo(row: SessionRow, withUnread = true): SessionInfo {
    return {
      name: row.name,
      kind: row.kind,
      cwd: row.cwd,
      host: row.host,
      pid: row.pid,
      observer: row.observer !== 0,
      started_at: row.started_at,
      last_seen: row.last_seen,
      unread: withUnread ? (this.statements.unreadCount.get(sessionMailbox(row.kind, row.name)) as number) : 0,
    };
  }

  private withAttachments(rows: readonly MessageRow[]): RelayMessage[] {
    const messages = rows.map(toMessage);
    if (messages.length === 0 || this.statements.anyAttachment.get() === undefined) return messages;
    const files = this.statements.attachmentsOf.all(JSON.stringify(messages.map((m) => m.id))) as (AttachmentInfo & {
      message_id: number;
    })[];
    attachInfos(messages, files);
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
    if ((this.statements.span.get() as number) <= this.keepRead) return;
    for (const id of this.statements.evictable.all(this.keepRead) as number[]) {
      this.statements.evict.run(id);
      this.statements.unindex.run(id);
    }
  }

  private write<T>(body: () => T): T {
    const before = this.statements.totalChanges.get() as number;
    let result: T;
    try {
      result = this.db.transaction(body).immediate();
    } catch (error) {
      throw this.translate(error);
    }
    if ((this.statements.totalChanges.get() as number) !== before) this.watcher.changedHere();
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
    const code = sqliteCode(error);
    if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
      return new RelayError(
        'busy',
        `The relay database ${this.location} stayed locked by another process; try again in a moment.`,
      );
    }
    if (code !== undefined && code.startsWith('SQLITE_')) return openError(this.location, error);
    return error;
  }
}

function toMessage(row: MessageRow): RelayMessage {
  return messageFromRow(row, row.message);
}

/**
 * The words of a free-text query as an FTS5 expression: each word quoted (so FTS syntax in the text is just text)
 * and prefix-matched, all required.
 */
export function ftsQuery(text: string): string {
  return searchWords(text)
    .map((w) => `"${w}"*`)
    .join(' ');
}
