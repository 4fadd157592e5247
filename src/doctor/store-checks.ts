// The buffer's checks: the SQLite driver, the database file (or PostgreSQL), what it holds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Store } from '../store/store.js';
import { type Check, type DoctorContext, fail, ok, warn } from './check.js';

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

/** The database, then (when it opened) the live sessions on it. */
export async function databaseChecks(context: DoctorContext): Promise<Check[]> {
  const checks: Check[] = [];
  const database = await databaseCheck(context, (sessions) => checks.push(sessions));
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

async function databaseCheck(context: DoctorContext, onSessions: (check: Check) => void): Promise<Check> {
  const name = 'database';
  const file = context.dbPath;
  const { isPostgresUrl } = await import('../store/open.js');
  if (isPostgresUrl(file)) return postgresCheck(name, file, onSessions);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return ok(name, `${file} does not exist yet (it is created with the first message)`);
  }
  const { openSqliteStore } = await import('../store/sqlite/store.js');
  const { inspectSqlite } = await import('../store/sqlite/inspect.js');
  const { RelayError } = await import('../store/store.js');
  const { describeUnread, relayStatus } = await import('../lib/status.js');
  let summary: string;
  let live: Check;
  try {
    // Opening is what every relay process does first: it checks the file and upgrades an older schema.
    const store = openSqliteStore(file, { busyTimeoutMs: 2_000 });
    try {
      const status = await relayStatus(store);
      summary = `${status.total} message${status.total === 1 ? '' : 's'} (unread: ${describeUnread(status.unread)})`;
      live = await sessionsCheck(store);
    } finally {
      await store.close();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof RelayError ? error.code : undefined;
    const fix =
      code === 'unwritable'
        ? `chmod u+rw "${file}"`
        : code === 'newer_schema'
          ? 'npm install -g mcp-server-relay@latest'
          : `mv "${file}" "${file}.broken"   (relay starts a new buffer)`;
    return fail(name, message, fix);
  }
  onSessions(live);
  const facts = inspectSqlite(file);
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  const detail =
    `${file}: mode ${mode}, journal ${facts.journalMode}, schema ${facts.schemaVersion}/${facts.knownSchemaVersion}, ` +
    `${summary}`;
  if ((stat.mode & 0o077) !== 0) return warn(name, `${detail}; other users can read it`, `chmod 600 "${file}"`);
  if (facts.journalMode.toLowerCase() !== 'wal')
    return warn(
      name,
      `${detail}; expected journal wal`,
      `${context.self} status   (any relay command switches it to WAL)`,
    );
  return ok(name, detail);
}

/** A PostgreSQL store: reachable, relay's schema in place (opening migrates it), and what it holds. */
async function postgresCheck(name: string, url: string, onSessions: (check: Check) => void): Promise<Check> {
  const { openStore } = await import('../store/open.js');
  const { describeUnread, relayStatus } = await import('../lib/status.js');
  try {
    const store = await openStore(url);
    try {
      const status = await relayStatus(store);
      onSessions(await sessionsCheck(store));
      return ok(
        name,
        `${store.location}: ${status.total} message${status.total === 1 ? '' : 's'} (unread: ${describeUnread(status.unread)})`,
      );
    } finally {
      await store.close();
    }
  } catch (error) {
    // The store's errors name the URL without its password.
    return fail(
      name,
      error instanceof Error ? error.message : String(error),
      'check the URL, the password, and that PostgreSQL is running and reachable',
    );
  }
}
