// Notification leases across real relay processes (16.8): a relay killed while it holds leases on a burst loses at
// most the notice it was showing; the rest is shown by the relay that survives, or by one started later, and no
// message is ever shown twice.
import fs from 'node:fs';
import path from 'node:path';

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it, onTestFinished, vi } from 'vitest';

import { openSqliteStore } from '../src/store/sqlite/store.js';
import { type FakeBin, fakeBin } from './helpers/fakes.js';
import { spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const isLinux = process.platform === 'linux';
const BURST = 12;

/** notify-send's argv ends with `-- TITLE BODY`; a summary's body holds one line per message. */
function shownLines(fake: FakeBin, into: string[]): void {
  for (const r of fake.take()) {
    if (r.program !== 'notify-send') continue;
    const argv = r.argv.map((a) => a.toString('utf8'));
    into.push(...(argv[argv.indexOf('--') + 2] ?? '').split('\n'));
  }
}

/** A notify-send that records its call, then hangs (as a stuck notification daemon would) until killed. */
function hangingNotifier(): FakeBin & { pids: string } {
  const fake = fakeBin();
  fake.add('notify-send');
  const recorder = fs.readFileSync(path.join(fake.bin, 'notify-send'), 'utf8').split('\n').slice(1).join('\n');
  const pids = path.join(tempDir('relay-pids-'), 'pids');
  fake.addScript('notify-send', `${recorder}\necho $$ >> '${pids}'\nexec sleep 60`);
  onTestFinished(() => {
    for (const pid of fs.existsSync(pids) ? fs.readFileSync(pids, 'utf8').split('\n') : []) {
      try {
        if (pid !== '') process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
  return { ...fake, pids };
}

async function kill(relay: { client: Client; transport: { pid: number | null } }): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    relay.client.onclose = () => resolve();
  });
  process.kill(relay.transport.pid!, 'SIGKILL');
  await closed; // the process is reaped: its pid is gone
}

async function burst(home: string, extra: string[] = []): Promise<void> {
  const store = openSqliteStore(path.join(home, '.relay_buffer.db'));
  try {
    for (let i = 0; i < BURST; i++) await store.send({ sender: 'code', from: null, message: `burst ${i}` });
    for (const message of extra) await store.send({ sender: 'code', from: null, message });
  } finally {
    await store.close();
  }
}

/** A notifying Desktop relay that leased a whole burst, showed the first notice and hangs on it. */
async function relayShowingABurst(home: string) {
  const dying = hangingNotifier();
  const doomed = await spawnClient(['--client', 'desktop', '--notify'], home, {
    PATH: `${dying.bin}:${process.env.PATH}`,
  });
  await burst(home);
  const shownByDead: string[] = [];
  await vi.waitUntil(() => (shownLines(dying, shownByDead), shownByDead.length > 0), { timeout: 20_000, interval: 20 });
  return { dying, doomed, shownByDead };
}

const expected = (extra: string[] = []) => [...Array.from({ length: BURST }, (_, i) => `burst ${i}`), ...extra].sort();

describe.runIf(isLinux)('notification leases when a notifying relay dies', () => {
  it('the surviving relay shows what the killed one had leased, at the next change; nothing twice', async () => {
    const home = tempDir();
    const { dying, doomed, shownByDead } = await relayShowingABurst(home);
    const survivor = fakeBin();
    survivor.add('notify-send');
    const alive = await spawnClient(['--client', 'desktop', '--name', 'second', '--notify'], home, {
      PATH: `${survivor.bin}:${process.env.PATH}`,
    });
    await kill(doomed);
    // The next change wakes the survivor, which finds the dead relay's leases free.
    await burst(home, ['after the crash']);
    const shown: string[] = [];
    await vi.waitUntil(() => (shownLines(survivor, shown), shown.length + shownByDead.length >= 2 * BURST + 1), {
      timeout: 20_000,
      interval: 50,
    });
    shownLines(dying, shownByDead);
    expect(shownByDead).toHaveLength(1);
    expect([...shownByDead, ...shown].sort()).toEqual([...expected(), ...expected(['after the crash'])].sort());
    await alive.client.close();
  });

  it('a relay started after the killed one shows the rest of its burst once', async () => {
    const home = tempDir();
    const { dying, doomed, shownByDead } = await relayShowingABurst(home);
    const later = fakeBin();
    later.add('notify-send');
    await kill(doomed);
    await spawnClient(['--client', 'desktop', '--notify'], home, { PATH: `${later.bin}:${process.env.PATH}` });
    const shown: string[] = [];
    await vi.waitUntil(() => (shownLines(later, shown), shown.length >= BURST - 1), { timeout: 20_000, interval: 50 });
    shownLines(dying, shownByDead);
    expect([...shownByDead, ...shown].sort()).toEqual(expected());
  });
});
