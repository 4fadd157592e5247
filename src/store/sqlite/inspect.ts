// Read-only facts about a SQLite relay file for `doctor`: schema version, journal mode, SQLite version. Opens the
// file read-only and changes nothing; the Store interface deliberately hides these driver details.
import Database from 'better-sqlite3';

import { schemaVersion } from './migrations/index.js';

export interface SqliteFacts {
  schemaVersion: number;
  /** The schema this relay writes. */
  knownSchemaVersion: number;
  journalMode: string;
  sqliteVersion: string;
}

export function inspectSqlite(path: string): SqliteFacts {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      knownSchemaVersion: schemaVersion,
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      sqliteVersion: db.prepare('SELECT sqlite_version()').pluck().get() as string,
    };
  } finally {
    db.close();
  }
}

/** The SQLite version the driver was built with (loads the native module: fails if it cannot). */
export function driverSqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get() as string;
  } finally {
    db.close();
  }
}
