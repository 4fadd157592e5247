// Concurrency through real processes: 8 relays each sending 500 messages while 4 Desktop sessions fetch. Every
// message reaches each of the 4 addressees exactly once; nothing is lost or duplicated; no SQLITE_BUSY (or any
// other error) reaches a client. A send refused because a mailbox is full is retried, as a client would.
// Run on the SQLite file and on PostgreSQL (when the run has a PostgreSQL server). On SQLite the senders run one
// driver and the fetchers the other (node:sqlite on a Node 22+ binary, better-sqlite3 on one where it loads), on
// one file at the same time: the two drivers must agree on every lock and every read mark.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import { crossDriverRunners, FORCE } from '../helpers/drivers.js';
import { postgres, testDatabase } from '../helpers/postgres.js';
import { body } from '../helpers/server.js';
import { spawnClient } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

const SENDERS = 8;
const EACH = 500;
const FETCHERS = 4;

/** How the senders' and the fetchers' processes run: which Node, which SQLite driver. */
interface Side {
  node?: string;
  env: Record<string, string>;
}
const same: { senders: Side; fetchers: Side } = { senders: { env: {} }, fetchers: { env: {} } };

const runners = crossDriverRunners();
const twoDrivers =
  'node' in runners
    ? {
        senders: { node: runners.node['node:sqlite'], env: { RELAY_SQLITE_DRIVER: FORCE['node:sqlite'] } },
        fetchers: { node: runners.node['better-sqlite3'], env: { RELAY_SQLITE_DRIVER: FORCE['better-sqlite3'] } },
      }
    : same;
if (!('node' in runners)) console.warn(`concurrency (sqlite): one driver only, not two: ${runners.missing}`);

const backends = [
  {
    name: twoDrivers === same ? 'sqlite' : 'sqlite: senders on node:sqlite, fetchers on better-sqlite3',
    db: async (): Promise<string[]> => [],
    sides: twoDrivers,
  },
  ...(postgres.adminUrl === null
    ? []
    : [{ name: 'postgres', db: async () => ['--db', (await testDatabase()).url], sides: same }]),
];

describe.each(backends)('concurrency ($name)', ({ db, sides }) => {
  it(`delivers ${SENDERS} × ${EACH} concurrent sends to each of ${FETCHERS} fetching sessions exactly once`, async () => {
    const home = tempDir();
    const dbArgs = await db();
    const spawn = (kind: string, name: string, side: Side) =>
      spawnClient(['--client', kind, '--name', name, '--no-notify', ...dbArgs], home, side.env, {
        ...(side.node !== undefined ? { node: side.node } : {}),
      });
    const fetchers = await Promise.all(
      Array.from({ length: FETCHERS }, (_, i) => spawn('desktop', `desk${i}`, sides.fetchers)),
    );
    const senders = await Promise.all(
      Array.from({ length: SENDERS }, (_, i) => spawn('cursor', `send${i}`, sides.senders)),
    );
    const errors: string[] = [];
    let fullRetries = 0;

    const sending = senders.map(async ({ client }, s) => {
      for (let n = 0; n < EACH; n++) {
        for (;;) {
          const result = (await client.callTool({
            name: 'relay_send',
            arguments: { message: `${s}:${n}` },
          })) as CallToolResult;
          const out = body(result);
          if (out.ok === true) {
            expect(out.recipients).toHaveLength(FETCHERS);
            break;
          }
          if (/unread messages \(the limit\)/.test(String(out.error))) {
            fullRetries++;
            await new Promise((resolve) => setTimeout(resolve, 20));
            continue;
          }
          errors.push(String(out.error));
          break;
        }
      }
    });

    let sendersDone = false;
    const received = fetchers.map(() => [] as string[]);
    const fetching = fetchers.map(async ({ client }, f) => {
      for (;;) {
        // Read before the fetch: an empty fetch that began before the last send committed proves nothing.
        const finished = sendersDone;
        const out = body((await client.callTool({ name: 'relay_fetch', arguments: { limit: 20 } })) as CallToolResult);
        if (out.ok !== true) errors.push(String(out.error));
        const messages = (out.messages ?? []) as { message: string }[];
        received[f]!.push(...messages.map((m) => m.message));
        if (messages.length === 0) {
          if (finished) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    });

    await Promise.all(sending);
    sendersDone = true;
    await Promise.all(fetching);

    expect(errors).toEqual([]);
    const expected = Array.from({ length: SENDERS }, (_, s) => Array.from({ length: EACH }, (_, n) => `${s}:${n}`))
      .flat()
      .sort();
    for (const got of received) {
      expect(got).toHaveLength(SENDERS * EACH);
      expect([...got].sort()).toEqual(expected);
      // Each sender's messages arrive in the order they were sent (oldest unread first).
      for (let s = 0; s < SENDERS; s++) {
        const mine = got.filter((m) => m.startsWith(`${s}:`)).map((m) => Number(m.split(':')[1]));
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      }
    }
    // Reported, not asserted: how often a mailbox was full and a sender waited.
    console.log(`concurrency: ${fullRetries} sends retried on a full mailbox`);
  }, 180_000);
});
