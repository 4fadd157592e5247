// PostgreSQL for tests: a new empty database per call on the run's throw-away cluster (test/setup/postgres.ts),
// dropped when the test ends, after every store opened through it is closed.
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';

import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/store.js';

export const postgres = inject('postgres');

export interface TestDatabase {
  url: string;
  name: string;
  /** Opens a store on this database, closed when the test ends. */
  open(options?: PostgresStoreOptions): Promise<PostgresStore>;
}

let counter = 0;

export async function adminQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  if (postgres.adminUrl === null) throw new Error(`no PostgreSQL server: ${postgres.reason}`);
  const client = new pg.Client({ connectionString: postgres.adminUrl });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(postgres.adminUrl as string);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function testDatabase(): Promise<TestDatabase> {
  counter += 1;
  const name = `relay_test_${process.pid}_${counter}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const stores: PostgresStore[] = [];
  onTestFinished(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  const url = databaseUrl(name);
  return {
    url,
    name,
    open: async (options = {}) => {
      const store = await openPostgresStore(url, options);
      stores.push(store);
      return store;
    },
  };
}
