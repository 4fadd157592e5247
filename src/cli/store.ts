// The relay store as CLI commands open it: one rule for where it is (--db, else $RELAY_DB, else ~/.relay_buffer.db
// under the HOME the command sees), and store errors turned into UserErrors. Commands that only look (status,
// fetch --peek, preview, search, history, sessions) open it read-only and change nothing. A postgres:// URL opens the
// PostgreSQL store, which exists once reachable.
import fs from 'node:fs';

import { defaultDbPath } from '../lib/paths.js';
import { isPostgresUrl, openStore, type OpenStoreOptions } from '../store/open.js';
import { RelayError, type RelayErrorCode, type Store } from '../store/store.js';
import { UserError } from './errors.js';
import { type CliIo, homeOf } from './io.js';

export const dbOption = { db: { type: 'string' } } as const;

/** Where the buffer is: the --db value, else $RELAY_DB, else ~/.relay_buffer.db. */
export function dbPath(flag: string | undefined, io: Pick<CliIo, 'env' | 'platform'>): string {
  return flag ?? defaultDbPath(io.env, homeOf(io));
}

/**
 * Store sentences written for a model calling a tool (its argument names, attachments a terminal cannot send), as a
 * person at a terminal reads them.
 */
const TERMINAL_WORDS: Partial<Record<RelayErrorCode, (sentence: string) => string>> = {
  empty: () =>
    'Nothing to send: the message is empty. Give the text as an argument, with --file, or on standard input.',
  too_large: (sentence) =>
    sentence.replace(
      / Send a shorter message.*$/,
      ' Send a part of it (e.g. through `tail -c 60000`), or split it into several messages.',
    ),
  bad_request: (sentence) => sentence.replace(/; pass one or more words\.$/, ': give one or more words.'),
};

/** A store error as the person at the terminal should read it; anything else unchanged. */
export function userError(error: unknown): unknown {
  if (!(error instanceof RelayError)) return error;
  return new UserError(TERMINAL_WORDS[error.code]?.(error.message) ?? error.message, { cause: error });
}

/** Opens (creating and migrating as needed) the store; store errors become UserErrors. */
export async function openRelayStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  try {
    return await openStore(location, options);
  } catch (error) {
    throw userError(error);
  }
}

/**
 * For commands that only look (status, fetch --peek, preview, search, history, sessions): the store opened read-only,
 * which changes nothing about the buffer (no new file, no chmod, no WAL switch, no migration); null when there is no
 * buffer there yet.
 */
export async function openForReading(location: string, options: OpenStoreOptions = {}): Promise<Store | null> {
  try {
    return await openStore(location, { ...options, readOnly: true });
  } catch (error) {
    if (error instanceof RelayError && (error.code === 'missing' || error.code === 'no_directory')) return null;
    throw userError(error);
  }
}

/** For writing, but only if there is something there: the store if its file exists (or it is a PostgreSQL URL). */
export async function openExisting(location: string, options: OpenStoreOptions = {}): Promise<Store | null> {
  return isPostgresUrl(location) || fs.existsSync(location) ? openRelayStore(location, options) : null;
}

/** Runs `body` with the store open, closing it afterwards; store errors become UserErrors. */
export async function withStore<T>(store: Store, body: (store: Store) => Promise<T>): Promise<T> {
  try {
    return await body(store);
  } catch (error) {
    throw userError(error);
  } finally {
    await store.close();
  }
}
