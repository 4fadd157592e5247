// `mcp-relay status [--json]`: totals, unread per side, last activity, database path and size. Never creates the
// database: a missing one is reported as empty.
import fs from 'node:fs';

import { describeStatus, type RelayStatus, relayStatus } from '../lib/status.js';
import { isPostgresUrl } from '../store/open.js';
import { type CliIo, println } from './io.js';
import { parse } from './options.js';
import { dbOption, dbPath, openExisting, withStore } from './store.js';

export const usage = `Usage: mcp-relay status [--db PATH] [--json]

Shows how many messages the relay holds, how many are unread on each side, the last activity, and where the
database is and how big.

  --db PATH  the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json     print {"ok": true, "database", "exists", "bytes", "total", "unread": {...}, "lastActivity"}`;

export const options = { json: { type: 'boolean' }, ...dbOption } as const;

/** The database file plus its WAL, in bytes. */
export function databaseBytes(file: string): number {
  let bytes = 0;
  for (const part of [file, `${file}-wal`]) {
    try {
      bytes += fs.statSync(part).size;
    } catch {
      // no WAL (or no file) is zero
    }
  }
  return bytes;
}

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  const file = dbPath(values.db, io);
  const store = await openExisting(file);
  const status: RelayStatus =
    store === null
      ? { database: file, total: 0, unread: { desktop: 0, code: 0 }, lastActivity: null }
      : await withStore(store, relayStatus);
  // A PostgreSQL store's size is the server's business (and its URL is no file).
  const bytes = store === null ? 0 : isPostgresUrl(file) ? null : databaseBytes(file);
  if (values.json === true) {
    println(io.stdout, JSON.stringify({ ok: true, ...status, exists: store !== null, bytes }));
    return;
  }
  const lines = describeStatus(status, store === null || bytes === null ? {} : { bytes });
  if (store === null) lines[2] += ' (not created yet: it appears with the first message)';
  println(io.stdout, lines.join('\n'));
}
