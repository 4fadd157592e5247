// openStore: the one place that turns a --db / RELAY_DB value into a Store, for `serve` and every CLI command.
// A postgres:// or postgresql:// URL opens the PostgreSQL store, anything else is an SQLite file path. Each backend
// is loaded with a dynamic import only when chosen: a stdio relay on SQLite never loads `pg`, and one on
// PostgreSQL never loads a SQLite driver.
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** Trouble in the background (the change watch, a dropped connection); the store carries on. */
  onError?: (error: Error) => void;
  /** SQLite only: how long to wait for another process's write lock (PostgreSQL queues row locks itself). */
  busyTimeoutMs?: number;
  /**
   * For commands that only read (status, fetch --peek, preview, doctor): nothing about the buffer changes (no chmod,
   * no WAL switch, no migration, no new file), writes are refused with RelayError('read_only'), and a buffer that does
   * not exist is RelayError('missing') (or 'no_directory' when its directory does not exist either).
   */
  readOnly?: boolean;
}

/** `postgres://` or `postgresql://`: a PostgreSQL store rather than an SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the store at `location`: creating and migrating as needed, or with `readOnly` changing nothing. Throws
 * RelayError with a sentence to act on.
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  const { onError, busyTimeoutMs, readOnly } = options;
  const common = {
    ...(onError === undefined ? {} : { onError }),
    ...(readOnly === true ? { readOnly } : {}),
  };
  if (isPostgresUrl(location)) {
    const { openPostgresStore } = await import('./postgres/store.js');
    return openPostgresStore(location, common);
  }
  const { openSqliteStore } = await import('./sqlite/store.js');
  return openSqliteStore(location, { ...common, ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }) });
}
