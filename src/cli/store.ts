// Opening the relay store for a CLI command: the same path rules as the server (--db, $RELAY_DB, ~/.relay_buffer.db)
// and store errors turned into UserErrors. Commands that only look (status, preview, doctor) never create the file.
// A postgres:// URL opens the PostgreSQL store (src/store/open.ts), which always exists once reachable.
import fs from 'node:fs';

import { defaultDbPath } from '../lib/paths.js';
import { isPostgresUrl, openStore as openStoreAt, type OpenStoreOptions } from '../store/open.js';
import { RelayError, type Store } from '../store/store.js';
import { UserError } from './errors.js';
import { type CliIo, homeOf } from './io.js';

export const dbOption = { db: { type: 'string' } } as const;

export function dbPath(flag: string | undefined, io: Pick<CliIo, 'env' | 'platform'>): string {
  return flag ?? defaultDbPath(io.env, homeOf(io));
}

export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  try {
    return await openStoreAt(location, options);
  } catch (error) {
    if (error instanceof RelayError) throw new UserError(error.message);
    throw error;
  }
}

/** The store if its file exists (or it is a PostgreSQL URL); null (and no file created) otherwise. */
export async function openExisting(location: string, options: OpenStoreOptions = {}): Promise<Store | null> {
  return isPostgresUrl(location) || fs.existsSync(location) ? openStore(location, options) : null;
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
