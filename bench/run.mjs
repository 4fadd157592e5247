// `npm run bench`: relay's performance figures, each beside a floor measured in the same run, printed as ONE table
// on stdout and written to bench/results.json. Progress goes to stderr. Absolute times are noisy on a shared
// machine; the ratios are what we compare.
//
// A figure is one entry in `figures` below: an id, a name, a target, and `run()` returning a row (see `row`).
// A figure that cannot be measured (here, or yet) returns `{ unavailable: reason }` from its run: never a made-up number.
// It spawns only the built CLI (dist/cli.js) and bench/fixtures, and writes only to temp directories (removed at the
// end), bench/results.json, and a bundle of src/ for the in-process figures (bench/lib/inprocess.mjs). Run `node
// bench/run.mjs --only id,id` to run some figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { relayModules } from './lib/inprocess.mjs';
import { alive, cpuSeconds, median, ms, now, percentile, rssKiB, sleep, waitGone } from './lib/measure.mjs';
import { fifo, killAll, spawnServer } from './lib/rpc.mjs';
import { openUiPage, uiUnavailable } from './lib/ui.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const cli = path.join(root, 'dist', 'cli.js');
const trivial = path.join(here, 'fixtures', 'trivial-server.mjs');

// ---------------------------------------------------------------------------------------------------------------
// Context shared by the figures: temp homes, environments, spawning relay and the floor server.

const temps = [];
function tempDir(prefix = 'relay-bench-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
function cleanTemps() {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

const env = (home, driver) => ({
  HOME: home,
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  ...(driver === undefined ? {} : { RELAY_SQLITE_DRIVER: driver }),
});

/**
 * A temp HOME whose ~/.relay_buffer.db already exists, as on any machine after the first start. (Relays that start
 * at the same moment on a new file can fail: `PRAGMA journal_mode = WAL` then meets SQLITE_BUSY without waiting.)
 */
async function relayHome() {
  const home = tempDir();
  const { openSqliteStore } = await relayModules();
  await openSqliteStore(path.join(home, '.relay_buffer.db')).close();
  return home;
}

/**
 * A spawned relay on `home`'s ~/.relay_buffer.db; desktop notifications off unless `notify` (they are Desktop's
 * default). `node` and `driver` (RELAY_SQLITE_DRIVER) for the drivers figure.
 */
const relay = (home, args = ['--client', 'code'], { notify = false, node, driver } = {}) =>
  spawnServer([cli, ...args, ...(notify ? [] : ['--no-notify'])], { env: env(home, driver), node });
/** A kind's shared mailbox (where messages wait while no session of that kind is live). */
const mailbox = (kind) => ({ kind, name: null });
/** The floor: a trivial MCP SDK server with one `echo` tool. */
const floorServer = (home) => spawnServer([trivial], { env: env(home), cwd: root });

const text = (result) => JSON.parse(result.content[0].text);

/** Times `body` `count` times after `warmup` untimed runs; returns the durations in ms. */
async function timeEach(count, warmup, body) {
  for (let i = 0; i < warmup; i++) await body(i);
  const times = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = now();
    await body(i);
    times[i] = now() - start;
  }
  return times;
}

// ---------------------------------------------------------------------------------------------------------------
// Rows. `measured` and `floor` are display strings; `ratio` is measured/floor (null when it means nothing); `pass`
// is true/false against the target, or null when the figure only reports; `data` goes to results.json.

function row({ measured, floor = '—', ratio = null, pass = null, data = {} }) {
  return { measured, floor, ratio, pass, data };
}

// ---------------------------------------------------------------------------------------------------------------
// The figures.

async function coldStart() {
  const home = await relayHome();
  // Claude starts relay on an existing buffer (relayHome made it): every timed start opens, not creates.
  const relayTimes = [];
  const floorTimes = [];
  for (let i = 0; i < 15; i++) {
    // Interleaved, so machine noise hits both alike.
    for (const [spawnOne, times] of [
      [relay, relayTimes],
      [floorServer, floorTimes],
    ]) {
      const server = spawnOne(home);
      times.push((await server.ready).ms);
      await server.kill();
    }
  }
  const r = median(relayTimes);
  const f = median(floorTimes);
  return row({
    measured: ms(r),
    floor: ms(f),
    ratio: r / f,
    pass: r / f <= 1.6,
    data: { relayMs: relayTimes, floorMs: floorTimes },
  });
}

async function roundTrip() {
  const home = await relayHome();
  const server = relay(home, ['--client', 'desktop']);
  const floor = floorServer(home);
  await Promise.all([server.ready, floor.ready]);
  let mismatches = 0;
  const relayTimes = await timeEach(2_000, 200, async (i) => {
    const message = `round trip ${i}`;
    await server.tool('relay_send', { message });
    const got = text(await server.tool('relay_fetch', { reader: 'code', limit: 1 }));
    if (got.messages?.[0]?.message !== message) mismatches++;
  });
  // The floor does the same two requests per round trip: one to put the text, one to get it back.
  const floorTimes = await timeEach(2_000, 200, async (i) => {
    await floor.tool('echo', { text: `round trip ${i}` });
    await floor.tool('echo', { text: `round trip ${i}` });
  });
  await Promise.all([server.close(), floor.close()]);
  if (mismatches > 0) throw new Error(`${mismatches} round trips did not get back the message just sent`);
  const [r50, r99, f50, f99] = [
    median(relayTimes),
    percentile(relayTimes, 99),
    median(floorTimes),
    percentile(floorTimes, 99),
  ];
  const ratio = Math.max(r50 / f50, r99 / f99);
  return row({
    measured: `${ms(r50)} / p99 ${ms(r99)}`,
    floor: `${ms(f50)} / p99 ${ms(f99)}`,
    ratio,
    pass: ratio <= 1.5,
    data: {
      medianMs: r50,
      p99Ms: r99,
      floorMedianMs: f50,
      floorP99Ms: f99,
      ratioMedian: r50 / f50,
      ratioP99: r99 / f99,
    },
  });
}

/** The store alone, in this process: where the round trip's time goes, with and without history pruning. */
async function storeAlone() {
  const { openSqliteStore } = await relayModules();
  const dir = tempDir();
  const measure = async (name, options) => {
    const store = openSqliteStore(path.join(dir, `${name}.db`), options);
    const roundTrip = async (i) => {
      await store.send({ sender: 'desktop', message: `round trip ${i}` });
      await store.fetch({ reader: mailbox('code'), limit: 1, unreadOnly: true });
    };
    // 300 untimed round trips first: the history is then at its steady size (keepRead read messages).
    const times = await timeEach(3_000, 300, roundTrip);
    await store.close();
    return { median: median(times), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / times.length };
  };
  const pruning = await measure('default', {});
  const keepAll = await measure('keep-all', { keepRead: Infinity });
  const us = (v) => `${Math.round(v * 1000)} µs`;
  return row({
    measured: `${us(pruning.median)} / p99 ${us(pruning.p99)}`,
    floor: `${us(keepAll.median)} / p99 ${us(keepAll.p99)}`,
    ratio: pruning.median / keepAll.median,
    data: { keepRead200: pruning, keepReadInfinity: keepAll },
  });
}

/**
 * relay_search's store call on a full buffer: 3,000 messages of mixed text (LIMITS.maxUnread unread plus history),
 * a word found in none of them (the whole buffer is looked at: the worst case), and a word in every tenth (the
 * newest ten hits). Floor: latest(10) on the same buffer.
 */
async function searchBuffer() {
  const { openSqliteStore } = await relayModules();
  const store = openSqliteStore(path.join(tempDir(), 'search.db'), { keepRead: Infinity, maxUnread: Infinity });
  const words = ['parser', 'migration', 'Straße', 'café', 'deploy', 'review', 'flaky', 'build', 'token', 'cache'];
  for (let i = 0; i < 3_000; i++) {
    const some = Array.from({ length: 12 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
    const extra = i % 10 === 0 ? ' needle' : '';
    const cjk = i % 3 === 0 ? ' 中文消息测试，请看一下' : '';
    await store.send({ sender: i % 2 ? 'code' : 'desktop', message: `Message ${i}: ${some}${cjk}${extra}, thanks.` });
  }
  const none = await timeEach(50, 5, () => store.search('nowhere', 10));
  const some = await timeEach(50, 5, () => store.search('needle', 10));
  const floor = await timeEach(50, 5, () => store.latest(10));
  await store.close();
  const f = (v) => `${v.toFixed(2)} ms`;
  return row({
    measured: `no hit ${f(median(none))} / 10 hits ${f(median(some))}`,
    floor: f(median(floor)),
    ratio: median(none) / median(floor),
    data: { noHitMs: median(none), tenHitsMs: median(some), latestMs: median(floor), messages: 3_000 },
  });
}

async function sendsPerSecond() {
  const home = await relayHome();
  const server = relay(home, ['--client', 'desktop']);
  const floor = floorServer(home);
  await Promise.all([server.ready, floor.ready]);
  const total = 6_000;
  const batch = 900; // below the 1,000-unread cap; the buffer is cleared (untimed) between batches
  let relayMs = 0;
  let errors = 0;
  for (let i = 0; i < 100; i++) await server.tool('relay_send', { message: `warm-up ${i}` });
  for (let done = 0; done < total; done += batch) {
    await server.tool('relay_clear');
    const start = now();
    for (let i = done; i < Math.min(total, done + batch); i++) {
      const result = await server.tool('relay_send', { message: `message number ${i} for the bench` });
      if (result.isError) errors++;
    }
    relayMs += now() - start;
  }
  for (let i = 0; i < 100; i++) await floor.tool('echo', { text: `warm-up ${i}` });
  const start = now();
  for (let i = 0; i < total; i++) await floor.tool('echo', { text: `message number ${i} for the bench` });
  const floorMs = now() - start;
  await Promise.all([server.close(), floor.close()]);
  if (errors > 0) throw new Error(`${errors} sends failed`);
  const rate = (total / relayMs) * 1000;
  const floorRate = (total / floorMs) * 1000;
  return row({
    measured: `${Math.round(rate).toLocaleString('en-US')}/s`,
    floor: `${Math.round(floorRate).toLocaleString('en-US')}/s`,
    ratio: floorRate / rate,
    pass: rate >= 3_000,
    data: { sends: total, perSecond: rate, floorPerSecond: floorRate },
  });
}

async function idleCpu() {
  const home = await relayHome();
  // Each as Claude starts it: Desktop with its default desktop notifications, which watch the store for arrivals.
  const servers = {
    code: relay(home, ['--client', 'code']),
    desktop: relay(home, ['--client', 'desktop'], { notify: true }),
    floor: floorServer(home),
  };
  await Promise.all(Object.values(servers).map((s) => s.ready));
  // One call each, so the measured window starts after the first request's lazy work, as in a real session.
  await servers.code.tool('relay_fetch');
  await servers.desktop.tool('relay_fetch');
  await servers.floor.tool('echo', { text: 'x' });
  await sleep(10_000); // past start-up's background work (lazy compilation, V8's idle-time GCs) in every process
  const before = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, cpuSeconds(s.pid)]));
  const windowMs = 30_000;
  await sleep(windowMs);
  const used = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, cpuSeconds(s.pid) - before[k]]));
  await Promise.all(Object.values(servers).map((s) => s.close()));
  const worst = Math.max(used.code, used.desktop);
  return row({
    measured: `code ${used.code.toFixed(3)} / desktop ${used.desktop.toFixed(3)} CPU-s`,
    floor: `${used.floor.toFixed(3)} CPU-s`,
    pass: worst <= 0.05,
    data: { windowSeconds: windowMs / 1000, cpuSeconds: used },
  });
}

/**
 * A buffer of `total` messages, all read but the last `unread` (to Code), built the way the Python relay wrote its
 * file (the seed schema, migration 0) in one transaction; the relay upgrades it in place on open.
 */
async function buildSeedDatabase(file, total, unread) {
  const db = (await relayModules()).sqliteDriver().open(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, message TEXT NOT NULL,
    timestamp TEXT NOT NULL, read_by_desktop_at TEXT, read_by_code_at TEXT)`);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO messages (sender, message, timestamp, read_by_desktop_at, read_by_code_at)
     SELECT CASE i % 2 WHEN 0 THEN 'code' ELSE 'desktop' END,
            'stored message number ' || i || ' with a little text to look like a real one',
            '2026-01-01T00:00:00.000000+00:00',
            CASE WHEN i % 2 = 0 THEN '2026-01-01T00:00:01.000000+00:00' END,
            CASE WHEN i % 2 = 1 AND i <= ? THEN '2026-01-01T00:00:01.000000+00:00' END
     FROM n`,
  ).run(total, total - 2 * unread);
  db.close();
  fs.chmodSync(file, 0o600);
}

async function fetchAtScale() {
  const { openSqliteStore, createRelayServer, silentLogger } = await relayModules();
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
  const dir = tempDir();

  const open = async (total) => {
    const file = path.join(dir, `relay-${total}.db`);
    const built = now();
    await buildSeedDatabase(file, total, 10);
    // History retention off: the fetches must not prune the million read messages away.
    const store = openSqliteStore(file, { keepRead: Infinity });
    const buildMs = now() - built;
    const server = createRelayServer({
      store,
      identity: { kind: 'code', name: null, observe: false },
      log: silentLogger,
    });
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'bench', version: '0' });
    await Promise.all([server.connect(b), client.connect(a)]);
    return { file, store, server, client, buildMs, toolTimes: [], storeTimes: [] };
  };
  // Each round: five new unread messages (untimed), then the timed fetch of the five oldest unread, once through
  // the relay_fetch tool and once through the store alone. The two buffers take turns, so load hits both alike.
  const round = async (db, i) => {
    const refill = async () => {
      for (let k = 0; k < 5; k++) await db.store.send({ sender: 'desktop', message: `new ${i}.${k}` });
    };
    await refill();
    let start = now();
    const got = text(await db.client.callTool({ name: 'relay_fetch', arguments: {} }));
    const toolMs = now() - start;
    if (got.messages.length !== 5) throw new Error(`fetch returned ${got.messages.length} messages, expected 5`);
    await refill();
    start = now();
    await db.store.fetch({ reader: mailbox('code'), limit: 5, unreadOnly: true });
    const storeMs = now() - start;
    if (i >= 100) {
      db.toolTimes.push(toolMs);
      db.storeTimes.push(storeMs);
    }
  };
  const dbs = [await open(100), await open(1_000_000)];
  for (let i = 0; i < 1_000; i++) for (const db of dbs) await round(db, i);
  const summary = [];
  for (const db of dbs) {
    await db.client.close();
    await db.server.close();
    await db.store.close();
    summary.push({
      tool: median(db.toolTimes),
      store: median(db.storeTimes),
      buildMs: db.buildMs,
      bytes: fs.statSync(db.file).size,
    });
  }
  const [small, big] = summary;
  const ratio = big.tool / small.tool;
  // The target is relay_fetch's; the store alone (a sharper view of the same seek) is shown beside it.
  return row({
    measured: `${ms(big.tool)} (store alone ${ms(big.store)}, ${(big.store / small.store).toFixed(2)}×)`,
    floor: `${ms(small.tool)} (store alone ${ms(small.store)})`,
    ratio,
    pass: ratio <= 1.2,
    data: { million: big, hundred: small, toolRatio: ratio, storeRatio: big.store / small.store },
  });
}

// Cross-process delivery: process A sends, process B sees it. The floor is the least a watcher can do: a
// file-system event on the database, then a read through SQLite (bench/fixtures/watch-reader.mjs), measured once
// per run and shown beside each way relay delivers.
const watchReader = path.join(here, 'fixtures', 'watch-reader.mjs');
let floorDelivery;
async function deliveryFloor() {
  if (floorDelivery !== undefined) return floorDelivery;
  const file = path.join(tempDir(), 'floor.db');
  const db = (await relayModules()).sqliteDriver().open(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)');
  const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
  const reader = spawnServer([watchReader, file], { initialize: false, cwd: root });
  let seen = () => {};
  const ready = new Promise((resolve) => (seen = resolve));
  reader.onNotification((m) => seen(m));
  await ready;
  const times = [];
  for (let i = 0; i < 60; i++) {
    await sleep(20);
    const arrived = new Promise((resolve) => (seen = resolve));
    const start = now();
    const { lastInsertRowid } = insert.run(`row ${i}`);
    const m = await arrived;
    if (m.params?.id !== Number(lastInsertRowid))
      throw new Error(`the watcher saw row ${m.params?.id}, not ${lastInsertRowid}`);
    times.push(now() - start);
  }
  await reader.close();
  db.close();
  floorDelivery = { p50: median(times), p99: percentile(times, 99), times };
  return floorDelivery;
}

/** Times `count` deliveries: `deliver(i)` starts one and resolves when B has it; A's send is timed from its start. */
async function deliveryRow(count, deliver) {
  const floor = await deliveryFloor();
  const times = [];
  for (let i = 0; i < count; i++) times.push(await deliver(i));
  const [p50, p99] = [median(times), percentile(times, 99)];
  return row({
    measured: `p50 ${ms(p50)} / p99 ${ms(p99)}`,
    floor: `p50 ${ms(floor.p50)} / p99 ${ms(floor.p99)}`,
    ratio: p50 / floor.p50,
    pass: p99 <= 100,
    data: { p50, p99, times, floor },
  });
}

async function deliveryWait() {
  const home = await relayHome();
  const a = relay(home, ['--client', 'desktop']);
  const b = relay(home, ['--client', 'code', '--name', 'receiver']);
  await Promise.all([a.ready, b.ready]);
  const result = await deliveryRow(60, async (i) => {
    const waiting = b.tool('relay_fetch', { wait_seconds: 10, limit: 1 });
    await sleep(30); // B is waiting before A sends
    const start = now();
    const sent = a.tool('relay_send', { message: `delivery ${i}` });
    const got = text(await waiting);
    const elapsed = now() - start;
    await sent;
    if (got.messages?.[0]?.message !== `delivery ${i}`)
      throw new Error(`the waiting fetch returned ${JSON.stringify(got)}`);
    return elapsed;
  });
  await Promise.all([a.close(), b.close()]);
  return result;
}

async function deliveryPush() {
  const home = await relayHome();
  const a = relay(home, ['--client', 'desktop']);
  const b = relay(home, ['--client', 'code', '--name', 'receiver', '--push', '--push-limit', '600']);
  await Promise.all([a.ready, b.ready]);
  let pushed = () => {};
  b.onNotification((m) => {
    if (m.method === 'notifications/claude/channel') pushed(m.params.content);
  });
  const result = await deliveryRow(60, async (i) => {
    await sleep(20);
    const arrived = new Promise((resolve) => (pushed = resolve));
    const start = now();
    const sent = a.tool('relay_send', { message: `push ${i}` });
    const content = await arrived;
    const elapsed = now() - start;
    await sent;
    if (content !== `push ${i}`) throw new Error(`pushed "${content}", expected "push ${i}"`);
    return elapsed;
  });
  await Promise.all([a.close(), b.close()]);
  return result;
}

async function deliveryUi() {
  const reason = await uiUnavailable();
  if (reason !== null) return { unavailable: reason };
  const home = await relayHome();
  const a = relay(home, ['--client', 'desktop']);
  await a.ready;
  const page = await openUiPage(cli, env(home));
  try {
    return await deliveryRow(60, async (i) => {
      await sleep(20);
      const seen = await page.visible(`to the page ${i}`);
      const start = now();
      const sent = a.tool('relay_send', { message: `to the page ${i}` });
      await seen();
      const elapsed = now() - start;
      await sent;
      return elapsed;
    });
  } finally {
    await page.close();
    await a.close();
  }
}

async function deliveryNotify() {
  const home = await relayHome();
  // A fake notify-send first on PATH: it appends its last argument (the body) to a file the bench watches.
  const bin = path.join(home, 'bin');
  const log = path.join(home, 'notified.log');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'notify-send'),
    `#!/bin/sh\nfor last; do :; done\nprintf '%s\\n' "$last" >> '${log}'\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(log, '');
  const b = spawnServer([cli, '--client', 'desktop', '--notify'], {
    env: { ...env(home), PATH: `${bin}:${env(home).PATH}` },
  });
  const a = relay(home, ['--client', 'code']);
  await Promise.all([a.ready, b.ready]);
  const result = await deliveryRow(60, async (i) => {
    await sleep(20);
    const before = fs.statSync(log).size;
    const start = now();
    const sent = a.tool('relay_send', { message: `notice ${i}` });
    while (fs.statSync(log).size === before) {
      if (now() - start > 10_000) throw new Error(`no notification for message ${i}: ${b.stderr()}`);
      await sleep(1);
    }
    const elapsed = now() - start;
    await sent;
    const shown = fs.readFileSync(log, 'utf8').slice(before);
    if (!shown.includes(`notice ${i}`)) throw new Error(`notified "${shown.trim()}", expected "notice ${i}"`);
    return elapsed;
  });
  await Promise.all([a.close(), b.close()]);
  return result;
}

/** A 5 MiB file attached by path by A, fetched by B and read back through relay_attachment in 2 MiB slices. */
async function attachmentRoundTrip() {
  const home = await relayHome();
  const file = path.join(home, 'blob.bin');
  const bytes = Buffer.alloc(5 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  fs.writeFileSync(file, bytes);
  const copyTimes = await timeEach(5, 1, (i) => fs.copyFileSync(file, path.join(home, `copy-${i}.bin`)));
  const a = relay(home, ['--client', 'desktop']);
  const b = relay(home, ['--client', 'code', '--name', 'receiver']);
  await Promise.all([a.ready, b.ready]);
  const times = await timeEach(5, 1, async (i) => {
    const sent = text(await a.tool('relay_send', { message: `file ${i}`, attachments: [{ path: file }] }));
    if (!sent.ok) throw new Error(`send with attachment failed: ${sent.error}`);
    const got = text(await b.tool('relay_fetch', { limit: 1 }));
    const info = got.messages?.[0]?.attachments?.[0];
    if (info === undefined) throw new Error(`no attachment in ${JSON.stringify(got).slice(0, 300)}`);
    const parts = [];
    for (let offset = 0; offset !== null;) {
      const slice = text(await b.tool('relay_attachment', { id: info.id, offset, length: 2 * 1024 * 1024 }));
      if (!slice.ok) throw new Error(`relay_attachment failed: ${slice.error}`);
      parts.push(Buffer.from(slice.data, slice.encoding === 'base64' ? 'base64' : 'utf8'));
      offset = slice.next_offset;
    }
    if (!Buffer.concat(parts).equals(bytes)) throw new Error('the attachment came back different');
  });
  await Promise.all([a.close(), b.close()]);
  const r = median(times);
  const f = median(copyTimes);
  return row({
    measured: ms(r),
    floor: `${ms(f)} (file copy)`,
    ratio: r / f,
    data: { relayMs: times, copyMs: copyTimes },
  });
}

/**
 * 8 sender processes (kind "cursor", so their messages go to Desktop) × 500 sequential sends each, while 2 Desktop
 * sessions fetch: every message must reach both sessions exactly once. A send refused because a mailbox is full
 * is retried after 20 ms, as a client would, and counted.
 */
async function concurrentSends({ node, driver } = {}) {
  const home = await relayHome();
  const options = { node, driver };
  const senders = Array.from({ length: 8 }, (_, p) =>
    relay(home, ['--client', 'cursor', '--name', `sender${p}`], options),
  );
  const fetchers = Array.from({ length: 2 }, (_, f) =>
    relay(home, ['--client', 'desktop', '--name', `desk${f}`], options),
  );
  await Promise.all([...senders, ...fetchers].map((s) => s.ready));
  const perSender = 500;
  const total = 8 * perSender;
  let errors = 0;
  let fullRetries = 0;
  const errorTexts = new Set();
  const seen = fetchers.map(() => []);
  let sendsDone = false;
  const start = now();
  const sending = Promise.all(
    senders.map(async (server, p) => {
      for (let i = 0; i < perSender; i++) {
        for (;;) {
          try {
            const reply = text(await server.tool('relay_send', { message: `p${p}-${i}` }));
            if (reply.ok) break;
            if (/unread messages \(the limit\)/.test(reply.error)) {
              fullRetries++;
              await sleep(20);
              continue;
            }
            errors++;
            errorTexts.add(reply.error);
          } catch (error) {
            errors++;
            errorTexts.add(error.message);
          }
          break;
        }
      }
    }),
  ).then(() => {
    sendsDone = true;
    return now() - start;
  });
  const fetching = fetchers.map(async (server, f) => {
    let idleSince;
    while (seen[f].length < total) {
      const got = text(await server.tool('relay_fetch', { limit: 20 }));
      if (!got.ok) {
        errors++;
        errorTexts.add(got.error);
      }
      for (const m of got.messages ?? []) seen[f].push(m.message);
      if ((got.messages ?? []).length === 0) {
        if (sendsDone) {
          idleSince ??= now();
          if (now() - idleSince > 2_000) break; // everything sent was fetchable by now: the rest is lost
        }
        await sleep(2);
      } else idleSince = undefined;
    }
    return now() - start;
  });
  const sendMs = await sending;
  const fetchMs = Math.max(...(await Promise.all(fetching)));
  await Promise.all([...senders, ...fetchers].map((s) => s.close()));
  let lost = 0;
  let duplicated = 0;
  for (const got of seen) {
    const unique = new Set(got);
    lost += total - unique.size;
    duplicated += got.length - unique.size;
  }
  const deliveries = seen.reduce((n, got) => n + new Set(got).size, 0);
  const throughput = (total / fetchMs) * 1000;
  return row({
    measured: `${Math.round(throughput).toLocaleString('en-US')} msg/s to both; ${errors} errors, ${lost} lost, ${duplicated} duplicated`,
    pass: errors === 0 && lost === 0 && duplicated === 0,
    data: {
      sent: total,
      deliveries,
      errors,
      errorTexts: [...errorTexts],
      lost,
      duplicated,
      fullRetries,
      sendMs,
      fetchMs,
      sendsPerSecond: (total * 1000) / sendMs,
      messagesPerSecondToBoth: throughput,
    },
  });
}

/**
 * The two SQLite drivers on the same work (17.8): better-sqlite3 on this Node (20), node:sqlite on the pinned Node 22
 * and 24 of scripts/node-versions.mjs (.tmp/node/<major>/bin/node; a missing one is left out and said). In process:
 * send + fetch round trips of the store alone (a child process per Node); across processes: 8 relays × 500 sends
 * fetched by 2 (the `concurrent` figure's work).
 */
async function driverComparison() {
  const { execFileSync } = await import('node:child_process');
  const runs = [{ node: process.execPath, major: process.versions.node.split('.')[0], driver: 'better-sqlite3' }];
  for (const major of ['22', '24']) {
    const node = path.join(root, '.tmp', 'node', major, 'bin', 'node');
    if (fs.existsSync(node)) runs.push({ node, major, driver: 'node:sqlite' });
  }
  if (runs.length === 1) return { unavailable: 'no Node 22/24 in .tmp/node (run node scripts/node-versions.mjs)' };
  const dir = tempDir();
  const child = path.join(here, 'lib', 'driver-round-trips.mjs');
  const results = [];
  for (const run of runs) {
    const env = { ...process.env, RELAY_SQLITE_DRIVER: run.driver };
    const inProcess = JSON.parse(execFileSync(run.node, [child, dir, run.driver], { env, encoding: 'utf8' }));
    const concurrent = (await concurrentSends(run)).data;
    results.push({ ...run, inProcess, concurrent });
  }
  const us = (v) => `${Math.round(v * 1000)} µs`;
  const label = (r) => `${r.driver} (Node ${r.major})`;
  const describe = (r) =>
    `${label(r)} ${us(r.inProcess.median)} / p99 ${us(r.inProcess.p99)}, ` +
    `${Math.round(r.concurrent.messagesPerSecondToBoth).toLocaleString('en-US')} msg/s` +
    (r.concurrent.lost + r.concurrent.duplicated + r.concurrent.errors > 0 ? ' (LOSS)' : '');
  const [base, ...others] = results;
  return row({
    measured: others.map(describe).join('; '),
    floor: describe(base),
    ratio: others[0].inProcess.median / base.inProcess.median,
    pass: results.every((r) => r.concurrent.lost + r.concurrent.duplicated + r.concurrent.errors === 0),
    data: { runs: results.map((r) => ({ ...r, node: path.basename(path.dirname(path.dirname(r.node))) })) },
  });
}

async function residentMemory() {
  const home = await relayHome();
  const relayKiB = [];
  const floorKiB = [];
  for (let i = 0; i < 3; i++) {
    const server = relay(home);
    const floor = floorServer(home);
    await Promise.all([server.ready, floor.ready]);
    await server.tool('relay_send', { message: 'warm' });
    await server.tool('relay_fetch', { reader: 'desktop' });
    await floor.tool('echo', { text: 'warm' });
    await floor.tool('echo', { text: 'warm' });
    await sleep(1_000);
    relayKiB.push(rssKiB(server.pid));
    floorKiB.push(rssKiB(floor.pid));
    await Promise.all([server.close(), floor.close()]);
  }
  const r = median(relayKiB);
  const f = median(floorKiB);
  return row({
    measured: `${(r / 1024).toFixed(1)} MiB`,
    floor: `${(f / 1024).toFixed(1)} MiB`,
    ratio: r / f,
    pass: r / f <= 1.3,
    data: { relayKiB, floorKiB },
  });
}

async function stdinCloseExit() {
  const home = await relayHome();
  const relayTimes = [];
  const floorTimes = [];
  for (let i = 0; i < 5; i++) {
    for (const [spawnOne, times] of [
      [relay, relayTimes],
      [floorServer, floorTimes],
    ]) {
      const server = spawnOne(home);
      await server.ready;
      const start = now();
      await server.close();
      times.push(now() - start);
    }
  }
  const r = Math.max(...relayTimes);
  const f = Math.max(...floorTimes);
  return row({
    measured: `${ms(r)} (worst of 5)`,
    floor: ms(f),
    ratio: r / f,
    pass: r <= 2_000,
    data: { relayMs: relayTimes, floorMs: floorTimes },
  });
}

/** An intermediate parent that starts relay with stdio inherited (so stdin stays open when it dies). */
const parentScript = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
process.stderr.write('RELAY_PID ' + child.pid + '\\n');
setInterval(() => {}, 1 << 30);
`;

async function orphanExit() {
  const home = await relayHome();
  const times = [];
  for (let i = 0; i < 3; i++) {
    const stdin = fifo(path.join(home, `stdin-${i}`));
    const parent = spawnServer(['-e', parentScript, cli, '--client', 'code'], { env: env(home), stdin });
    await parent.ready;
    while (!/RELAY_PID \d+\n/.test(parent.stderr())) await sleep(5);
    const pid = Number(/RELAY_PID (\d+)/.exec(parent.stderr())?.[1]);
    if (!Number.isInteger(pid) || !alive(pid))
      throw new Error(`no relay under the intermediate parent: ${parent.stderr()}`);
    // The bench still holds the pipes the relay reads and writes: only the parent's death can tell it to go.
    const start = now();
    parent.child.kill('SIGKILL');
    try {
      await waitGone(pid, 10_000, 5);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    times.push(now() - start);
    fs.closeSync(stdin.writeFd);
  }
  const worst = Math.max(...times);
  return row({ measured: `${ms(worst)} (worst of 3)`, pass: worst <= 2_000, data: { exitMs: times } });
}

/**
 * What relay costs in a model's context, from the built CLI over stdio: the instructions (a Code session with a
 * 32-character name and --push, the longest ordinary identity), the six tool definitions as a model receives them
 * under Claude Code's names, and a fetch result's bytes per message beyond the text (5 replies to a named session).
 * The same measures as test/tool-budget.test.ts, which holds the limits; here they stand in the table.
 */
async function modelContext() {
  const { budget, MAX_INSTRUCTIONS_BYTES } = await relayModules();
  const home = await relayHome();
  const name = 'a-rather-long-session-name-x1234';
  // --push adds a sentence to the instructions (and would take the messages for itself: a relay of its own).
  const pushing = relay(home, ['--client', 'code', '--name', name, '--push']);
  const { result: init } = await pushing.ready;
  await pushing.close();
  const code = relay(home, ['--client', 'code', '--name', name]);
  const desktop = relay(home, ['--client', 'desktop']);
  await Promise.all([code.ready, desktop.ready]);
  const { tools } = await code.request('tools/list', {});
  const asked = text(await code.tool('relay_send', { message: 'Ready for review' }));
  for (let i = 0; i < 5; i++)
    await desktop.tool('relay_send', { message: `Please review parser.ts (${i})`, reply_to: asked.id });
  const fetched = (await code.tool('relay_fetch', { limit: 5 })).content[0].text;
  if (JSON.parse(fetched).messages?.length !== 5) throw new Error(`expected 5 messages: ${fetched}`);
  await Promise.all([code.close(), desktop.close()]);
  const figures = {
    instructionsBytes: Buffer.byteLength(init.instructions ?? ''),
    definitionBytes: budget.definitionBytes(tools, budget.CLAUDE_CODE_PREFIX),
    definitionBytesBare: budget.definitionBytes(tools),
    fetchOverheadBytes: budget.fetchOverheadBytes(fetched, JSON.parse(fetched).messages),
  };
  return {
    instructions: row({
      measured: `${figures.instructionsBytes} B`,
      pass: figures.instructionsBytes <= MAX_INSTRUCTIONS_BYTES,
      data: figures,
    }),
    definitions: row({
      measured: `${figures.definitionBytes} B (${figures.definitionBytesBare} B as served)`,
      pass: figures.definitionBytes <= budget.MAX_DEFINITION_BYTES,
      data: figures,
    }),
    fetch: row({
      measured: `${Math.round(figures.fetchOverheadBytes)} B`,
      pass: figures.fetchOverheadBytes <= budget.MAX_FETCH_OVERHEAD_BYTES,
      data: figures,
    }),
  };
}
let modelContextRows;
const modelContextRow = (which) => async () => (await (modelContextRows ??= modelContext()))[which];

// PostgreSQL: a throw-away cluster (or RELAY_TEST_PG_URL), started once for the rows that need it.
const { figures: pgFigures } = await import('./postgres.mjs');
let pg;
async function postgresRow(figure) {
  pg ??= await (await import('./postgres.mjs')).postgresContext();
  if (pg.ctx === null) return { unavailable: pg.reason };
  return figure.run(pg.ctx);
}

const figures = [
  { id: 'cold-start', name: 'cold start: spawn → initialize result (median of 15)', target: '≤ 1.6×', run: coldStart },
  {
    id: 'round-trip',
    name: 'relay_send + relay_fetch round trip, one stdio session (median / p99)',
    target: '≤ 1.5×',
    run: roundTrip,
  },
  {
    id: 'store',
    name: 'store alone, in process: send + fetch (history pruned to 200 vs kept)',
    target: 'report',
    run: storeAlone,
  },
  {
    id: 'search',
    name: 'relay_search in process on 3,000 messages: a word in none / in every tenth, vs latest(10)',
    target: 'report',
    run: searchBuffer,
  },
  {
    id: 'sends',
    name: 'sends per second, one stdio session, sequential awaits',
    target: '≥ 3,000/s',
    run: sendsPerSecond,
  },
  {
    id: 'delivery-wait',
    name: "cross-process delivery: A sends → B's waiting relay_fetch (wait_seconds) returns it",
    target: 'p99 ≤ 100 ms',
    run: deliveryWait,
  },
  {
    id: 'delivery-push',
    name: 'cross-process delivery: A sends → B pushes it (--push channel event)',
    target: 'p99 ≤ 100 ms',
    run: deliveryPush,
  },
  {
    id: 'delivery-notify',
    name: "cross-process delivery: A sends → B's desktop notification runs (fake notify-send)",
    target: 'p99 ≤ 100 ms',
    run: deliveryNotify,
  },
  {
    id: 'delivery-ui',
    name: 'A sends → the message is visible in `mcp-relay ui` (headless Chromium: in the DOM, next frame)',
    target: 'p99 ≤ 100 ms',
    run: deliveryUi,
  },
  {
    id: 'idle-cpu',
    name: 'idle CPU of a running relay over 30 s (code / desktop)',
    target: '≤ 0.05 CPU-s',
    run: idleCpu,
  },
  { id: 'fetch-1m', name: 'relay_fetch with 1,000,000 stored messages vs 100', target: '≤ 1.2×', run: fetchAtScale },
  {
    id: 'drivers',
    name: 'SQLite drivers: node:sqlite vs better-sqlite3, in process send + fetch (median / p99), 8 × 500 sends',
    target: 'nothing lost',
    run: driverComparison,
  },
  {
    id: 'concurrent',
    name: '8 processes × 500 sends, concurrent, to 2 fetching Desktop sessions',
    target: '0 errors, 0 lost',
    run: concurrentSends,
  },
  {
    id: 'attachment',
    name: '5 MiB attachment: send by path, fetch, read back in 2 MiB slices',
    target: 'report',
    run: attachmentRoundTrip,
  },
  {
    id: 'memory',
    name: 'resident memory of an idle relay (VmRSS, median of 3)',
    target: '≤ 1.3×',
    run: residentMemory,
  },
  { id: 'stdin-exit', name: 'exit after the client closes stdin', target: '≤ 2 s', run: stdinCloseExit },
  { id: 'orphan-exit', name: 'orphan exit time: parent SIGKILLed, stdin still open', target: '≤ 2 s', run: orphanExit },
  {
    id: 'model-instructions',
    name: 'model context: server instructions (Code session, long name, --push)',
    target: '≤ 600 B',
    run: modelContextRow('instructions'),
  },
  {
    id: 'model-definitions',
    name: 'model context: the six tool definitions as a model receives them (mcp__relay__ names)',
    target: '≤ 2,500 B',
    run: modelContextRow('definitions'),
  },
  {
    id: 'model-fetch',
    name: "model context: a fetch result's bytes per message beyond its text",
    target: '≤ 160 B',
    run: modelContextRow('fetch'),
  },
  // The PostgreSQL store's figures (bench/postgres.mjs, also `npm run bench:pg`), each beside the same on SQLite.
  ...pgFigures.map((figure) => ({ ...figure, run: () => postgresRow(figure) })),
];

// ---------------------------------------------------------------------------------------------------------------
// Running and printing.

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

function table(rows) {
  const header = ['figure', 'measured', 'floor (same run)', 'ratio', 'target', 'result'];
  const lines = rows.map((r) => [
    r.name,
    r.unavailable !== undefined ? 'not available' : r.error !== undefined ? `error: ${r.error}` : r.measured,
    r.unavailable !== undefined ? r.unavailable : (r.floor ?? '—'),
    r.ratio === null || r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.unavailable !== undefined
      ? '—'
      : r.error !== undefined
        ? 'FAIL'
        : r.pass === null
          ? 'report'
          : r.pass
            ? 'pass'
            : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join('\n');
}

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const only = values.only?.split(',');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm run bench does).`);
  const started = now();
  const loadAtStart = os.loadavg()[0];
  const rows = [];
  for (const figure of figures) {
    if (only !== undefined && !only.includes(figure.id)) continue;
    const { run, ...meta } = figure;
    if (run === undefined) {
      rows.push(meta);
      continue;
    }
    process.stderr.write(`bench: ${figure.name} ...`);
    const t = now();
    try {
      rows.push({ ...meta, ...(await run()) });
    } catch (error) {
      rows.push({ ...meta, error: error instanceof Error ? error.message : String(error), pass: false });
    } finally {
      killAll();
      cleanTemps();
    }
    process.stderr.write(` ${((now() - t) / 1000).toFixed(1)} s\n`);
  }
  const seconds = (now() - started) / 1000;
  process.stdout.write(`${table(rows)}\n`);
  const info = machine();
  const load = [loadAtStart, os.loadavg()[0]].map((l) => l.toFixed(1)).join(' → ');
  process.stdout.write(
    `\n${info.cpus} × ${info.cpuModel}, Node ${info.node}, ${info.platform}; ${seconds.toFixed(0)} s; load average ${load}\n`,
  );
  if (Math.max(loadAtStart, os.loadavg()[0]) > info.cpus / 2) {
    process.stdout.write(
      'Other work was running: absolute figures (and the sends/s target) suffer first; compare the ratios.\n',
    );
  }
  const results = {
    date: new Date().toISOString(),
    machine: info,
    loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
    seconds,
    figures: rows,
  };
  fs.writeFileSync(path.join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return rows.some((r) => r.pass === false) ? 1 : 0;
}

process.on('SIGINT', () => {
  killAll();
  cleanTemps();
  process.exit(130);
});

try {
  process.exitCode = await main();
} finally {
  killAll();
  cleanTemps();
  await pg?.ctx?.close();
}
