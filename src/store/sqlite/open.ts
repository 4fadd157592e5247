// Opening a relay buffer file for the store. For writing: recognised (recognise.ts, changing nothing), created 0600
// if absent, then tightened, switched to WAL and migrated. For reading: recognised and read, changing nothing at all.
// It must never overwrite or "repair" a file it does not recognise, and every failure is a RelayError naming the path.
import fs from 'node:fs';

import { RelayError } from '../store.js';
import type { Connection, Driver, DriverName } from './connection.js';
import { loadDriver, primaryCode, retryBusy, sqliteCode, sqliteDriver } from './driver.js';
import { migrations, schemaVersion } from './migrations/index.js';
import {
  checkRecognised,
  copyOf,
  missingFile,
  newerSchema,
  notSqlite,
  peekConnection,
  recognise,
  type Recognised,
} from './recognise.js';

export interface OpenedFile {
  db: Connection;
  driver: Driver;
  /** Closes the connection (and removes a private copy a read-only open may have made). */
  close(): void;
  /** A read-only open of a copy or an immutable view: writes by others after the open are not seen. */
  snapshot: boolean;
  /** The device and inode opened: a file deleted or replaced under a running relay is noticed by comparing them. */
  identity: FileIdentity | null;
  /** Its -shm's (a writing open in WAL mode has one): tells this connection's -wal/-shm from another file's. */
  shm: FileIdentity | null;
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
  // Nothing about the file changes until it is known to be a relay buffer (or there is none).
  if (look(file, driver) === null) createFile(file);
  else checkWritable(file);
  let db: Connection;
  try {
    db = driver.open(file, { busyTimeoutMs });
  } catch (error) {
    throw openError(file, error);
  }
  try {
    // Again through this connection: the file may have been replaced since it was recognised.
    checkRecognised(db, file);
    tighten(file);
    retryBusy(() => db.pragma('journal_mode = WAL'), busyTimeoutMs);
    db.pragma('synchronous = NORMAL');
    migrate(db, file);
    const shm = fileIdentity(`${file}-shm`);
    return { db, driver, identity: fileIdentity(file), shm, close: () => db.close(), snapshot: false };
  } catch (error) {
    db.close();
    throw error instanceof RelayError ? error : openError(file, error);
  }
}

/**
 * Opens a relay buffer for reading only, changing nothing about it (16.1): RelayError 'missing' when there is no file
 * (or 'no_directory'), the same refusals as a writing open for anything else. A file at an older schema, or one
 * nobody has open where the driver cannot read it immutable, is read through a private, migrated copy.
 */
export function openForReading(file: string, driverName?: DriverName): OpenedFile {
  const driver = driverName === undefined ? sqliteDriver() : loadDriver(driverName);
  const found = look(file, driver);
  if (found === null) throw missingFile(file);
  const identity = fileIdentity(file);
  try {
    if (!found.empty && found.version === schemaVersion) {
      return { ...peekConnection(file, driver, found.wal && !found.walFile), driver, identity, shm: null };
    }
    const copy = copyOf(file, driver, true);
    try {
      migrate(copy.db, file);
    } catch (error) {
      copy.close();
      throw error;
    }
    return { ...copy, driver, identity, shm: null };
  } catch (error) {
    throw openError(file, error);
  }
}

/** recognise() with SQLite's own failures (a corrupt file, a lock) as sentences. */
export function look(file: string, driver: Driver): Recognised | null {
  try {
    return recognise(file, driver);
  } catch (error) {
    throw openError(file, error);
  }
}

function createFile(file: string): void {
  try {
    // Created private before SQLite touches it; SQLite gives -wal and -shm the same mode.
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_RDWR, 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw openError(file, error);
  }
}

function checkWritable(file: string): void {
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
  if (primary === 'SQLITE_NOTADB') return notSqlite(file);
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
