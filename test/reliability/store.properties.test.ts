// The Store properties (test/store.properties.ts) against the SQLite backend on temp files, on each driver that
// loads here, and against PostgreSQL on the run's throw-away cluster (one database for all runs, cleared between
// them: a database per run is slow).
import path from 'node:path';

import { afterAll, describe, it } from 'vitest';

import type { DriverName } from '../../src/store/sqlite/connection.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { inProcessDrivers, skipMissingDrivers } from '../helpers/drivers.js';
import { postgres, testDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';
import type { StoreBackend } from '../store.contract.js';
import { storeProperties } from '../store.properties.js';

const open: Store[] = [];
const sqlite = (driver: DriverName): StoreBackend => ({
  name: `sqlite (${driver})`,
  async create(options) {
    // Stores of earlier runs are closed here: fast-check runs many properties in one test.
    await Promise.all(open.splice(0).map((s) => s.close()));
    const file = path.join(tempDir(), 'relay.db');
    const track = (store: Store) => (open.push(store), store);
    const settings = { ...options, driver };
    return {
      store: track(openSqliteStore(file, settings)),
      second: async () => track(openSqliteStore(file, settings)),
    };
  },
});

afterAll(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

storeProperties(inProcessDrivers().map(sqlite));
skipMissingDrivers('Store properties: sqlite');

let shared: { key: string; store: Store; other: Store } | undefined;
const postgresBackend: StoreBackend = {
  name: 'postgres',
  async create(options) {
    const key = JSON.stringify(options ?? {});
    if (shared?.key !== key) {
      // testDatabase() closes its stores and drops the database when the (one) property test ends.
      const db = await testDatabase();
      shared = { key, store: await db.open(options), other: await db.open(options) };
    }
    await shared.store.clear();
    const { store, other } = shared;
    return { store, second: async () => other };
  },
};

if (postgres.adminUrl === null) {
  describe('Store properties: postgres', () => {
    it.skip(`SKIPPED: ${postgres.reason}`, () => {});
  });
} else {
  storeProperties([postgresBackend], 40);
}
