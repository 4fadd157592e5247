// `npm run soak`: a long run (default 5 minutes; not part of CI) of many short-lived relay sessions (kinds "cursor"
// and "codex") sending to Desktop and Code while no Desktop or Code session is live, so every message waits in the
// kind's shared mailbox, which two long-lived relays without --client fetch (and now and then a third competes):
// each message must be taken exactly once across processes. Sender processes are ended at random: stdin closed,
// SIGTERM, or SIGKILL with sends in flight. At the end every acknowledged message must have been delivered exactly
// once, no message twice, no error but "full" surfaced to a client, the file must pass integrity_check, and the
// long-lived relays' memory must not have grown without bound. Prints a summary; exits 1 on any violation.
// Run: `npm run soak -- --seconds 60 --senders 4`. Writes only to a temp directory, removed at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3';

import { now, rssKiB, sleep } from './lib/measure.mjs';
import { killAll, spawnServer } from './lib/rpc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    senders: { type: 'string', default: '6' },
    seed: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const senderSlots = Number(values.senders);

// A small seeded generator, so a failing run can be repeated with --seed.
let state = Number(values.seed ?? Date.now() % 2 ** 31) >>> 0;
const seed = state;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const pick = (items) => items[Math.floor(random() * items.length)];

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-soak-'));
const env = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' };
/** A sender session of `kind`, or with no kind a relay outside any session (it reads the kinds' shared mailboxes). */
const relay = (kind) => spawnServer([cli, ...(kind === undefined ? [] : ['--client', kind]), '--no-notify'], { env });
const text = (result) => JSON.parse(result.content[0].text);

const stats = {
  processes: 0,
  ends: { stdin: 0, SIGTERM: 0, SIGKILL: 0 },
  acknowledged: 0,
  refusedFull: 0,
  unacknowledged: 0,
  errors: [],
};
const acknowledged = { desktop: new Set(), code: new Set() }; // by reader
const delivered = { desktop: new Map(), code: new Map() }; // tag -> times delivered
let stopping = false;

function body(tag) {
  // Mostly short texts, sometimes large ones near the 64 KB limit, with characters that must survive unchanged.
  const codePoints = random() < 0.05 ? 38_000 : Math.floor(random() * 300); // 38,000 of these are ~60 KB
  const pattern = Array.from('é"\\\n\u0000🚀x');
  return `${tag} ${Array.from({ length: codePoints }, (_, i) => pattern[i % pattern.length]).join('')}`;
}

async function senderSlot(slot) {
  for (let generation = 0; !stopping; generation++) {
    const server = relay(pick(['cursor', 'codex']));
    stats.processes++;
    try {
      await server.ready;
    } catch (error) {
      stats.errors.push(`start: ${error.message}`);
      continue;
    }
    const count = 1 + Math.floor(random() * 200);
    const ending = pick(['stdin', 'SIGTERM', 'SIGKILL']);
    const killAt = ending === 'SIGKILL' ? Math.floor(random() * count) : -1;
    let n = 0;
    const lane = async () => {
      while (!stopping && n < count) {
        const tag = `s${slot}.${generation}.${n++}`;
        const to = pick(['desktop', 'code']);
        if (n - 1 === killAt) server.kill('SIGKILL');
        try {
          const reply = text(await server.tool('relay_send', { message: body(tag), to }));
          if (reply.ok) {
            acknowledged[to].add(tag);
            stats.acknowledged++;
          } else if (/unread messages \(the limit\)/.test(reply.error)) stats.refusedFull++;
          else stats.errors.push(`send: ${reply.error}`);
        } catch {
          stats.unacknowledged++; // in flight when the process died: may or may not have been stored
          return;
        }
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]); // four requests in flight at a time
    stats.ends[ending]++;
    if (ending === 'stdin') await server.close();
    else await server.kill(ending);
  }
}

async function fetcher(kind, servers) {
  let idle = 0;
  for (;;) {
    const server = servers[kind];
    let reply;
    try {
      reply = text(await server.tool('relay_fetch', { reader: kind, limit: 20 }));
    } catch (error) {
      stats.errors.push(`fetch: ${error.message}`);
      return;
    }
    if (!reply.ok) {
      stats.errors.push(`fetch: ${reply.error}`);
      continue;
    }
    for (const m of reply.messages) {
      const tag = m.message.slice(0, m.message.indexOf(' '));
      delivered[kind].set(tag, (delivered[kind].get(tag) ?? 0) + 1);
    }
    if (reply.messages.length === 0) {
      if (stopping && ++idle > 50) return;
      await sleep(stopping ? 20 : 5);
    } else idle = 0;
  }
}

/** A second fetcher process for the same reader, now and then: delivery must stay exactly-once across processes. */
async function rivalFetcher() {
  while (!stopping) {
    await sleep(2_000 + random() * 3_000);
    const kind = pick(['desktop', 'code']);
    const server = relay();
    try {
      await server.ready;
      for (let i = 0; i < 20; i++) {
        const reply = text(await server.tool('relay_fetch', { reader: kind, limit: 5 }));
        for (const m of reply.messages ?? []) {
          const tag = m.message.slice(0, m.message.indexOf(' '));
          delivered[kind].set(tag, (delivered[kind].get(tag) ?? 0) + 1);
        }
      }
    } catch (error) {
      stats.errors.push(`rival fetch: ${error.message}`);
    }
    await server.close();
  }
}

async function main() {
  // The buffer exists before the relays start together (on a new file they can race to switch it to WAL).
  const first = relay();
  await first.ready;
  await first.close();
  const servers = { desktop: relay(), code: relay() };
  await Promise.all(Object.values(servers).map((s) => s.ready));
  const fetching = [fetcher('desktop', servers), fetcher('code', servers)];
  await sleep(1_000);
  const rssStart = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, rssKiB(s.pid)]));
  const started = now();
  process.stderr.write(`soak: ${seconds} s, ${senderSlots} sender slots, seed ${seed}, in ${home}\n`);
  const progress = setInterval(() => {
    const rss = Object.values(servers)
      .map((s) => `${(rssKiB(s.pid) / 1024).toFixed(0)} MiB`)
      .join(' / ');
    process.stderr.write(
      `soak: ${((now() - started) / 1000).toFixed(0)} s, ${stats.processes} processes, ${stats.acknowledged} acknowledged, fetchers' ` +
        `RSS ${rss}\n`,
    );
  }, 30_000);
  const senders = Array.from({ length: senderSlots }, (_, slot) => senderSlot(slot));
  const rival = rivalFetcher();
  await sleep(seconds * 1_000);
  stopping = true;
  await Promise.all([...senders, rival]);
  await Promise.all(fetching);
  clearInterval(progress);
  const rssEnd = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, rssKiB(s.pid)]));
  await Promise.all(Object.values(servers).map((s) => s.close()));

  const violations = [];
  for (const reader of ['desktop', 'code']) {
    for (const tag of acknowledged[reader])
      if (!delivered[reader].has(tag)) violations.push(`lost: ${tag} for ${reader}`);
    for (const [tag, times] of delivered[reader])
      if (times > 1) violations.push(`delivered ${times} times: ${tag} to ${reader}`);
  }
  const extra = ['desktop', 'code'].reduce(
    (sum, r) => sum + [...delivered[r].keys()].filter((t) => !acknowledged[r].has(t)).length,
    0,
  );
  if (extra > stats.unacknowledged)
    violations.push(
      `${extra} delivered messages were never sent (only ${stats.unacknowledged} were in flight at a kill)`,
    );
  for (const error of stats.errors) violations.push(`error: ${error}`);
  const db = new Database(path.join(home, '.relay_buffer.db'), { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  db.close();
  if (integrity !== 'ok') violations.push(`integrity_check: ${integrity}`);
  for (const kind of ['desktop', 'code']) {
    // A leak shows as steady growth; allow for heap warm-up and V8's lazy collection.
    if (rssEnd[kind] > rssStart[kind] * 1.5 + 20_000)
      violations.push(`${kind} fetcher grew from ${rssStart[kind]} to ${rssEnd[kind]} KiB`);
  }

  const summary = {
    seconds,
    seed,
    senderProcesses: stats.processes,
    endedBy: stats.ends,
    acknowledged: stats.acknowledged,
    deliveredUnacknowledged: extra,
    inFlightAtKill: stats.unacknowledged,
    refusedFull: stats.refusedFull,
    rssKiB: { start: rssStart, end: rssEnd },
    integrity,
    violations: violations.slice(0, 50),
    violationCount: violations.length,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return violations.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} finally {
  killAll();
  fs.rmSync(home, { recursive: true, force: true });
}
