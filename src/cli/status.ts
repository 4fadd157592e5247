// `mcp-relay status [--json]`: totals, unread per side, last activity, database path and size. Never creates the
// database: a missing one is reported as empty.
import fs from 'node:fs';
import path from 'node:path';

import { describeStatus, type RelayStatus, relayStatus } from '../lib/status.js';
import { isPostgresUrl } from '../store/open.js';
import type { SessionInfo } from '../store/store.js';
import { type CliIo, println } from './io.js';
import { parse } from './options.js';
import { sessionSummary } from './sessions.js';
import { dbOption, dbPath, openExisting, withStore } from './store.js';

export const usage = `Usage: mcp-relay status [--db PATH] [--json]

Shows how many messages the relay holds, how many are unread on each side, the last activity, where the
database is and how big, and the live sessions (\`mcp-relay sessions\` lists them in full).

  --db PATH  the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json     print {"ok": true, "database", "exists", "bytes", "directoryExists"?, "total", "unread": {...},
             "lastActivity", "sessions": [...]} (directoryExists: false when the directory is missing)`;

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
  const postgres = isPostgresUrl(file);
  const store = await openExisting(file);
  const [status, sessions]: [RelayStatus, SessionInfo[]] =
    store === null
      ? [{ database: file, total: 0, unread: { desktop: 0, code: 0 }, lastActivity: null }, []]
      : await withStore(store, async (s) => [await relayStatus(s), await s.sessions()]);
  // A PostgreSQL store's size is the server's business (and its URL is no file).
  const bytes = store === null ? 0 : postgres ? null : databaseBytes(file);
  // A file in a directory that does not exist is not "not created yet": the first send there fails.
  const directory = store === null && !postgres && !fs.existsSync(path.dirname(path.resolve(file))) ? 'missing' : 'ok';
  if (values.json === true) {
    const more = directory === 'missing' ? { directoryExists: false } : {};
    const json = { ok: true, ...status, exists: store !== null, bytes, ...more, sessions };
    println(io.stdout, JSON.stringify(json));
    return;
  }
  const lines = describeStatus(status, store === null || bytes === null ? {} : { bytes });
  if (directory === 'missing') {
    lines[2] += ' (its directory does not exist, so sending would fail: create it, or pass --db with another path)';
  } else if (store === null) lines[2] += ' (not created yet: it appears with the first message)';
  lines.push(`live sessions: ${sessions.length === 0 ? 'none' : sessions.map(sessionSummary).join(', ')}`);
  println(io.stdout, lines.join('\n'));
}
