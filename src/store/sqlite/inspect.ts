// Read-only facts about the SQLite side for `doctor` and `--debug`: which driver runs and its SQLite version, and a
// file's schema version and journal mode. Opens the file read-only; the Store interface hides these details.
import type { DriverName } from './connection.js';
import { sqliteDriver } from './driver.js';
import { schemaVersion } from './migrations/index.js';

export interface SqliteFacts {
  schemaVersion: number;
  /** The schema this relay writes. */
  knownSchemaVersion: number;
  journalMode: string;
  sqliteVersion: string;
}

export function inspectSqlite(path: string): SqliteFacts {
  const driver = sqliteDriver();
  const db = driver.open(path, { readOnly: true });
  try {
    return {
      schemaVersion: db.pragma('user_version') as number,
      knownSchemaVersion: schemaVersion,
      journalMode: String(db.pragma('journal_mode')),
      sqliteVersion: driver.sqliteVersion,
    };
  } finally {
    db.close();
  }
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
