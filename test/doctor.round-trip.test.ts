// doctor's round trip through the buffer (12.6): a message to a throw-away mailbox comes back, then the message and
// the session are removed, leaving every table as it was; and doctor names what the buffer runs on (17.1): the
// SQLite version and driver, or the PostgreSQL server's version. On SQLite (this process's driver) and PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { run as doctor } from '../src/cli/doctor.js';
import type { Check } from '../src/doctor/doctor.js';
import { roundTripCheck } from '../src/doctor/round-trip.js';
import { launcherFor } from '../src/setup/launcher.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/store/store.js';
import { rawDb } from './helpers/drivers.js';
import { fakeIo } from './helpers/io.js';
import { postgres, testDatabase } from './helpers/postgres.js';
import { cliPath } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const launcher = launcherFor(cliPath, process.execPath);

async function check(home: string, args: string[] = []) {
  const io = fakeIo({ home });
  try {
    await doctor(['--json', ...args], io, { launcher });
  } catch {
    // exit 1 for a failed check (no client is set up in these homes): the checks are what is looked at
  }
  const report = JSON.parse(io.out()) as { checks: Check[] };
  return Object.fromEntries(report.checks.map((c) => [c.name, c]));
}

/** Every row of every table, as text: what "the buffer as it was" means. */
function sqliteRows(file: string): Record<string, string[]> {
  const db = rawDb(file);
  try {
    const tables = db
      .prepare<void, { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      )
      .all();
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        db
          .prepare<void, Record<string, unknown>>(`SELECT * FROM "${name}"`)
          .all()
          .map((row) => JSON.stringify(row))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}

async function postgresRows(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'relay' AND table_type = 'BASE TABLE'",
    );
    const out: Record<string, string[]> = {};
    for (const { table_name: name } of tables.rows) {
      const rows = await client.query(`SELECT * FROM relay."${name}"`);
      out[name] = rows.rows.map((row) => JSON.stringify(row)).sort();
    }
    return out;
  } finally {
    await client.end();
  }
}

/** A buffer with something in it: a read and an unread message, a live Desktop session with its mail. */
async function populate(store: Store): Promise<void> {
  const desktop = await store.registerSession({
    kind: 'desktop',
    name: 'desktop',
    cwd: null,
    host: os.hostname(),
    pid: process.pid,
    observer: false,
  });
  await store.send({ sender: 'code', message: 'for desktop' });
  await store.send({ sender: 'desktop', from: desktop.name, message: 'for code' });
  await store.fetch({ reader: { kind: 'desktop', name: desktop.name }, limit: 1, unreadOnly: true });
}

describe('doctor round trip on SQLite', () => {
  it('sends to a throw-away mailbox, fetches it back, and leaves every table as it was', async () => {
    const home = tempDir();
    const file = path.join(home, '.relay_buffer.db');
    const store = openSqliteStore(file);
    await populate(store);
    await store.close();
    const before = sqliteRows(file);
    expect(before.messages).toHaveLength(2);

    const checks = await check(home);
    expect(checks['round trip']).toEqual({
      name: 'round trip',
      status: 'ok',
      detail: 'a message to a throw-away mailbox came back, and both were removed',
    });
    // The session list is taken before the round trip: doctor's own session is never among them.
    expect(checks.sessions!.detail).toMatch(/^1 live: desktop \(desktop/);
    expect(sqliteRows(file)).toEqual(before);
    // 17.1: the database check names the SQLite and the driver, as the driver check does.
    const driver = /^(\S+) loads \(SQLite (\S+)\)/.exec(checks['SQLite driver']!.detail)!;
    expect(checks.database!.detail).toContain(`${file}: SQLite ${driver[2]} via ${driver[1]}, mode 0600`);
  });

  it('creates nothing where there is no buffer yet', async () => {
    const home = tempDir();
    const checks = await check(home);
    expect(checks['round trip']).toMatchObject({ status: 'ok', detail: 'not tried: there is no buffer yet' });
    expect(checks.database!.detail).toMatch(/does not exist yet/);
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it('changes nothing about a buffer no relay 2 has opened yet (the Python relay’s): no round trip, byte for byte', async () => {
    const home = tempDir();
    const file = path.join(home, '.relay_buffer.db');
    const db = rawDb(file);
    db.exec(`CREATE TABLE messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, message TEXT NOT NULL,
      timestamp TEXT NOT NULL, read_by_desktop_at TEXT, read_by_code_at TEXT)`);
    db.prepare<[string]>(
      "INSERT INTO messages (sender, message, timestamp) VALUES ('desktop', ?, '2026-11-20T10:00:00.000001+00:00')",
    ).run('from the Python relay');
    db.close();
    fs.chmodSync(file, 0o644);
    const bytes = fs.readFileSync(file);

    const checks = await check(home);
    expect(checks['round trip']).toMatchObject({
      status: 'ok',
      detail:
        'not tried: opening the buffer to write would also upgrade its schema and make it private (mode 0600) and ' +
        'switch it to WAL, as the next relay to start does',
    });
    expect(checks.database).toMatchObject({ status: 'warn' });
    expect(checks.database!.detail).toMatch(
      /schema 0\/\d+ \(the next relay to start upgrades it in place\), 1 message/,
    );
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(home)).toEqual(['.relay_buffer.db']);
  });

  it('fails when the message does not come back, and still removes what it made', async () => {
    const home = tempDir();
    const store = openSqliteStore(path.join(home, '.relay_buffer.db'));
    await populate(store);
    const before = sqliteRows(store.location);
    const calls: string[] = [];
    const lossy: Store = Object.assign(Object.create(store) as Store, {
      fetch: async () => [],
      deleteMessages: async (ids: readonly number[]) => {
        calls.push(`delete ${ids.length}`);
        return store.deleteMessages(ids);
      },
      forgetSession: async (key: Parameters<Store['forgetSession']>[0]) => {
        calls.push('forget');
        return store.forgetSession(key);
      },
    });
    const result = await roundTripCheck(lossy, 'the fix');
    expect(result).toMatchObject({ status: 'fail', fix: 'the fix' });
    expect(result.detail).toMatch(/^a message sent to doctor-[0-9a-f]{8} did not come back from its mailbox$/);
    expect(calls).toEqual(['delete 1', 'forget']);
    await store.close();
    expect(sqliteRows(store.location)).toEqual(before);
  });
});

describe.skipIf(postgres.adminUrl === null)(
  postgres.adminUrl === null ? `doctor round trip on PostgreSQL: SKIPPED: ${postgres.reason}` : 'doctor on PostgreSQL',
  () => {
    it('names the server version, needs no SQLite driver, and the round trip leaves every table as it was', async () => {
      const db = await testDatabase();
      await populate(await db.open());
      const before = await postgresRows(db.url);
      const checks = await check(tempDir(), ['--db', db.url]);
      expect(checks['SQLite driver']).toBeUndefined();
      expect(checks.database).toMatchObject({ status: 'ok' });
      expect(checks.database!.detail).toMatch(/: PostgreSQL \d+(\.\d+)*, 2 messages/);
      expect(checks['round trip']).toMatchObject({ status: 'ok' });
      expect(await postgresRows(db.url)).toEqual(before);
    });

    it('creates no relay store in a database relay has not used yet', async () => {
      const db = await testDatabase();
      const checks = await check(tempDir(), ['--db', db.url]);
      expect(checks.database).toMatchObject({ status: 'ok' });
      expect(checks.database!.detail).toMatch(/There is no relay store in the PostgreSQL database/);
      expect(checks['round trip']).toMatchObject({ detail: 'not tried: there is no relay store there yet' });
      expect(await postgresRows(db.url)).toEqual({});
    });
  },
);
