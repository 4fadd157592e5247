// Concurrency through real processes: 8 relays each sending 500 messages while 4 Desktop sessions fetch. Every
// message reaches each of the 4 addressees exactly once; nothing is lost or duplicated; no SQLITE_BUSY (or any
// other error) reaches a client. A send refused because a mailbox is full is retried, as a client would.
// Run on the SQLite file and on PostgreSQL (when the run has a PostgreSQL server).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import { postgres, testDatabase } from '../helpers/postgres.js';
import { body } from '../helpers/server.js';
import { spawnClient } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

const SENDERS = 8;
const EACH = 500;
const FETCHERS = 4;

const backends = [
  { name: 'sqlite', db: async (): Promise<string[]> => [] },
  ...(postgres.adminUrl === null ? [] : [{ name: 'postgres', db: async () => ['--db', (await testDatabase()).url] }]),
];

describe.each(backends)('concurrency ($name)', ({ db }) => {
  it(`delivers ${SENDERS} × ${EACH} concurrent sends to each of ${FETCHERS} fetching sessions exactly once`, async () => {
    const home = tempDir();
    const dbArgs = await db();
    const spawn = (kind: string, name: string) =>
      spawnClient(['--client', kind, '--name', name, '--no-notify', ...dbArgs], home);
    const fetchers = await Promise.all(Array.from({ length: FETCHERS }, (_, i) => spawn('desktop', `desk${i}`)));
    const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => spawn('cursor', `send${i}`)));
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
