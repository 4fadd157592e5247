// The better-sqlite3 Store: one connection per process, WAL, one IMMEDIATE transaction per operation.
// It must never overwrite or "repair" a file it does not recognise: every open failure names the path.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { migrations, schemaVersion } from './migrations/index.js';
import {
  LIMITS,
  RelayError,
  isoTimestamp,
  otherSide,
  validateMessageText,
  type ClientKind,
  type FetchQuery,
  type RelayMessage,
  type SendInput,
  type Store,
  type StoreStats,
} from './store.js';

export interface SqliteStoreOptions {
  now?: () => Date;
  /** Read messages kept for history (default LIMITS.keepRead); Infinity keeps everything. */
  keepRead?: number;
  /** Unread messages one recipient may hold (default LIMITS.maxUnread). */
  maxUnread?: number;
  busyTimeoutMs?: number;
}

const SEED_COLUMNS = ['id', 'sender', 'message', 'timestamp', 'read_by_desktop_at', 'read_by_code_at'];
const MESSAGE_COLUMNS = 'id, sender, message, timestamp, read_by_desktop_at, read_by_code_at';

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
    db.pragma('journal_mode = WAL');
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
    throw new RelayError('not_relay_db', `${path} is a directory, not a relay database; remove it or pass --db with a file path.`);
  }
  try {
    fs.accessSync(path, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    throw new RelayError('unwritable', `The relay database ${path} is not writable by this user; fix its permissions (chmod u+rw "${path}") or pass --db.`);
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

function sqliteCode(error: unknown): string | undefined {
  return (error as { code?: unknown } | null)?.code as string | undefined;
}

function openError(path: string, error: unknown): RelayError {
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') {
    return new RelayError('not_relay_db', `${path} is not an SQLite database (it was left untouched); move it away or pass --db with another path.`);
  }
  if (code === 'SQLITE_CORRUPT') {
    return new RelayError('corrupt', `The relay database ${path} is corrupt (${detail}); it was left untouched: move it away and restart to begin a new one.`);
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new RelayError('unwritable', `Cannot create the relay database ${path}: its directory does not exist; create it or pass --db with another path.`);
  }
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || (error as NodeJS.ErrnoException).code === 'ENOSPC') {
    return new RelayError('disk_full', `The disk holding ${path} is full; free some space and try again.`);
  }
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || (error as NodeJS.ErrnoException).code === 'EACCES') {
    return new RelayError('unwritable', `Cannot open the relay database ${path} for writing (${detail}); check the path and its permissions, or pass --db.`);
  }
  return new RelayError('corrupt', `Cannot open the relay database ${path}: ${detail}`);
}

/** Refuses any SQLite file that is not empty and is not a relay database, before anything is written to it. */
function checkRecognised(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > schemaVersion) {
    throw new RelayError('newer_schema', `The relay database ${path} was written by a newer relay (schema ${version}, this one knows ${schemaVersion}); upgrade mcp-server-relay.`);
  }
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  if (tables.length === 0) return;
  if (!tables.includes('messages')) {
    throw new RelayError('not_relay_db', `${path} is an SQLite database but not a relay buffer (it has no messages table); it was left untouched: pass --db with another path.`);
  }
  const columns = (db.prepare('PRAGMA table_info(messages)').all() as { name: string }[]).map((c) => c.name);
  const missing = SEED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new RelayError('not_relay_db', `${path} has a messages table without the relay's columns (${missing.join(', ')}); it was left untouched: pass --db with another path.`);
  }
}

function migrate(db: Database.Database, path: string): void {
  const apply = db.transaction(() => {
    // Re-read inside the write lock: another relay may have migrated the file meanwhile.
    let version = db.pragma('user_version', { simple: true }) as number;
    if (version > schemaVersion) {
      throw new RelayError('newer_schema', `The relay database ${path} was written by a newer relay (schema ${version}); upgrade mcp-server-relay.`);
    }
    for (; version < schemaVersion; version++) {
      db.exec(migrations[version] as string);
    }
    db.pragma(`user_version = ${schemaVersion}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current < schemaVersion) apply.immediate();
}

interface MessageRow {
  id: number;
  sender: string;
  message: string;
  timestamp: string;
  read_by_desktop_at: string | null;
  read_by_code_at: string | null;
}

/** A reader's oldest unread messages: an index seek on the partial index, whatever the history's size. */
export const UNREAD_FOR_SQL = `SELECT m.id, m.sender, m.message, m.timestamp, m.read_by_desktop_at, m.read_by_code_at
  FROM inbox i INDEXED BY inbox_unread JOIN messages m ON m.id = i.message_id
  WHERE i.mailbox = ? AND i.read_at IS NULL ORDER BY i.message_id LIMIT ?`;

// Prepared once per connection: per-call preparation is the usual hidden cost of a SQLite-backed server.
function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare('INSERT INTO messages (sender, message, timestamp) VALUES (?, ?, ?)'),
    byId: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
    unreadCount: db.prepare('SELECT count(*) FROM inbox INDEXED BY inbox_unread WHERE mailbox = ? AND read_at IS NULL').pluck(),
    unreadFor: db.prepare(UNREAD_FOR_SQL),
    newestNotFrom: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender <> ? ORDER BY id DESC LIMIT ?`),
    newest: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages ORDER BY id DESC LIMIT ?`),
    markInbox: db.prepare('UPDATE inbox SET read_at = ? WHERE mailbox = ? AND message_id = ? AND read_at IS NULL'),
    markDesktop: db.prepare('UPDATE messages SET read_by_desktop_at = ? WHERE id = ? AND read_by_desktop_at IS NULL'),
    markCode: db.prepare('UPDATE messages SET read_by_code_at = ? WHERE id = ? AND read_by_code_at IS NULL'),
    prune: db.prepare(
      `DELETE FROM messages WHERE id IN (
         SELECT m.id FROM messages m
         WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.message_id = m.id AND i.read_at IS NULL)
         ORDER BY m.id DESC LIMIT -1 OFFSET ?)`,
    ),
    count: db.prepare('SELECT count(*) FROM messages').pluck(),
    lastActivity: db.prepare('SELECT timestamp FROM messages ORDER BY id DESC LIMIT 1').pluck(),
    clearInbox: db.prepare('DELETE FROM inbox'),
    clearMessages: db.prepare('DELETE FROM messages'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export class SqliteStore implements Store {
  readonly location: string;
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly keepRead: number;
  private readonly maxUnread: number;
  private readonly statements: Statements;
  private closed = false;

  constructor(db: Database.Database, location: string, options: SqliteStoreOptions) {
    this.db = db;
    this.location = location;
    this.now = options.now ?? (() => new Date());
    this.keepRead = options.keepRead ?? LIMITS.keepRead;
    this.maxUnread = options.maxUnread ?? LIMITS.maxUnread;
    this.statements = prepareStatements(db);
  }

  async send(input: SendInput): Promise<RelayMessage> {
    validateMessageText(input.message);
    const recipient = otherSide(input.sender);
    const timestamp = isoTimestamp(this.now());
    return this.write(() => {
      const unread = this.statements.unreadCount.get(recipient) as number;
      if (unread >= this.maxUnread) {
        throw new RelayError(
          'full',
          `${capitalise(recipient)} already has ${unread.toLocaleString('en-US')} unread messages (the limit); nothing was dropped. ` +
            `Ask ${capitalise(recipient)} to fetch them, or clear the buffer, then send again.`,
        );
      }
      const { lastInsertRowid } = this.statements.insert.run(input.sender, input.message, timestamp);
      return toMessage(this.statements.byId.get(lastInsertRowid) as MessageRow);
    });
  }

  async fetch(query: FetchQuery): Promise<RelayMessage[]> {
    const { reader, limit, unreadOnly } = query;
    if (reader === null) return this.latest(limit);
    return this.write(() => {
      const rows = (
        unreadOnly
          ? this.statements.unreadFor.all(reader, limit)
          : (this.statements.newestNotFrom.all(reader, limit) as MessageRow[]).reverse()
      ) as MessageRow[];
      if (rows.length === 0) return [];
      const readAt = isoTimestamp(this.now());
      const mark = reader === 'desktop' ? this.statements.markDesktop : this.statements.markCode;
      for (const row of rows) {
        this.statements.markInbox.run(readAt, reader, row.id);
        if (mark.run(readAt, row.id).changes > 0) {
          if (reader === 'desktop') row.read_by_desktop_at = readAt;
          else row.read_by_code_at = readAt;
        }
      }
      this.prune();
      return rows.map(toMessage);
    });
  }

  async latest(limit: number): Promise<RelayMessage[]> {
    return this.read(() => (this.statements.newest.all(limit) as MessageRow[]).reverse().map(toMessage));
  }

  async clear(): Promise<number> {
    return this.write(() => {
      this.statements.clearInbox.run();
      return this.statements.clearMessages.run().changes;
    });
  }

  async stats(): Promise<StoreStats> {
    return this.read(() => ({
      total: this.statements.count.get() as number,
      unread: {
        desktop: this.statements.unreadCount.get('desktop') as number,
        code: this.statements.unreadCount.get('code') as number,
      },
      lastActivity: (this.statements.lastActivity.get() as string | undefined) ?? null,
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /** Evicts read messages past the newest `keepRead`; unread ones are never touched. */
  private prune(): void {
    if (Number.isFinite(this.keepRead)) this.statements.prune.run(this.keepRead);
  }

  private write<T>(body: () => T): T {
    try {
      return this.db.transaction(body).immediate();
    } catch (error) {
      throw this.translate(error);
    }
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
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new RelayError('busy', `The relay database ${this.location} stayed locked by another process; try again in a moment.`);
    }
    if (code !== undefined && code.startsWith('SQLITE_')) return openError(this.location, error);
    return error;
  }
}

function toMessage(row: MessageRow): RelayMessage {
  return {
    id: row.id,
    sender: row.sender as ClientKind,
    message: row.message,
    timestamp: row.timestamp,
    read_by_desktop_at: row.read_by_desktop_at,
    read_by_code_at: row.read_by_code_at,
  };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
