// 16.4 split brain: a running relay whose buffer file is deleted (`rm ~/.relay_buffer.db*`) or replaced must not go
// on answering `ok` into a file nobody else can see. It reopens the path (its sessions registered again, so a relay
// started afterwards reaches them), or, when the file there now is not usable, refuses with a sentence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DriverName } from '../src/store/sqlite/connection.js';
import { openSqliteStore, type SqliteStoreOptions } from '../src/store/sqlite/store.js';
import type { Reader } from '../src/store/store.js';
import { inProcessDrivers, skipMissingDrivers } from './helpers/drivers.js';
import { closedAfterTest, tempDir } from './helpers/temp.js';

const DESKTOP: Reader = { kind: 'desktop', name: null };
const drivers = inProcessDrivers();
skipMissingDrivers('a buffer deleted or replaced under a running relay');

function removeBuffer(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

describe.each(drivers)('a buffer deleted or replaced under a running relay (%s)', (driver: DriverName) => {
  const store = (file: string, options: SqliteStoreOptions = {}) => {
    const s = openSqliteStore(file, { driver, pollMs: 60_000, ...options });
    closedAfterTest(s);
    return s;
  };
  /** A relay with one live Code session named "api", and what it reported in the background. */
  const relay = async (file: string, options: SqliteStoreOptions = {}) => {
    const notices: string[] = [];
    let heard: (() => void) | undefined;
    const running = store(file, {
      ...options,
      onError: (error) => {
        notices.push(error.message);
        heard?.();
      },
    });
    await running.registerSession({
      kind: 'code',
      name: 'api',
      cwd: '/work/api',
      host: os.hostname(),
      pid: process.pid,
      observer: false,
    });
    return { running, notices, reported: () => new Promise<void>((resolve) => (heard = resolve)) };
  };

  it('after rm of the file and its -wal/-shm: reopens the path, so a relay started later sees its sends and sessions', async () => {
    const file = path.join(tempDir(), 'relay.db');
    const { running, notices } = await relay(file);
    await running.send({ sender: 'code', from: 'api', message: 'before rm' });
    removeBuffer(file);
    await running.send({ sender: 'code', from: 'api', message: 'after rm' });
    expect(fs.existsSync(file)).toBe(true);
    expect(notices).toEqual([expect.stringMatching(new RegExp(`${file} was deleted while this relay had it open`))]);
    const later = store(file);
    expect((await later.fetch({ reader: DESKTOP, limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual([
      'after rm',
    ]);
    expect((await later.sessions()).map((s) => s.name)).toEqual(['api']);
    // Mail for the session reaches it through the new file.
    await later.send({ sender: 'desktop', to: 'api', message: 'hello again' });
    const api: Reader = { kind: 'code', name: 'api' };
    expect((await running.fetch({ reader: api, limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual([
      'hello again',
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('after the file is replaced by another relay buffer: uses the one the path names now', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'relay.db');
    const { running, notices } = await relay(file);
    const other = path.join(dir, 'other.db');
    const writer = openSqliteStore(other, { driver });
    await writer.send({ sender: 'desktop', message: 'in the new file' });
    await writer.close();
    fs.renameSync(other, file);
    await running.send({ sender: 'code', from: 'api', message: 'after the swap' });
    expect(notices).toEqual([expect.stringContaining('was replaced while this relay had it open')]);
    const later = store(file);
    expect((await later.latest(5)).map((m) => m.message)).toEqual(['in the new file', 'after the swap']);
  });

  it('after the file is replaced by one that is not a relay buffer: refuses sends, saying what happened', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'relay.db');
    const { running } = await relay(file);
    const notes = path.join(dir, 'notes.txt');
    fs.writeFileSync(notes, 'not a database\n'.repeat(100));
    fs.renameSync(notes, file);
    await expect(running.send({ sender: 'code', from: 'api', message: 'lost?' })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(
        /was replaced while this relay had it open.*not an SQLite database.*nothing was written/,
      ),
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('not a database\n'.repeat(100));
  });

  it('notices the deletion from the change events alone, with nothing sent, and recreates the file', async () => {
    const file = path.join(tempDir(), 'relay.db');
    const { running, notices, reported } = await relay(file, { pollMs: 100 });
    const unsubscribe = running.onChange(() => {});
    const noticed = reported();
    removeBuffer(file);
    await noticed;
    unsubscribe();
    expect(notices[0]).toMatch(/was deleted while this relay had it open/);
    expect(fs.existsSync(file)).toBe(true);
    expect((await store(file).sessions()).map((s) => s.name)).toEqual(['api']);
  });
});
