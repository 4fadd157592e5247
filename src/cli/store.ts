// Opening the relay store for a CLI command: the same path rules as the server (--db, $RELAY_DB, ~/.relay_buffer.db)
// and store errors turned into UserErrors. Commands that only look (status, preview, doctor) never create the file.
import fs from 'node:fs';
import { defaultDbPath } from '../paths.js';
import { openSqliteStore, type SqliteStoreOptions } from '../store/sqlite.js';
import { RelayError, type Store } from '../store/store.js';
import { UserError } from './errors.js';
import { homeOf, type CliIo } from './io.js';

export const dbOption = { db: { type: 'string' } } as const;

export function dbPath(flag: string | undefined, io: Pick<CliIo, 'env' | 'platform'>): string {
  return flag ?? defaultDbPath(io.env, homeOf(io));
}

export function openStore(file: string, options: SqliteStoreOptions = {}): Store {
  try {
    return openSqliteStore(file, options);
  } catch (error) {
    if (error instanceof RelayError) throw new UserError(error.message);
    throw error;
  }
}

/** The store if its file exists; null (and no file created) otherwise. */
export function openExisting(file: string, options: SqliteStoreOptions = {}): Store | null {
  return fs.existsSync(file) ? openStore(file, options) : null;
}

/** Runs `body` with the store open, closing it afterwards; store errors become UserErrors. */
export async function withStore<T>(store: Store, body: (store: Store) => Promise<T>): Promise<T> {
  try {
    return await body(store);
  } catch (error) {
    if (error instanceof RelayError) throw new UserError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}
