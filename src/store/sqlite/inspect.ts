// Read-only facts about the SQLite side for `doctor` and `--debug`: which driver runs and its SQLite version, and a
// file's schema version and journal mode. Changes nothing about the file (recognise.ts: no -wal or -shm made, no
// chmod); the Store interface hides these details.
import type { DriverName } from './connection.js';
import { sqliteDriver } from './driver.js';
import { schemaVersion } from './migrations/index.js';
import { look } from './open.js';
import { missingFile, peekConnection } from './recognise.js';

export interface SqliteFacts {
  schemaVersion: number;
  /** The schema this relay writes. */
  knownSchemaVersion: number;
  journalMode: string;
  sqliteVersion: string;
}

/** Facts about a relay buffer; RelayError as a read-only open gives for a missing or foreign file. */
export function inspectSqlite(path: string): SqliteFacts {
  const driver = sqliteDriver();
  const found = look(path, driver);
  if (found === null) throw missingFile(path);
  let journalMode = found.wal ? 'wal' : 'delete';
  if (!found.empty && !found.wal) {
    // The old journal modes need no -wal or -shm: a plain read-only connection creates nothing.
    const peek = peekConnection(path, driver, false);
    try {
      journalMode = String(peek.db.pragma('journal_mode'));
    } finally {
      peek.close();
    }
  }
  return {
    schemaVersion: found.version,
    knownSchemaVersion: schemaVersion,
    journalMode,
    sqliteVersion: driver.sqliteVersion,
  };
}

export interface DriverInfo {
  driver: DriverName;
  /** e.g. "3.50.4" */
  sqliteVersion: string;
}

/**
 * The SQLite driver this process runs (RELAY_SQLITE_DRIVER, else node:sqlite where Node has it unflagged, else
 * better-sqlite3), without opening any file. Throws RelayError('unavailable') with the sentence to show when none
 * loads.
 */
export function sqliteDriverInfo(): DriverInfo {
  const driver = sqliteDriver();
  return { driver: driver.name, sqliteVersion: driver.sqliteVersion };
}
