// The buffer's checks: the SQLite driver, the database file (or PostgreSQL: its server version), what it holds, who
// is connected, and a round trip through it (round-trip.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Store } from '../store/store.js';
import { type Check, type DoctorContext, fail, ok, warn } from './check.js';
import { ROUND_TRIP, roundTripAt } from './round-trip.js';

function packageRoot(context: DoctorContext): string {
  return path.resolve(path.dirname(context.launcher.args[0] ?? '.'), '..');
}

export async function driverCheck(context: DoctorContext): Promise<Check> {
  try {
    const { sqliteDriverInfo } = await import('../store/sqlite/inspect.js');
    const { driver, sqliteVersion } = sqliteDriverInfo();
    return ok('SQLite driver', `${driver} loads (SQLite ${sqliteVersion})`);
  } catch (error) {
    return fail(
      'SQLite driver',
      (error as Error).message.split('\n')[0] ?? '',
      `cd "${packageRoot(context)}" && npm rebuild better-sqlite3   (or use Node 22.13 or later)`,
    );
  }
}

/** The database, then (when it opened) the live sessions on it and the round trip through it. */
export async function databaseChecks(context: DoctorContext): Promise<Check[]> {
  const checks: Check[] = [];
  const database = await databaseCheck(context, (...more) => checks.push(...more));
  return [database, ...checks];
}

/** Who is connected: every live session, with its kind, folder and unread count. */
async function sessionsCheck(store: Store): Promise<Check> {
  const live = await store.sessions();
  if (live.length === 0) return ok('sessions', 'none live (each client that starts relay appears here while it runs)');
  const here = os.hostname();
  const list = live.map((s) => {
    const where = [s.cwd ? `in ${s.cwd}` : '', s.host !== here ? `on ${s.host}` : '', `pid ${s.pid}`]
      .filter(Boolean)
      .join(' ');
    return `${s.name} (${s.kind} ${where}${s.unread > 0 ? `, ${s.unread} unread` : ''})`;
  });
  return ok('sessions', `${live.length} live: ${list.join('; ')}`);
}

interface Opened {
  /** Where it is (a URL without its password). */
  location: string;
  summary: string;
  backend: string;
  sessions: Check;
}

/** What a read-only open tells: the backend, what the buffer holds, who is connected. Changes nothing. */
async function readBuffer(location: string): Promise<Opened> {
  const { openStore } = await import('../store/open.js');
  const { describeUnread, relayStatus } = await import('../store/status.js');
  const store = await openStore(location, { readOnly: true, busyTimeoutMs: 2_000 });
  try {
    const status = await relayStatus(store);
    const summary = `${status.total} message${status.total === 1 ? '' : 's'} (unread: ${describeUnread(status.unread)})`;
    return { location: store.location, summary, backend: store.backend, sessions: await sessionsCheck(store) };
  } finally {
    await store.close();
  }
}

const errorCode = (error: unknown) =>
  error !== null && typeof error === 'object' && 'code' in error ? String(error.code) : undefined;
const notTried = (why: string) => ok(ROUND_TRIP, `not tried: ${why}`);

async function databaseCheck(context: DoctorContext, onOpen: (...checks: Check[]) => void): Promise<Check> {
  const name = 'database';
  const file = context.dbPath;
  const { isPostgresUrl } = await import('../store/open.js');
  if (isPostgresUrl(file)) return postgresCheck(name, file, onOpen);
  const absent = () => {
    // Doctor creates nothing: the round trip waits for a buffer to exist.
    onOpen(notTried('there is no buffer yet'));
    return ok(name, `${file} does not exist yet (it is created with the first message)`);
  };
  let stat: fs.Stats;
  let opened: Opened;
  try {
    stat = fs.statSync(file);
    opened = await readBuffer(file);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'missing') return absent();
    const fix =
      code === 'unwritable' || code === 'EACCES'
        ? `chmod u+rw "${file}"`
        : code === 'newer_schema'
          ? 'npm install -g mcp-server-relay@latest'
          : `mv "${file}" "${file}.broken"   (relay starts a new buffer)`;
    return fail(name, (error as Error).message, fix);
  }
  const { inspectSqlite } = await import('../store/sqlite/inspect.js');
  const facts = inspectSqlite(file);
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  const older = facts.schemaVersion < facts.knownSchemaVersion;
  const loose = (stat.mode & 0o077) !== 0;
  const wal = facts.journalMode.toLowerCase() === 'wal';
  // Opening it to write would also do these: the round trip waits until a relay has (doctor changes nothing else).
  const would = [
    older ? 'upgrade its schema' : '',
    loose ? 'make it private (mode 0600)' : '',
    wal ? '' : 'switch it to WAL',
  ].filter(Boolean);
  const trip =
    would.length > 0
      ? notTried(`opening the buffer to write would also ${would.join(' and ')}, as the next relay to start does`)
      : await roundTripAt(file, `ls -l "${file}"   (the file and its folder must be writable, the disk not full)`);
  onOpen(opened.sessions, trip);
  const detail =
    `${file}: ${opened.backend}, mode ${mode}, journal ${facts.journalMode}, ` +
    `schema ${facts.schemaVersion}/${facts.knownSchemaVersion}${older ? ' (the next relay to start upgrades it in place)' : ''}, ` +
    opened.summary;
  if (loose) return warn(name, `${detail}; other users can read it`, `chmod 600 "${file}"`);
  if (!wal)
    return warn(
      name,
      `${detail}; expected journal wal`,
      'restart a client that runs relay: its server switches the file to WAL when it opens it',
    );
  return ok(name, detail);
}

/** A PostgreSQL store: reachable, its server version, relay's schema in place, what it holds. Read only. */
async function postgresCheck(name: string, url: string, onOpen: (...checks: Check[]) => void): Promise<Check> {
  let opened: Opened;
  try {
    opened = await readBuffer(url);
  } catch (error) {
    // The store's errors name the URL without its password.
    const message = error instanceof Error ? error.message : String(error);
    const code = errorCode(error);
    if (code === 'missing' || code === 'read_only') {
      onOpen(notTried(code === 'missing' ? 'there is no relay store there yet' : 'its schema is older'));
      return (code === 'missing' ? ok : warn)(name, message);
    }
    return fail(name, message, 'check the URL, the password, and that PostgreSQL is running and reachable');
  }
  onOpen(opened.sessions, await roundTripAt(url, 'check that the database user may write to the relay schema'));
  return ok(name, `${opened.location}: ${opened.backend}, ${opened.summary}`);
}
