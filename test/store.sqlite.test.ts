// The SQLite backend, on each driver that loads here (node:sqlite, better-sqlite3): the shared contract, plus what
// only a file can get wrong: the seed's file, modes, and files that are not ours. Two drivers on one file, in two
// processes, are store.drivers.test.ts's.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import type { DriverName } from '../src/store/sqlite/connection.js';
import { UNREAD_FOR_SQL } from '../src/store/sqlite/queries.js';
import { openSqliteStore, type SqliteStoreOptions } from '../src/store/sqlite/store.js';
import { type Reader, RelayError } from '../src/store/store.js';
import { inProcessDrivers, rawDb, skipMissingDrivers } from './helpers/drivers.js';
import { root } from './helpers/spawn.js';
import { closedAfterTest, tempDir } from './helpers/temp.js';
import { type StoreBackend, storeContract } from './store.contract.js';
import { historyContract } from './store.history.contract.js';

const CODE: Reader = { kind: 'code', name: null };
const DESKTOP: Reader = { kind: 'desktop', name: null };
const require = createRequire(import.meta.url);
const drivers = inProcessDrivers();

const backend = (driver: DriverName): StoreBackend => ({
  name: `sqlite (${driver})`,
  async create(options) {
    const file = path.join(tempDir(), 'relay.db');
    // pollMs is large so the change-event test proves the file watch, not the safety poll.
    const settings: SqliteStoreOptions = { pollMs: 60_000, driver, ...options };
    return {
      store: closedAfterTest(openSqliteStore(file, settings)),
      second: async () => closedAfterTest(openSqliteStore(file, settings)),
    };
  },
});

storeContract(drivers.map(backend));
historyContract(drivers.map(backend));
skipMissingDrivers('Store contract: sqlite');

/** The seed's schema and rows, written the way it writes them (rollback journal, no indexes). */
function writeSeedFile(file: string): void {
  const db = rawDb(file);
  db.exec(`CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, message TEXT NOT NULL,
    timestamp TEXT NOT NULL, read_by_desktop_at TEXT, read_by_code_at TEXT)`);
  const insert = db.prepare<[string, string, string, string | null, string | null]>(
    'INSERT INTO messages (sender, message, timestamp, read_by_desktop_at, read_by_code_at) VALUES (?, ?, ?, ?, ?)',
  );
  insert.run(
    'desktop',
    'old, read by code',
    '2026-11-20T10:00:00.000001+00:00',
    null,
    '2026-11-20T10:05:00.000000+00:00',
  );
  insert.run('code', 'unread by desktop', '2026-11-21T10:00:00.123456+00:00', null, null);
  insert.run('desktop', 'unread by code', '2026-11-22T10:00:00.654321+00:00', null, null);
  insert.run('code', 'read by desktop', '2026-11-23T10:00:00.000000+00:00', '2026-11-23T11:00:00.000000+00:00', null);
  db.close();
  fs.chmodSync(file, 0o644);
}

/** The seed's own statements, as its source runs them. */
const python = {
  insert: 'INSERT INTO messages (sender, message, timestamp) VALUES (?, ?, ?)',
  evict: 'DELETE FROM messages WHERE id NOT IN (SELECT id FROM messages ORDER BY id DESC LIMIT 20)',
  unreadForCode:
    "SELECT id, sender, message, timestamp, read_by_desktop_at, read_by_code_at FROM messages WHERE sender != 'code' AND " +
    'read_by_code_at IS NULL ORDER BY id DESC LIMIT ?',
  markCode: 'UPDATE messages SET read_by_code_at = ? WHERE id = ?',
  notifierScan:
    "SELECT id, sender, message FROM messages WHERE (sender = 'code' AND read_by_desktop_at IS NULL) OR (sender = 'desktop' AND " +
    'read_by_code_at IS NULL)',
  clear: 'DELETE FROM messages',
};

describe.each(drivers)('SQLite file compatibility with mcp-server-relay 1.2.4 (%s)', (driver) => {
  it('upgrades a seed file in place and keeps every message and its read state', async () => {
    const file = path.join(tempDir(), '.relay_buffer.db');
    writeSeedFile(file);
    const store = closedAfterTest(openSqliteStore(file, { driver }));
    const all = await store.latest(10);
    expect(all.map((m) => m.message)).toEqual([
      'old, read by code',
      'unread by desktop',
      'unread by code',
      'read by desktop',
    ]);
    expect(all[1]!.timestamp).toBe('2026-11-21T10:00:00.123456+00:00');
    expect((await store.fetch({ reader: CODE, limit: 20, unreadOnly: true })).map((m) => m.message)).toEqual([
      'unread by code',
    ]);
    expect((await store.fetch({ reader: DESKTOP, limit: 20, unreadOnly: true })).map((m) => m.message)).toEqual([
      'unread by desktop',
    ]);
    const raw = rawDb(file, { readOnly: true });
    expect(raw.pragma('journal_mode')).toBe('wal');
    expect(raw.pragma('user_version')).toBeGreaterThan(0);
    raw.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("keeps working under the seed's own SQL after the upgrade", async () => {
    const file = path.join(tempDir(), '.relay_buffer.db');
    writeSeedFile(file);
    const store = closedAfterTest(openSqliteStore(file, { driver }));
    const py = rawDb(file);
    try {
      // The seed sends; we see it as unread for Code.
      py.prepare<[string, string, string]>(python.insert).run(
        'desktop',
        'sent by the seed',
        '2026-11-24T09:00:00.000000+00:00',
      );
      const got = await store.fetch({ reader: CODE, limit: 20, unreadOnly: true });
      expect(got.map((m) => m.message)).toEqual(['unread by code', 'sent by the seed']);
      // We send; the seed sees it unread and marks it read; we then agree it is read.
      await store.send({ sender: 'desktop', message: 'sent by node' });
      const pyUnread = py.prepare<[number], { id: number; message: string }>(python.unreadForCode).all(5);
      expect(pyUnread.map((r) => r.message)).toEqual(['sent by node']);
      py.prepare<[string, number]>(python.markCode).run('2026-11-24T09:01:00.000000+00:00', pyUnread[0]!.id);
      expect(await store.fetch({ reader: CODE, limit: 20, unreadOnly: true })).toEqual([]);
      expect(
        py
          .prepare<void, { message: string }>(python.notifierScan)
          .all()
          .map((r) => r.message),
      ).toEqual(['unread by desktop']);
      // The seed's eviction and clear leave no stale read state behind.
      py.prepare(python.evict).run();
      py.prepare(python.clear).run();
      expect(py.pluck<void, number>('SELECT count(*) FROM inbox').get()).toBe(0);
      await store.send({ sender: 'code', message: 'after the seed cleared' });
      expect((await store.fetch({ reader: DESKTOP, limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual([
        'after the seed cleared',
      ]);
    } finally {
      py.close();
    }
  });

  it('indexes rows the seed inserted, between its own, for search', async () => {
    const file = path.join(tempDir(), '.relay_buffer.db');
    writeSeedFile(file);
    const store = closedAfterTest(openSqliteStore(file, { driver }));
    const py = rawDb(file);
    try {
      await store.send({ sender: 'desktop', message: 'node says pineapple' });
      expect((await store.search('pineapple', 10)).map((h) => h.snippet)).toEqual(['node says [pineapple]']);
      py.prepare<[string, string, string]>(python.insert).run(
        'code',
        'the seed says pineapple too',
        '2026-11-24T09:00:00.000000+00:00',
      );
      await store.send({ sender: 'desktop', message: 'and node again: pineapple' });
      expect((await store.search('pineapple', 10)).map((h) => h.snippet)).toEqual([
        'and node again: [pineapple]',
        'the seed says [pineapple] too',
        'node says [pineapple]',
      ]);
      expect((await store.search('old read', 10)).map((h) => h.snippet)).toEqual(['[old], [read] by code']);
    } finally {
      py.close();
    }
  });

  it('opens a file while another process holds a write lock in the old journal mode (the seed writing)', async () => {
    const file = path.join(tempDir(), '.relay_buffer.db');
    writeSeedFile(file);
    // Switching to WAL needs a lock SQLite's busy handler does not wait for: the open must retry, not fail.
    const holder = spawn(process.execPath, [
      path.join(root, 'test', 'fixtures', 'sqlite-hold.cjs'),
      file,
      require.resolve('better-sqlite3'),
      "BEGIN IMMEDIATE; INSERT INTO messages (sender, message, timestamp) VALUES ('code', 'held', 'now')",
      '300',
    ]);
    onTestFinished(() => {
      holder.kill('SIGKILL');
    });
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const store = closedAfterTest(openSqliteStore(file, { driver }));
    expect((await store.latest(10)).map((m) => m.message)).toContain('held');
  });

  it('fetches unread messages through an index seek', () => {
    const file = path.join(tempDir(), 'relay.db');
    closedAfterTest(openSqliteStore(file, { driver }));
    const db = rawDb(file, { readOnly: true });
    const plan = db
      .prepare<{ own: string; kind: string; name: string; limit: number }, { detail: string }>(
        `EXPLAIN QUERY PLAN ${UNREAD_FOR_SQL}`,
      )
      .all({ own: 'code/api', kind: 'code', name: 'api', limit: 5 });
    db.close();
    const details = plan.map((p) => p.detail).join(' | ');
    // A merge of two seeks (the session's mailbox, the kind's shared one): no scan, no sort.
    expect(details).toMatch(/MERGE \(UNION ALL\)/);
    expect(details.match(/SEARCH \w+ USING (COVERING )?INDEX inbox_unread/g)).toHaveLength(2);
    expect(details).not.toMatch(/SCAN|TEMP B-TREE/);
  });
});

describe.each(drivers)('SQLite files that are not ours, or not usable (%s)', (driver) => {
  const openError = (file: string): RelayError => {
    try {
      closedAfterTest(openSqliteStore(file, { driver }));
    } catch (error) {
      return error as RelayError;
    }
    throw new Error('expected the open to fail');
  };

  it('creates a new database 0600, with its WAL and SHM 0600 too', async () => {
    const file = path.join(tempDir(), 'new.db');
    const store = closedAfterTest(openSqliteStore(file, { driver }));
    await store.send({ sender: 'code', message: 'x' });
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });

  it('refuses a file that is not SQLite, naming it, and leaves it untouched', () => {
    const file = path.join(tempDir(), 'notes.db');
    fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const before = fs.readFileSync(file);
    const error = openError(file);
    expect(error).toBeInstanceOf(RelayError);
    expect(error.code).toBe('not_relay_db');
    expect(error.message).toContain(file);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses an SQLite database of another program and does not change it', () => {
    const file = path.join(tempDir(), 'other.db');
    const db = rawDb(file);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    const before = fs.readFileSync(file);
    const error = openError(file);
    expect(error.code).toBe('not_relay_db');
    expect(error.message).toContain(file);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a corrupt database, naming it, without overwriting it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'relay.db');
    const good = openSqliteStore(file, { driver });
    void good.close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, 100, 4096);
    fs.writeFileSync(file, bytes);
    const error = openError(file);
    expect(error).toBeInstanceOf(RelayError);
    expect(error.message).toContain(file);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a directory in place of the file', () => {
    const dir = path.join(tempDir(), 'relay.db');
    fs.mkdirSync(dir);
    const error = openError(dir);
    expect(error.code).toBe('not_relay_db');
    expect(error.message).toContain(dir);
  });

  it('refuses a database written by a newer relay', () => {
    const file = path.join(tempDir(), 'relay.db');
    const db = rawDb(file);
    db.exec(
      'CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, message TEXT NOT NULL, timestamp TEXT NOT ' +
        'NULL, read_by_desktop_at TEXT, read_by_code_at TEXT)',
    );
    db.exec('PRAGMA user_version = 999');
    db.close();
    expect(openError(file).code).toBe('newer_schema');
  });

  it('reports a missing directory clearly', () => {
    const file = path.join(tempDir(), 'no', 'such', 'dir', 'relay.db');
    const error = openError(file);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/directory does not exist/);
  });
});
