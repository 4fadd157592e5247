// Opening a relay buffer file for the store: created 0600 if absent, recognised, then tightened, switched to WAL and
// migrated. It must never overwrite or "repair" a file it does not recognise: nothing about a file changes before it
// is known to be a relay buffer, and every failure is a RelayError naming the path.
import fs from 'node:fs';

import { RelayError } from '../store.js';
import type { Connection, Driver, DriverName } from './connection.js';
import { loadDriver, primaryCode, retryBusy, sqliteCode, sqliteDriver } from './driver.js';
import { migrations, schemaVersion } from './migrations/index.js';

const SEED_COLUMNS = ['id', 'sender', 'message', 'timestamp', 'read_by_desktop_at', 'read_by_code_at'];

export interface OpenedFile {
  db: Connection;
  driver: Driver;
  /** The device and inode opened: a file deleted or replaced under a running relay is noticed by comparing them. */
  identity: FileIdentity | null;
}

export interface FileIdentity {
  dev: number;
  ino: number;
}

export function fileIdentity(file: string): FileIdentity | null {
  try {
    const { dev, ino } = fs.statSync(file);
    return { dev, ino };
  } catch {
    return null;
  }
}

export function sameFile(a: FileIdentity | null, b: FileIdentity | null): boolean {
  return a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;
}

/** Opens (creating if absent, mode 0600) and migrates a relay buffer for reading and writing. */
export function openForWriting(file: string, busyTimeoutMs: number, driverName?: DriverName): OpenedFile {
  const driver = driverName === undefined ? sqliteDriver() : loadDriver(driverName);
  createIfAbsent(file);
  let db: Connection;
  try {
    db = driver.open(file, { busyTimeoutMs });
  } catch (error) {
    throw openError(file, error);
  }
  try {
    // Reading only, until the file is known to be ours: a foreign file is closed again exactly as it was.
    checkRecognised(db, file);
    tighten(file);
    retryBusy(() => db.pragma('journal_mode = WAL'), busyTimeoutMs);
    db.pragma('synchronous = NORMAL');
    migrate(db, file);
    return { db, driver, identity: fileIdentity(file) };
  } catch (error) {
    db.close();
    throw error instanceof RelayError ? error : openError(file, error);
  }
}

function notAFile(file: string): RelayError {
  return new RelayError(
    'not_relay_db',
    `${file} is a directory, not a relay database; remove it or pass --db with a file path.`,
  );
}

function createIfAbsent(file: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (stat === undefined) {
    try {
      // Created private before SQLite touches it; SQLite gives -wal and -shm the same mode.
      fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_RDWR, 0o600));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw openError(file, error);
    }
    return;
  }
  if (stat.isDirectory()) throw notAFile(file);
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EROFS') {
      throw new RelayError(
        'unwritable',
        `The relay database ${file} is on a read-only file system; a relay needs to write it: pass --db with a writable path.`,
      );
    }
    throw new RelayError(
      'unwritable',
      `The relay database ${file} is not writable by this user; fix its permissions (chmod u+rw "${file}") or pass --db.`,
    );
  }
}

/** The seed created its file with the umask (often world-readable): tightened once it is known to be a relay buffer. */
function tighten(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return;
  }
  if ((stat.mode & 0o077) === 0 || typeof process.getuid !== 'function' || stat.uid !== process.getuid()) return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(f, 0o600);
    } catch {
      // -wal/-shm may not exist.
    }
  }
}

/** Refuses any SQLite file that is not empty and is not a relay buffer. Reads only. */
function checkRecognised(db: Connection, file: string): void {
  const version = db.pragma('user_version') as number;
  if (version > schemaVersion) throw newerSchema(file, version);
  const tables = db
    .pluck<void, string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all();
  if (tables.length === 0) return;
  if (!tables.includes('messages')) {
    throw new RelayError(
      'not_relay_db',
      `${file} is an SQLite database but not a relay buffer (it has no messages table); it was left untouched: ` +
        'pass --db with another path.',
    );
  }
  const columns = db.pluck<void, string>("SELECT name FROM pragma_table_info('messages')").all();
  const missing = SEED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new RelayError(
      'not_relay_db',
      `${file} has a messages table without the relay's columns (${missing.join(', ')}); it was left untouched: ` +
        'pass --db with another path.',
    );
  }
}

function newerSchema(file: string, version: number): RelayError {
  return new RelayError(
    'newer_schema',
    `The relay database ${file} was written by a newer relay (schema ${version}, this one knows ${schemaVersion}); ` +
      'upgrade mcp-server-relay.',
  );
}

function migrate(db: Connection, file: string): void {
  if ((db.pragma('user_version') as number) >= schemaVersion) return;
  db.immediate(() => {
    // Re-read inside the write lock: another relay may have migrated the file meanwhile.
    let version = db.pragma('user_version') as number;
    if (version > schemaVersion) throw newerSchema(file, version);
    for (; version < schemaVersion; version++) db.exec(migrations[version] as string);
    db.pragma(`user_version = ${schemaVersion}`);
  });
}

/** A failure to open or use the file, as a sentence that says what to do. */
export function openError(file: string, error: unknown): RelayError {
  if (error instanceof RelayError) return error;
  const code = sqliteCode(error);
  const errno = (error as NodeJS.ErrnoException).code;
  const detail = error instanceof Error ? error.message : String(error);
  const primary = primaryCode(code);
  if (primary === 'SQLITE_NOTADB') {
    return new RelayError(
      'not_relay_db',
      `${file} is not an SQLite database (it was left untouched); move it away or pass --db with another path.`,
    );
  }
  if (primary === 'SQLITE_BUSY' || primary === 'SQLITE_LOCKED') {
    return new RelayError(
      'busy',
      `The relay database ${file} stayed locked by another process; try again in a moment (or find what holds it).`,
    );
  }
  if (primary === 'SQLITE_CORRUPT') {
    return new RelayError(
      'corrupt',
      `The relay database ${file} is corrupt (${detail}); it was left untouched: move it away and restart to begin a new one.`,
    );
  }
  if (errno === 'ENOENT') {
    return new RelayError(
      'unwritable',
      `Cannot create the relay database ${file}: its directory does not exist; create it or pass --db with another path.`,
    );
  }
  if (primary === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || errno === 'ENOSPC') {
    return new RelayError('disk_full', `The disk holding ${file} is full; free some space and try again.`);
  }
  if (errno === 'EROFS') {
    return new RelayError(
      'unwritable',
      `The relay database ${file} is on a read-only file system; pass --db with a writable path.`,
    );
  }
  if (
    primary === 'SQLITE_READONLY' ||
    primary === 'SQLITE_CANTOPEN' ||
    primary === 'SQLITE_PERM' ||
    errno === 'EACCES'
  ) {
    return new RelayError(
      'unwritable',
      `Cannot open the relay database ${file} for writing (${detail}); check the path and its permissions, or pass --db.`,
    );
  }
  return new RelayError('corrupt', `Cannot open the relay database ${file}: ${detail}`);
}
