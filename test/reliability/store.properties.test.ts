// The Store properties (test/store.properties.ts) against the SQLite backend on temp files.
import path from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import type { StoreBackend } from '../store.contract.js';
import { storeProperties } from '../store.properties.js';
import { tempDir } from '../helpers/temp.js';

const open: Store[] = [];
const sqlite: StoreBackend = {
  name: 'sqlite',
  async create(options) {
    // Stores of earlier runs are closed here: fast-check runs many properties in one test.
    await Promise.all(open.splice(0).map((s) => s.close()));
    const file = path.join(tempDir(), 'relay.db');
    const track = (store: Store) => (open.push(store), store);
    return { store: track(openSqliteStore(file, options)), second: async () => track(openSqliteStore(file, options)) };
  },
};

storeProperties([sqlite]);

afterAll(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
