// Recognising a file as a relay buffer without changing anything about it: no chmod, no journal switch, no new file
// beside it (a read-only SQLite connection to a WAL file creates -wal and -shm and cannot remove them again). The
// header is read by hand first, so SQLite never opens a file that is not an SQLite database; a WAL file nobody has
// open is read immutable (node:sqlite) or through a private copy (drivers without URI filenames). Both the writing
// and the read-only open start here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { RelayError } from '../store.js';
import type { Connection, Driver } from './connection.js';
import { schemaVersion } from './migrations/index.js';

const SEED_COLUMNS = ['id', 'sender', 'message', 'timestamp', 'read_by_desktop_at', 'read_by_code_at'];
const HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

/** What a look at an existing file found; it is a relay buffer (or empty), else recognise() threw. */
export interface Recognised {
  /** 0 bytes: a relay makes it a buffer. */
  empty: boolean;
  /** PRAGMA user_version: 0 for the seed's file, `schemaVersion` when current. */
  version: number;
  /** The header says WAL (a relay has opened it for writing at least once). */
  wal: boolean;
  /** A -wal file sits beside it: some process has it open (or one died with it open). */
  walFile: boolean;
}

/** A connection that changes nothing about the file, and what to do when it is closed. */
export interface Peek {
  db: Connection;
  /** Closes the connection and removes a private copy, if one was made. */
  close(): void;
  /** True when it reads a copy or an immutable view: later writes by others are not seen. */
  snapshot: boolean;
}

/**
 * Looks at `file` and refuses anything that is not a relay buffer (RelayError naming the path), changing nothing.
 * Returns null when there is no file.
 */
export function recognise(file: string, driver: Driver): Recognised | null {
  const stat = statOf(file);
  if (stat === null) return null;
  if (stat.isDirectory()) throw notAFile(file);
  if (!stat.isFile()) {
    throw new RelayError(
      'not_relay_db',
      `${file} is not a regular file; it was left untouched: pass --db with a file path.`,
    );
  }
  if (stat.size === 0) return { empty: true, version: 0, wal: false, walFile: false };
  const head = readHead(file);
  if (head.length < 100 || !head.subarray(0, 16).equals(HEADER)) throw notSqlite(file);
  const wal = head[18] === 2 || head[19] === 2;
  const walFile = fs.existsSync(`${file}-wal`);
  const peek = peekConnection(file, driver, wal && !walFile);
  try {
    return { empty: false, version: checkRecognised(peek.db, file), wal, walFile };
  } finally {
    peek.close();
  }
}

/**
 * A read-only connection that leaves the file as it is. `idle` (WAL, no -wal beside it: nobody has it open) reads it
 * immutable where the driver can, else a private copy; otherwise a plain read-only open, which uses the -wal and
 * -shm already there (or, in the old journal mode, needs none).
 */
export function peekConnection(file: string, driver: Driver, idle: boolean): Peek {
  if (!idle) return plain(driver.open(file, { readOnly: true }), false);
  if (driver.uriFilenames) return plain(driver.open(file, { immutable: true }), true);
  return copyOf(file, driver, false);
}

/** A private copy of the file (in a 0700 temp directory), opened for writing so it can be migrated; removed on close. */
export function copyOf(file: string, driver: Driver, writable: boolean): Peek {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-snapshot-'));
  const copy = path.join(dir, path.basename(file));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.copyFileSync(file, copy);
    fs.chmodSync(copy, 0o600);
    const db = driver.open(copy, { readOnly: !writable });
    return {
      db,
      snapshot: true,
      close: () => {
        try {
          db.close();
        } finally {
          remove();
        }
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

function plain(db: Connection, snapshot: boolean): Peek {
  return { db, snapshot, close: () => db.close() };
}

/** Refuses any SQLite file that is not empty and is not a relay buffer; returns its schema version. Reads only. */
export function checkRecognised(db: Connection, file: string): number {
  const version = db.pragma('user_version') as number;
  if (version > schemaVersion) throw newerSchema(file, version);
  const tables = db
    .pluck<void, string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all();
  if (tables.length === 0) return version;
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
  return version;
}

export function newerSchema(file: string, version: number): RelayError {
  return new RelayError(
    'newer_schema',
    `The relay database ${file} was written by a newer relay (schema ${version}, this one knows ${schemaVersion}); ` +
      'upgrade mcp-server-relay.',
  );
}

export function notAFile(file: string): RelayError {
  return new RelayError(
    'not_relay_db',
    `${file} is a directory, not a relay database; remove it or pass --db with a file path.`,
  );
}

export function notSqlite(file: string): RelayError {
  return new RelayError(
    'not_relay_db',
    `${file} is not an SQLite database (it was left untouched); move it away or pass --db with another path.`,
  );
}

/** There is no file: 'missing' when its directory exists (no buffer yet), 'no_directory' when it does not. */
export function missingFile(file: string): RelayError {
  const dir = path.dirname(path.resolve(file));
  if (statOf(dir)?.isDirectory() === true) {
    return new RelayError(
      'missing',
      `There is no relay database at ${file} yet; a relay creates it when it first starts.`,
    );
  }
  return new RelayError(
    'no_directory',
    `There is no relay database at ${file}: the directory ${dir} does not exist; check the path or pass --db.`,
  );
}

function statOf(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw unreadable(file, error);
  }
}

function readHead(file: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    const head = Buffer.alloc(100);
    return head.subarray(0, fs.readSync(fd, head, 0, 100, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function unreadable(file: string, error: unknown): RelayError {
  const detail = (error as NodeJS.ErrnoException).code ?? String(error);
  return new RelayError(
    'unwritable',
    `Cannot read the relay database ${file} (${detail}); check the path and its permissions, or pass --db.`,
  );
}
