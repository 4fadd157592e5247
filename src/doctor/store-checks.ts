// The buffer's checks: the SQLite driver, the database file (or PostgreSQL), what it holds.
import fs from 'node:fs';
import path from 'node:path';

import { type Check, type DoctorContext, fail, ok, warn } from './check.js';

function packageRoot(context: DoctorContext): string {
  return path.resolve(path.dirname(context.launcher.args[0] ?? '.'), '..');
}

export async function driverCheck(context: DoctorContext): Promise<Check> {
  try {
    const { driverSqliteVersion } = await import('../store/sqlite/inspect.js');
    return ok('SQLite driver', `better-sqlite3 loads (SQLite ${driverSqliteVersion()})`);
  } catch (error) {
    return fail(
      'SQLite driver',
      `better-sqlite3 does not load: ${(error as Error).message.split('\n')[0]}`,
      `cd "${packageRoot(context)}" && npm rebuild better-sqlite3`,
    );
  }
}

export async function databaseCheck(context: DoctorContext): Promise<Check> {
  const name = 'database';
  const file = context.dbPath;
  const { isPostgresUrl } = await import('../store/open.js');
  if (isPostgresUrl(file)) return postgresCheck(name, file);
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
  try {
    // Opening is what every relay process does first: it checks the file and upgrades an older schema.
    const store = openSqliteStore(file, { busyTimeoutMs: 2_000 });
    try {
      const status = await relayStatus(store);
      summary = `${status.total} message${status.total === 1 ? '' : 's'} (unread: ${describeUnread(status.unread)})`;
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
async function postgresCheck(name: string, url: string): Promise<Check> {
  const { openStore } = await import('../store/open.js');
  const { describeUnread, relayStatus } = await import('../lib/status.js');
  try {
    const store = await openStore(url);
    try {
      const status = await relayStatus(store);
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
