// waitFor: a wait never drops what an attempt already took. A timeout or an abort that comes while an attempt is in
// flight waits for it and returns its messages; after an abort no new attempt starts.
import path from 'node:path';

import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';

import { waitFor } from '../src/server/wait.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Reader, Store } from '../src/store/store.js';
import { postgres, testDatabase } from './helpers/postgres.js';
import { tempDir } from './helpers/temp.js';

/** Just enough of a Store for waitFor: change events the test fires. */
function changes() {
  const listeners = new Set<() => void>();
  const store = {
    onChange(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as Store;
  return {
    store,
    fire: () => listeners.forEach((l) => l()),
    get listening() {
      return listeners.size;
    },
  };
}

/** Attempts that stay in flight until the test answers them. */
function gatedAttempts<T>() {
  const pending: { resolve: (value: T[]) => void; signal: AbortSignal | undefined }[] = [];
  return {
    attempt: (signal: AbortSignal | undefined) => new Promise<T[]>((resolve) => pending.push({ resolve, signal })),
    pending,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('waitFor', () => {
  it('returns what an attempt in flight at the timeout brings, instead of dropping it (16.2)', async () => {
    vi.useFakeTimers();
    const events = changes();
    const { store, fire } = events;
    const { attempt, pending } = gatedAttempts<string>();
    const waiting = waitFor(store, attempt, { timeoutMs: 20 });
    expect(events.listening).toBe(1);
    pending.shift()!.resolve([]);
    await vi.advanceTimersByTimeAsync(5);
    fire(); // a message arrives: the second attempt starts, and is slow
    expect(pending).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50); // the timeout passes while it runs
    pending.shift()!.resolve(['marked read by the attempt']);
    await expect(waiting).resolves.toEqual(['marked read by the attempt']);
    expect(events.listening).toBe(0);
  });

  it('on abort waits for the attempt in flight (which was given the signal) and starts no other', async () => {
    const { store, fire } = changes();
    const { attempt, pending } = gatedAttempts<string>();
    const controller = new AbortController();
    const waiting = waitFor(store, attempt, { timeoutMs: 60_000, signal: controller.signal });
    expect(pending[0]!.signal).toBe(controller.signal);
    fire();
    controller.abort();
    let done = false;
    void waiting.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    pending.shift()!.resolve([]);
    await expect(waiting).resolves.toEqual([]);
    // The follow-up asked for by fire() never ran: it would have marked mail for a caller that is gone.
    expect(pending).toHaveLength(0);
  });

  it('never starts an attempt for a signal already aborted', async () => {
    const { store } = changes();
    const { attempt, pending } = gatedAttempts<string>();
    const controller = new AbortController();
    controller.abort();
    await expect(waitFor(store, attempt, { timeoutMs: 1_000, signal: controller.signal })).resolves.toEqual([]);
    expect(pending).toHaveLength(0);
  });

  it('rejects when an attempt fails, and stops listening', async () => {
    const events = changes();
    await expect(
      waitFor(events.store, () => Promise.reject(new Error('store gone')), { timeoutMs: 1_000 }),
    ).rejects.toThrow('store gone');
    expect(events.listening).toBe(0);
  });
});

/** Both backends (PostgreSQL when the run has a server), each a fresh store and a second handle as another process. */
const backends: { name: string; open: () => Promise<{ reader: Store; sender: Store }> }[] = [
  {
    name: 'sqlite',
    open: async () => {
      const file = path.join(tempDir(), 'relay.db');
      const reader = openSqliteStore(file, { pollMs: 60_000 });
      const sender = openSqliteStore(file, { pollMs: 60_000 });
      onTestFinished(async () => {
        await reader.close();
        await sender.close();
      });
      return { reader, sender };
    },
  },
  ...(postgres.adminUrl === null
    ? []
    : [
        {
          name: 'postgres',
          open: async () => {
            const db = await testDatabase();
            return { reader: await db.open(), sender: await db.open() };
          },
        },
      ]),
];
if (postgres.adminUrl === null) {
  describe('waitFor on PostgreSQL', () => it.skip(`SKIPPED: ${postgres.reason}`, () => {}));
}

describe.each(backends)('short waits in a loop while another process sends: $name', ({ open }) => {
  it('returns every message marked read, exactly once (16.2)', async () => {
    const { reader, sender } = await open();
    const CODE: Reader = { kind: 'code', name: null };
    const total = 150;
    const received: number[] = [];
    let sent = 0;
    const sending = (async () => {
      for (; sent < total; sent++) await sender.send({ sender: 'desktop', message: `m${sent}` });
    })();
    for (let round = 0; received.length < total; round++) {
      const finished = sent === total;
      const batch = await waitFor(reader, () => reader.fetch({ reader: CODE, limit: 5, unreadOnly: true }), {
        timeoutMs: 20 + (round % 4) * 10,
      });
      received.push(...batch.map((m) => Number(m.message.slice(1))));
      // Once everything is sent, an empty wait means nothing is unread: what is missing by then was lost.
      if (finished && batch.length === 0) break;
    }
    await sending;
    expect(received).toEqual([...Array(total).keys()]);
    expect(await reader.fetch({ reader: CODE, limit: 20, unreadOnly: true })).toEqual([]);
  });
});
