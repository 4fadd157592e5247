// 16.10: on SQLite every relay writes last_seen by its own clock. Liveness is the heartbeat's age as the reader
// observes it (its own steady clock since last_seen last moved), so a session whose clock is behind, or a step of
// the reader's clock, drops nobody; a session whose heartbeat stops still dies after the TTL.
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SESSION_TTL_MS } from '../src/store/routing.js';
import type { DriverName } from '../src/store/sqlite/connection.js';
import { openSqliteStore, type SqliteStoreOptions } from '../src/store/sqlite/store.js';
import type { Store } from '../src/store/store.js';
import { inProcessDrivers, skipMissingDrivers } from './helpers/drivers.js';
import { closedAfterTest, tempDir } from './helpers/temp.js';

const drivers = inProcessDrivers();
skipMissingDrivers('liveness by observed heartbeat age');
const MINUTE = 60_000;

describe.each(drivers)('liveness by observed heartbeat age (%s)', (driver: DriverName) => {
  /** Two relays on one file, each with its own wall clock and steady clock. */
  const world = () => {
    const file = path.join(tempDir(), 'relay.db');
    const clock = { behind: Date.now() - 10 * MINUTE, reader: Date.now(), elapsed: 0 };
    const common: SqliteStoreOptions = { driver, pollMs: 60_000, pidAlive: () => true };
    const behind = openSqliteStore(file, { ...common, now: () => new Date(clock.behind) });
    const reader = openSqliteStore(file, {
      ...common,
      now: () => new Date(clock.reader),
      elapsed: () => clock.elapsed,
    });
    closedAfterTest(behind);
    closedAfterTest(reader);
    return { behind, reader, clock };
  };
  const join = (store: Store, host: string) =>
    store.registerSession({ kind: 'code', name: 'api', cwd: '/w', host, pid: 4242, observer: false });

  it('keeps a session whose clock is 10 minutes behind: listed and reached by to: "code"', async () => {
    const { behind, reader } = world();
    const api = await join(behind, 'laptop');
    expect((await reader.sessions()).map((s) => s.name)).toEqual([api.name]);
    expect((await reader.send({ sender: 'desktop', message: 'hi' })).recipients).toEqual([api.name]);
  });

  it("survives the reader's clock stepping forward 10 minutes", async () => {
    const { behind, reader, clock } = world();
    clock.behind = clock.reader;
    const api = await join(behind, 'laptop');
    expect((await reader.sessions()).map((s) => s.name)).toEqual([api.name]);
    clock.reader += 10 * MINUTE;
    clock.elapsed += 1_000;
    expect((await reader.sessions()).map((s) => s.name)).toEqual([api.name]);
  });

  it('drops a session whose heartbeat stops, after the TTL on the reader’s steady clock, and keeps one that beats', async () => {
    const { behind, reader, clock } = world();
    const api = await join(behind, 'laptop');
    const key = { name: api.name, host: api.host, pid: api.pid };
    expect(await reader.sessions()).toHaveLength(1);
    for (let i = 0; i < 6; i++) {
      clock.elapsed += MINUTE;
      clock.behind += MINUTE;
      expect(await behind.touchSession(key)).toBe(true);
      expect(await reader.sessions()).toHaveLength(1);
    }
    clock.elapsed += SESSION_TTL_MS + 1;
    expect(await reader.sessions()).toEqual([]);
    expect(os.hostname()).not.toBe('laptop');
  });
});
