// Arrival notices end to end: real relay processes over one database, a recording fake notify-send on PATH.
// Each message is notified once in total, whichever processes run; a backlog is notified at the next start, once.
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, vi } from 'vitest';

import { type NoticeMessage, noticesFor, type NoticeSource, startArrivalNotices } from '../src/notify/arrivals.js';
import type { Notification, Notifier } from '../src/notify/notification.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { RelayMessage } from '../src/store/store.js';
import { type FakeBin, fakeBin, NASTY, recordingLogger } from './helpers/fakes.js';
import { spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const isLinux = process.platform === 'linux';

/** Waits until the fake has recorded `count` notify-send calls (or the deadline passes), then a little longer. */
async function collect(fake: FakeBin, count: number, settleMs = 800): Promise<string[][]> {
  const seen: string[][] = [];
  const deadline = Date.now() + 20_000;
  while (seen.length < count && Date.now() < deadline) {
    for (const r of fake.take()) if (r.program === 'notify-send') seen.push(r.argv.map((a) => a.toString('utf8')));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  for (const r of fake.take()) if (r.program === 'notify-send') seen.push(r.argv.map((a) => a.toString('utf8')));
  return seen;
}

/** notify-send's argv ends with `-- TITLE BODY`. */
const titleAndBody = (argv: string[]) => argv.slice(argv.indexOf('--') + 1);

describe.runIf(isLinux)('arrival notifications across relay processes', () => {
  it('notifies each of 50 messages exactly once with three notifying relays running', async () => {
    const home = tempDir();
    const fake = fakeBin();
    fake.add('notify-send');
    const env = { PATH: `${fake.bin}:${process.env.PATH ?? ''}` };
    await spawnClient(['--client', 'desktop'], home, env);
    await spawnClient(['--client', 'code', '--name', 'api', '--notify'], home, env);
    await spawnClient(['--client', 'code', '--name', 'web', '--notify'], home, env);
    const store = openSqliteStore(path.join(home, '.relay_buffer.db'));
    try {
      for (let i = 0; i < 50; i++) {
        await store.send({ sender: i % 2 === 0 ? 'code' : 'desktop', from: null, message: `message number ${i}` });
      }
    } finally {
      await store.close();
    }
    const calls = await collect(fake, 50);
    const bodies = calls.map((argv) => titleAndBody(argv)[1]);
    expect(bodies.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `message number ${i}`).sort());
    const titles = new Set(calls.map((argv) => titleAndBody(argv)[0]));
    expect(titles).toEqual(new Set(['New message for Desktop from Code', 'New message for Code from Desktop']));
  });

  it('notifies mail that came while no relay ran at the next start, and never again', async () => {
    const home = tempDir();
    const fake = fakeBin();
    fake.add('notify-send');
    const env = { PATH: `${fake.bin}:${process.env.PATH ?? ''}` };
    const store = openSqliteStore(path.join(home, '.relay_buffer.db'));
    await store.send({ sender: 'code', message: 'read before any relay started, so no notice' });
    await store.fetch({ reader: { kind: 'desktop', name: null }, limit: 1, unreadOnly: true });
    await store.send({ sender: 'code', message: 'while you were away' });
    await store.close();
    const first = await spawnClient(['--client', 'desktop'], home, env);
    const calls = await collect(fake, 1);
    expect(calls.map((argv) => titleAndBody(argv))).toEqual([
      ['New message for Desktop from Code', 'while you were away'],
    ]);
    await first.client.close();
    await spawnClient(['--client', 'desktop'], home, env);
    expect(await collect(fake, 0, 1_000)).toEqual([]);
  });

  it('passes hostile message text to notify-send as data through the whole relay: nothing runs', async () => {
    const home = tempDir();
    const fake = fakeBin();
    fake.add('notify-send');
    const env = { PATH: `${fake.bin}:${process.env.PATH ?? ''}` };
    await spawnClient(['--client', 'desktop'], home, env);
    const code = await spawnClient(['--client', 'code', '--no-notify'], home, env);
    for (const text of NASTY) await code.client.callTool({ name: 'relay_send', arguments: { message: text } });
    const calls = await collect(fake, NASTY.length);
    expect(calls).toHaveLength(NASTY.length);
    for (const argv of calls) {
      expect(argv).toContain('--app-name=relay');
      expect(titleAndBody(argv)).toHaveLength(2);
    }
    // The texts without characters notify-send treats as markup or escapes arrive verbatim.
    const plain = NASTY.filter((t) => !/[&<>\\]/.test(t)).map((t) => t.trim());
    expect(
      calls
        .map((argv) => titleAndBody(argv)[1])
        .filter((b) => plain.includes(b as string))
        .sort(),
    ).toEqual([...plain].sort());
    for (const dir of [home, process.cwd()]) expect(fs.existsSync(path.join(dir, 'PWNED'))).toBe(false);
  });
});

describe('notices for a start-up backlog', () => {
  const message = (id: number, to: string, text: string): RelayMessage => ({
    id,
    sender: to === 'desktop' ? 'code' : 'desktop',
    from: to === 'desktop' ? 'api' : 'desktop',
    to,
    message: text,
    timestamp: '2026-11-25T10:00:00.000000+00:00',
    read_by_desktop_at: null,
    read_by_code_at: null,
    reply_to: null,
  });

  it('shows up to three one by one, and more as one summary per recipient', () => {
    const few = [message(1, 'code', 'a'), message(2, 'desktop', 'b')];
    expect(noticesFor(few, true).map((n) => n.title)).toEqual([
      'New message for Code from Desktop',
      'New message for Desktop from Code (api)',
    ]);
    const many = [1, 2, 3, 4].map((i) => message(i, 'code', `line ${i}\nmore`)).concat([message(5, 'desktop', 'solo')]);
    expect(noticesFor(many, true)).toEqual([
      { title: '4 new messages for Code from Desktop', body: 'line 1\nline 2\nline 3\nline 4' },
      { title: 'New message for Desktop from Code (api)', body: 'solo' },
    ]);
    expect(noticesFor(many, false)).toHaveLength(5);
  });
});

describe('the notice loop', () => {
  const notice = (id: number, to = 'code'): NoticeMessage => ({
    id,
    sender: 'desktop',
    from: 'desktop',
    to,
    message: `m${id}`,
  });

  /** A source serving `batches` one lease at a time, confirming what `confirmable` allows; events in order. */
  function fakeSource(
    batches: { messages: NoticeMessage[]; retryAt: string | null }[],
    confirmable: (id: number) => boolean,
  ) {
    const events: string[] = [];
    let wake = () => {};
    const source: NoticeSource = {
      lease: async () => {
        events.push('lease');
        return batches.shift() ?? { messages: [], retryAt: null };
      },
      confirm: async (ids) => {
        events.push(`confirm ${ids.join(',')}`);
        return ids.filter(confirmable);
      },
      onChange: (w) => {
        wake = w;
        return () => (wake = () => {});
      },
    };
    const shown: Notification[] = [];
    const notifier: Notifier = {
      notify: async (n) => {
        events.push(`show ${n.title.startsWith('New') ? n.body : n.title}`);
        shown.push(n);
        await new Promise((r) => setImmediate(r));
      },
      describe: () => 'fake',
    };
    return { source, notifier, events, shown, wake: () => wake() };
  }

  it('confirms each notice right before showing it, and shows only what was confirmed', async () => {
    const fake = fakeSource([{ messages: [notice(1), notice(2), notice(3)], retryAt: null }], (id) => id !== 2);
    const stop = startArrivalNotices({ source: fake.source, notifier: fake.notifier, log: recordingLogger() });
    await vi.waitUntil(() => fake.events.includes('show m3'));
    stop();
    expect(fake.events).toEqual(['lease', 'confirm 1', 'show m1', 'confirm 2', 'confirm 3', 'show m3']);
  });

  it('summarizes a start-up backlog from the confirmed messages only', async () => {
    const backlog = [1, 2, 3, 4, 5].map((id) => notice(id));
    const fake = fakeSource([{ messages: backlog, retryAt: null }], (id) => id % 2 === 1);
    const stop = startArrivalNotices({ source: fake.source, notifier: fake.notifier, log: recordingLogger() });
    await vi.waitUntil(() => fake.shown.length === 1);
    stop();
    expect(fake.shown[0]).toEqual({ title: '3 new messages for Code from Desktop', body: 'm1\nm3\nm5' });
  });

  it('leases again when leases held by others expire, without any change event', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeSource(
        [
          { messages: [], retryAt: new Date(Date.now() + 30_000).toISOString() },
          { messages: [notice(7)], retryAt: null },
        ],
        () => true,
      );
      const stop = startArrivalNotices({ source: fake.source, notifier: fake.notifier, log: recordingLogger() });
      await vi.advanceTimersByTimeAsync(29_000);
      expect(fake.events).toEqual(['lease']);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(fake.events).toEqual(['lease', 'lease', 'confirm 7', 'show m7']);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
