// `mcp-relay status [--json]`: totals, unread per side, last activity, database path and size. Never creates the
// database: a missing one is reported as empty.
import fs from 'node:fs';
import path from 'node:path';

import { isPostgresUrl } from '../store/open.js';
import { describeStatus, type RelayStatus, relayStatus } from '../store/status.js';
import type { SessionInfo } from '../store/store.js';
import { type CliIo, println } from './io.js';
import { parse } from './options.js';
import { sessionSummary } from './sessions.js';
import { dbOption, dbPath, openForReading, withStore } from './store.js';

export const usage = `Usage: mcp-relay status [--db PATH] [--json]

Shows how many messages the relay holds, how many are unread on each side, the last activity, where the
database is and how big, and the live sessions (\`mcp-relay sessions\` lists them in full).

  --db PATH  the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json     print {"ok": true, "database", "exists", "bytes", "directoryExists"?, "writable"?, "total",
             "unread": {...}, "lastActivity", "sessions": [...]} (directoryExists, writable: false when sending
             would fail there)`;

export const options = { json: { type: 'boolean' }, ...dbOption } as const;

/**
 * Why a send could not write the buffer file (or create it), in a few words, and whether it is because its directory
 * is missing; undefined when it can. Root passes permission checks but not a read-only file system, as the send would
 * find.
 */
export function whySendingFails(file: string): { words: string; noDirectory: boolean } | undefined {
  const exists = fs.existsSync(file);
  const target = exists ? file : path.dirname(path.resolve(file));
  if (!exists && !fs.existsSync(target)) return { words: 'its directory does not exist', noDirectory: true };
  try {
    fs.accessSync(target, fs.constants.W_OK);
    return undefined;
  } catch (error) {
    const where = exists ? 'it' : 'its directory';
    const errno = (error as NodeJS.ErrnoException).code;
    const words =
      errno === 'EROFS' ? `${where} is on a read-only file system` : `${where} is not writable by this user`;
    return { words, noDirectory: false };
  }
}

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
  const store = await openForReading(file);
  const [status, sessions]: [RelayStatus, SessionInfo[]] =
    store === null
      ? [{ database: file, total: 0, unread: { desktop: 0, code: 0 }, lastActivity: null }, []]
      : await withStore(store, async (s) => [await relayStatus(s), await s.sessions()]);
  // A PostgreSQL store's size is the server's business (and its URL is no file).
  const bytes = store === null ? 0 : postgres ? null : databaseBytes(file);
  // A buffer that a send cannot write (or create) is not "not created yet": say why the first send would fail.
  const unwritable = postgres ? undefined : whySendingFails(file);
  if (values.json === true) {
    const more = {
      ...(unwritable?.noDirectory === true ? { directoryExists: false } : {}),
      ...(unwritable === undefined ? {} : { writable: false }),
    };
    const json = { ok: true, ...status, exists: store !== null, bytes, ...more, sessions };
    println(io.stdout, JSON.stringify(json));
    return;
  }
  const lines = describeStatus(status, store === null || bytes === null ? {} : { bytes });
  if (unwritable !== undefined) {
    const fix = unwritable.noDirectory ? 'create it, or pass --db with another path' : 'pass --db with another path';
    lines[2] += ` (${unwritable.words}, so sending would fail: ${fix})`;
  } else if (store === null) lines[2] += ' (not created yet: it appears with the first message)';
  lines.push(`live sessions: ${sessions.length === 0 ? 'none' : sessions.map(sessionSummary).join(', ')}`);
  println(io.stdout, lines.join('\n'));
}
