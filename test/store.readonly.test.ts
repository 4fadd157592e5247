// 16.1: nothing about a file changes before it is known to be a relay buffer, and a read-only open (status, fetch
// --peek, preview, doctor) changes nothing at all: no chmod, no WAL switch, no migration, no new file beside it.
// Every file here is one the test made in its own temp directory (never a real system file).
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openStore } from '../src/store/open.js';
import type { DriverName } from '../src/store/sqlite/connection.js';
import { loadDriver } from '../src/store/sqlite/driver.js';
import { inspectSqlite } from '../src/store/sqlite/inspect.js';
import { seed } from '../src/store/sqlite/migrations/000-seed.js';
import { schemaVersion } from '../src/store/sqlite/migrations/index.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { type Reader, RelayError } from '../src/store/store.js';
import { inProcessDrivers, skipMissingDrivers } from './helpers/drivers.js';
import { closedAfterTest, tempDir } from './helpers/temp.js';

const CODE: Reader = { kind: 'code', name: null };
const drivers = inProcessDrivers();
skipMissingDrivers('read-only opens');

/** Everything about a directory's files a careless open could change: names, modes, sizes, times, bytes. */
function snapshot(dir: string) {
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const stat = fs.statSync(file);
      return { name, mode: stat.mode, size: stat.size, mtime: stat.mtimeMs, bytes: fs.readFileSync(file) };
    });
}

function thrown(body: () => unknown): RelayError {
  try {
    body();
  } catch (error) {
    if (error instanceof RelayError) return error;
    throw error;
  }
  throw new Error('expected a RelayError');
}

describe.each(drivers)('read-only and foreign files (%s)', (driver: DriverName) => {
  const raw = (file: string) => loadDriver(driver).open(file);

  /** The foreign files a --db may point at by mistake, each 0644 in its own directory. */
  const foreign: Record<string, (file: string) => void> = {
    'a text file': (file) => fs.writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\n'.repeat(50)),
    'a short file': (file) => fs.writeFileSync(file, 'SQLite format 3'),
    "another program's SQLite database (old journal mode)": (file) => {
      const db = raw(file);
      db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a')");
      db.close();
    },
    "another program's SQLite database in WAL mode, closed": (file) => {
      const db = raw(file);
      db.pragma('journal_mode = WAL');
      db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a')");
      db.close();
    },
    'a messages table without the relay columns, in WAL mode': (file) => {
      const db = raw(file);
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)');
      db.close();
    },
  };

  it.each(Object.keys(foreign))('refuses %s, for writing and reading, changing nothing about it', async (what) => {
    const dir = tempDir();
    const file = path.join(dir, 'passwd');
    foreign[what]!(file);
    fs.chmodSync(file, 0o644);
    const before = snapshot(dir);
    for (const readOnly of [false, true]) {
      const error = thrown(() => openSqliteStore(file, { driver, readOnly }));
      expect(error.code).toBe('not_relay_db');
      expect(error.message).toContain(file);
      await expect(openStore(file, { readOnly })).rejects.toMatchObject({ code: 'not_relay_db' });
      // Same names (no -wal, -shm, -journal), same mode, size, time and bytes.
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it('reads an idle relay buffer without changing it: no chmod, no -wal or -shm, and refuses writes', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'relay.db');
    const writer = openSqliteStore(file, { driver });
    await writer.send({ sender: 'desktop', message: 'waiting for code' });
    await writer.close();
    fs.chmodSync(file, 0o644);
    const before = snapshot(dir);
    expect(before.map((f) => f.name)).toEqual(['relay.db']);
    const store = closedAfterTest(openSqliteStore(file, { driver, readOnly: true }));
    expect((await store.latest(5)).map((m) => m.message)).toEqual(['waiting for code']);
    expect((await store.fetch({ reader: CODE, limit: 5, unreadOnly: true, mark: false })).length).toBe(1);
    expect((await store.stats()).unread.code).toBe(1);
    expect(await store.sessions()).toEqual([]);
    await expect(store.send({ sender: 'code', message: 'x' })).rejects.toMatchObject({ code: 'read_only' });
    await expect(store.fetch({ reader: CODE, limit: 5, unreadOnly: true })).rejects.toMatchObject({
      code: 'read_only',
    });
    await store.close();
    expect(snapshot(dir)).toEqual(before);
  });

  it('reads a seed file (older schema) through a private copy, leaving the file as the seed wrote it', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.relay_buffer.db');
    const db = raw(file);
    db.exec(seed);
    db.prepare<[string, string, string]>('INSERT INTO messages (sender, message, timestamp) VALUES (?, ?, ?)').run(
      'desktop',
      'from the seed',
      '2026-11-24T09:00:00.000000+00:00',
    );
    db.close();
    fs.chmodSync(file, 0o644);
    const before = snapshot(dir);
    const store = closedAfterTest(await openStore(file, { readOnly: true }));
    expect(
      (await store.fetch({ reader: CODE, limit: 5, unreadOnly: true, mark: false })).map((m) => m.message),
    ).toEqual(['from the seed']);
    await store.close();
    expect(snapshot(dir)).toEqual(before);
  });

  it('reads a buffer a relay has open, and sees what it writes afterwards', async () => {
    const file = path.join(tempDir(), 'relay.db');
    const writer = closedAfterTest(openSqliteStore(file, { driver }));
    await writer.send({ sender: 'desktop', message: 'one' });
    const reader = closedAfterTest(openSqliteStore(file, { driver, readOnly: true }));
    expect((await reader.latest(5)).map((m) => m.message)).toEqual(['one']);
    await writer.send({ sender: 'desktop', message: 'two' });
    expect((await reader.latest(5)).map((m) => m.message)).toEqual(['one', 'two']);
  });

  it('says there is no buffer yet, or no directory, and creates nothing', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'relay.db');
    const missing = thrown(() => openSqliteStore(file, { driver, readOnly: true }));
    expect(missing.code).toBe('missing');
    expect(missing.message).toContain(file);
    const nowhere = path.join(dir, 'no', 'such', 'relay.db');
    await expect(openStore(nowhere, { readOnly: true })).rejects.toMatchObject({
      code: 'no_directory',
      message: expect.stringContaining('does not exist'),
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('opens an empty file (made with touch) for reading without turning it into a buffer', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'relay.db');
    fs.writeFileSync(file, '', { mode: 0o644 });
    const before = snapshot(dir);
    const store = closedAfterTest(openSqliteStore(file, { driver, readOnly: true }));
    expect(await store.latest(5)).toEqual([]);
    await store.close();
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("doctor's look at a buffer (inspectSqlite)", () => {
  it('names the schema and journal mode of an idle buffer without creating -wal or -shm or changing its mode', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'relay.db');
    await openSqliteStore(file).close();
    fs.chmodSync(file, 0o644);
    const before = snapshot(dir);
    expect(inspectSqlite(file)).toMatchObject({ journalMode: 'wal', schemaVersion, knownSchemaVersion: schemaVersion });
    expect(snapshot(dir)).toEqual(before);
    expect(() => inspectSqlite(path.join(dir, 'none.db'))).toThrow(expect.objectContaining({ code: 'missing' }));
  });
});
