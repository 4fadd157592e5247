// The PostgreSQL backend: the whole shared contract against a real server, plus what only PostgreSQL can get
// wrong: migrations racing, foreign databases, the password in the location, NUL in text, LISTEN reconnecting.
import { describe, expect, it } from 'vitest';

import { pgMigrations } from '../src/store/postgres/migrations/index.js';
import { noticeOwner } from '../src/store/routing.js';
import { postgres, testDatabase } from './helpers/postgres.js';
import { type StoreBackend, storeContract } from './store.contract.js';
import { historyContract } from './store.history.contract.js';

const backend: StoreBackend = {
  name: 'postgres',
  async create(options) {
    const db = await testDatabase();
    return { store: await db.open(options), second: () => db.open(options) };
  },
};

if (postgres.adminUrl === null) {
  describe('PostgreSQL store', () => {
    it.skip(`SKIPPED: ${postgres.reason}`, () => {});
  });
} else {
  storeContract([backend]);
  historyContract([backend]);
}

/** Calls to a listener, and a way to wait for the next one. */
function counter() {
  let calls = 0;
  let wake: (() => void) | undefined;
  return {
    listener: () => {
      calls++;
      wake?.();
    },
    get calls() {
      return calls;
    },
    next: () => new Promise<void>((resolve) => (wake = resolve)),
  };
}

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(postgres.adminUrl === null)('PostgreSQL specifics', () => {
  it('keeps the password out of the location', async () => {
    const db = await testDatabase();
    const url = new URL(db.url);
    url.password = 's3cret-pw';
    url.searchParams.set('password', 'other-secret');
    const store = await db.open({});
    expect(store.location).toBe(db.url);
    const withPassword = await (await import('../src/store/postgres/store.js')).openPostgresStore(url.toString());
    try {
      expect(withPassword.location).not.toMatch(/s3cret|other-secret/);
      expect(withPassword.location).toContain(`/${db.name}`);
    } finally {
      await withPassword.close();
    }
  });

  it('migrates once when several relays open an empty database together', async () => {
    const db = await testDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => db.open()));
    await stores[0]!.send({ sender: 'desktop', message: 'after the race' });
    expect((await stores[3]!.latest(5)).map((m) => m.message)).toEqual(['after the race']);
    const { rows } = await adminOn(db.url, 'SELECT version FROM relay.relay_schema ORDER BY version');
    // Each migration once, in order (one row per version).
    expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((_, i) => i + 1));
  });

  it('refuses a database whose "relay" schema is not ours, and one from a newer relay', async () => {
    const foreign = await testDatabase();
    await adminOn(foreign.url, 'CREATE SCHEMA relay; CREATE TABLE relay.customers (id int)');
    await expect(foreign.open()).rejects.toMatchObject({
      code: 'not_relay_db',
      message: expect.stringContaining(foreign.name),
    });
    const { rows } = await adminOn(foreign.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'relay'");
    expect(rows.map((r) => r.tablename)).toEqual(['customers']);

    const newer = await testDatabase();
    await (await newer.open()).close();
    await adminOn(newer.url, 'INSERT INTO relay.relay_schema (version) VALUES (99)');
    await expect(newer.open()).rejects.toMatchObject({
      code: 'newer_schema',
      message: expect.stringMatching(/newer relay.*upgrade/),
    });
  });

  it('opens read-only without creating or migrating anything, and refuses writes (16.1)', async () => {
    const empty = await testDatabase();
    await expect(empty.open({ readOnly: true })).rejects.toMatchObject({ code: 'missing' });
    const { rows } = await adminOn(empty.url, "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'relay'");
    expect(rows[0]!.n).toBe(0);
    const db = await testDatabase();
    const writer = await db.open();
    await writer.send({ sender: 'desktop', message: 'for code' });
    const reader = await db.open({ readOnly: true });
    expect((await reader.latest(5)).map((m) => m.message)).toEqual(['for code']);
    expect((await reader.stats()).unread.code).toBe(1);
    await expect(reader.send({ sender: 'code', message: 'x' })).rejects.toMatchObject({ code: 'read_only' });
    await expect(
      reader.fetch({ reader: { kind: 'code', name: null }, limit: 5, unreadOnly: true }),
    ).rejects.toMatchObject({ code: 'read_only' });
    expect((await writer.stats()).unread.code).toBe(1);
  });

  it('says which server it cannot reach, without the password', async () => {
    const { openPostgresStore } = await import('../src/store/postgres/store.js');
    const error = await openPostgresStore('postgres://relay:hunter2@127.0.0.1:1/relay').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('postgres://relay@127.0.0.1:1/relay'),
    });
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('keeps text with NUL exact, and searchable', async () => {
    const db = await testDatabase();
    const store = await db.open();
    const text = 'before\u0000after nulsearch';
    await store.send({ sender: 'desktop', message: text });
    expect((await store.latest(1))[0]!.message).toBe(text);
    expect((await store.search('nulsearch', 5)).map((h) => h.snippet)).toEqual(['before\u0000after [nulsearch]']);
  });

  it('cuts long search snippets around the match with ellipses, as on SQLite', async () => {
    const db = await testDatabase();
    const store = await db.open();
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    words[30] = 'needle';
    await store.send({ sender: 'desktop', message: words.join(' ') });
    const [hit] = await store.search('needle', 5);
    expect(hit!.snippet).toMatch(/^…word\d+ .*\[needle\].* word\d+…$/);
    expect(hit!.snippet.length).toBeLessThanOrEqual(200);
  });

  it('keeps the unread cap exact under concurrent sends from several processes', async () => {
    const db = await testDatabase();
    const [a, b] = [await db.open({ maxUnread: 5 }), await db.open({ maxUnread: 5 })];
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).send({ sender: 'desktop', message: `m${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(
      Array(7).fill('full'),
    );
  });

  it('gives two relays registering the same name at once different names', async () => {
    const db = await testDatabase();
    const [a, b] = [await db.open({ pidAlive: () => true }), await db.open({ pidAlive: () => true })];
    const input = { kind: 'code', name: 'api', cwd: null, host: 'elsewhere', observer: false };
    const names = await Promise.all([a.registerSession({ ...input, pid: 1 }), b.registerSession({ ...input, pid: 2 })]);
    expect(names.map((s) => s.name).sort()).toEqual(['api', 'api-2']);
  });

  it('hears other relays through NOTIFY, but not their heartbeats or notice leases', async () => {
    const db = await testDatabase();
    const [store, other] = [await db.open({ pollMs: 60_000 }), await db.open()];
    const session = await other.registerSession({
      kind: 'code',
      name: 'api',
      cwd: null,
      host: 'elsewhere',
      pid: 7,
      observer: false,
    });
    const heard = counter();
    const listening = heard.next();
    const unsubscribe = store.onChange(heard.listener);
    await listening; // called once when LISTEN takes effect
    await other.send({ sender: 'code', from: 'api', message: 'one' });
    await settle();
    const afterSend = heard.calls;
    expect(afterSend).toBeGreaterThan(1);
    await other.touchSession(session);
    await other.leaseNotifications(noticeOwner('elsewhere', 7), 10);
    await settle();
    expect(heard.calls).toBe(afterSend);
    const read = heard.next();
    await other.fetch({ reader: { kind: 'desktop', name: null }, limit: 5, unreadOnly: true });
    await read;
    unsubscribe();
  });

  it('carries on after its pooled connections are killed (a server restart, a failover)', async () => {
    const db = await testDatabase();
    const errors: string[] = [];
    const store = await db.open({ onError: (e) => errors.push(e.message) });
    await store.send({ sender: 'desktop', message: 'before' });
    const { rows } = await adminOn(
      db.url,
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND application_name = ' +
        "'mcp-relay'",
    );
    expect(rows.length).toBeGreaterThan(0);
    await store.send({ sender: 'desktop', message: 'after' });
    expect(
      (await store.fetch({ reader: { kind: 'code', name: null }, limit: 5, unreadOnly: true })).map((m) => m.message),
    ).toEqual(['before', 'after']);
    expect(errors.join('\n')).toMatch(/terminat/);
  });

  it('re-establishes LISTEN after the connection is killed, reports it, and hears changes again', async () => {
    const db = await testDatabase();
    const errors: string[] = [];
    const store = await db.open({ onError: (e) => errors.push(e.message), pollMs: 60_000 });
    const other = await db.open();
    const heard = counter();
    const listening = heard.next();
    const unsubscribe = store.onChange(heard.listener);
    await listening;
    const reconnected = heard.next();
    const { rows } = await adminOn(
      db.url,
      "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN " +
        "relay_changed'",
    );
    expect(rows).toEqual([{ killed: true }]);
    await reconnected; // called once more when LISTEN is back
    expect(errors.join('\n')).toMatch(/change events \(LISTEN\).*retrying/);
    const again = heard.next();
    await other.send({ sender: 'code', message: 'after the reconnect' });
    await again;
    unsubscribe();
  });
});

async function adminOn(url: string, text: string) {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}
