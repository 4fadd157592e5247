// `npm run bench:pg`: the PostgreSQL store's two figures, each beside the same measurement on the SQLite file, as one
// table on stdout (progress on stderr). Runs only when PostgreSQL is available: a throw-away cluster as the tests
// start it (scripts/pg-cluster.mjs), or RELAY_TEST_PG_URL; otherwise each row says "not available: <reason>".
// Spawns only the built CLI (dist/cli.js) and writes only to temp directories and the throw-away cluster.
// `figures` is exported in the shape bench/run.mjs uses ({ id, name, target, run(ctx) -> row }) so they can join it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';

import { findPgBin, startCluster } from '../scripts/pg-cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'cli.js');

const now = () => Number(process.hrtime.bigint()) / 1e6;
const ms = (value) => `${value.toFixed(1)} ms`;
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const log = (line) => process.stderr.write(`${line}\n`);

/** A relay process over stdio, as Claude starts it, with an SDK client on it. */
async function relay(home, args) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, ...args, '--no-notify'],
    env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(transport);
  const tool = async (name, args = {}) =>
    JSON.parse((await client.callTool({ name, arguments: args })).content[0].text);
  return { client, tool, close: () => client.close() };
}

/** Where the two backends live for one measurement: `--db` arguments for each relay process. */
async function backends(ctx) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bench-pg-'));
  ctx.temps.push(home);
  return { home, sqlite: ['--db', path.join(home, 'relay.db')], postgres: ['--db', await ctx.database()] };
}

/**
 * Cross-process delivery: one relay sends, another relay (another process, its own connection) is told. The
 * receiver's client subscribes to messages://latest; the time runs from the send call to the receiver's
 * `notifications/resources/updated`. On PostgreSQL the receiver hears of it through LISTEN/NOTIFY; on SQLite through
 * its file watch.
 */
async function deliveryTimes(home, db, count, warmup) {
  const sender = await relay(home, ['--client', 'desktop', ...db]);
  const receiver = await relay(home, ['--client', 'code', '--name', 'bench', ...db]);
  try {
    let heard = () => {};
    receiver.client.setNotificationHandler(ResourceUpdatedNotificationSchema, () => heard());
    await receiver.client.ping();
    await receiver.client.subscribeResource({ uri: 'messages://latest' });
    const times = [];
    for (let i = 0; i < warmup + count; i++) {
      const told = new Promise((resolve) => (heard = resolve));
      const start = now();
      const sent = await sender.tool('relay_send', { message: `delivery ${i}` });
      if (sent.ok !== true) throw new Error(`send failed: ${sent.error}`);
      await told;
      if (i >= warmup) times.push(now() - start);
      // Keep the receiver's mailbox under its 1,000 unread (reads do not change messages://latest: no notification).
      if (i % 200 === 199) {
        let drained;
        do drained = await receiver.tool('relay_fetch', { limit: 20 });
        while (drained.messages.length > 0);
      }
    }
    return times;
  } finally {
    await Promise.all([sender.close(), receiver.close()]);
  }
}

async function crossProcessDelivery(ctx) {
  const { home, sqlite, postgres } = await backends(ctx);
  const [count, warmup] = ctx.quick ? [100, 10] : [500, 30];
  log(`delivery: ${count} messages on PostgreSQL`);
  const onPg = await deliveryTimes(home, postgres, count, warmup);
  log(`delivery: ${count} messages on SQLite`);
  const onFile = await deliveryTimes(home, sqlite, count, warmup);
  const [p50, p99, f50, f99] = [
    percentile(onPg, 50),
    percentile(onPg, 99),
    percentile(onFile, 50),
    percentile(onFile, 99),
  ];
  return {
    measured: `${ms(p50)} / p99 ${ms(p99)}`,
    floor: `SQLite ${ms(f50)} / p99 ${ms(f99)}`,
    ratio: p99 / f99,
    pass: p99 <= 100,
    data: { count, medianMs: p50, p99Ms: p99, sqliteMedianMs: f50, sqliteP99Ms: f99 },
  };
}

/** 8 relay processes send 500 messages each, as fast as each can; one Desktop session fetches them all meanwhile. */
async function manySenders(home, db, senders, each) {
  const reader = await relay(home, ['--client', 'desktop', ...db]);
  const clients = await Promise.all(
    Array.from({ length: senders }, (_, i) => relay(home, ['--client', 'cursor', '--name', `send${i}`, ...db])),
  );
  try {
    const latencies = [];
    let retries = 0;
    let done = false;
    const received = new Set();
    const draining = (async () => {
      for (;;) {
        const got = await reader.tool('relay_fetch', { limit: 20 });
        for (const m of got.messages) received.add(m.message);
        if (got.messages.length === 0) {
          if (done) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    })();
    const start = now();
    await Promise.all(
      clients.map(async (client, s) => {
        for (let n = 0; n < each; n++) {
          for (;;) {
            const t = now();
            const out = await client.tool('relay_send', { message: `${s}:${n}` });
            if (out.ok === true) {
              latencies.push(now() - t);
              break;
            }
            if (!/unread messages \(the limit\)/.test(out.error)) throw new Error(`send failed: ${out.error}`);
            retries++;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      }),
    );
    const seconds = (now() - start) / 1000;
    done = true;
    await draining;
    if (received.size !== senders * each)
      throw new Error(`the reader got ${received.size} of ${senders * each} messages`);
    return { seconds, latencies, retries };
  } finally {
    await Promise.all([reader.close(), ...clients.map((c) => c.close())]);
  }
}

async function eightProcesses(ctx) {
  const { home, sqlite, postgres } = await backends(ctx);
  const [senders, each] = [8, ctx.quick ? 100 : 500];
  log(`many senders: ${senders} x ${each} on PostgreSQL`);
  const onPg = await manySenders(home, postgres, senders, each);
  log(`many senders: ${senders} x ${each} on SQLite`);
  const onFile = await manySenders(home, sqlite, senders, each);
  const rate = (r) => (senders * each) / r.seconds;
  const describe = (r) =>
    `${r.seconds.toFixed(1)} s (${rate(r).toFixed(0)}/s), send p50 ${ms(percentile(r.latencies, 50))} / p99 ` +
    `${ms(percentile(r.latencies, 99))}`;
  return {
    measured: describe(onPg),
    floor: `SQLite ${describe(onFile)}`,
    ratio: onPg.seconds / onFile.seconds,
    pass: null,
    data: {
      sends: senders * each,
      seconds: onPg.seconds,
      perSecond: rate(onPg),
      sendMedianMs: percentile(onPg.latencies, 50),
      sendP99Ms: percentile(onPg.latencies, 99),
      fullRetries: onPg.retries,
      sqliteSeconds: onFile.seconds,
      sqlitePerSecond: rate(onFile),
      sqliteSendP99Ms: percentile(onFile.latencies, 99),
    },
  };
}

export const figures = [
  {
    id: 'pg-delivery',
    name: 'cross-process delivery via NOTIFY (p50/p99)',
    target: 'p99 ≤ 100 ms',
    run: crossProcessDelivery,
  },
  { id: 'pg-senders', name: '8 processes × 500 sends (PostgreSQL)', target: 'reported', run: eightProcesses },
];

/**
 * What the figures need: `database()` makes a new PostgreSQL database and returns its URL. Null with a reason when
 * PostgreSQL is not available.
 */
export async function postgresContext() {
  let adminUrl = process.env.RELAY_TEST_PG_URL || null;
  let cluster;
  if (adminUrl === null) {
    const bin = findPgBin();
    if (bin === null) return { ctx: null, reason: 'PostgreSQL server binaries (initdb, pg_ctl) not found' };
    cluster = await startCluster({ bin, log });
    adminUrl = cluster.adminUrl;
  }
  let n = 0;
  const ctx = {
    temps: [],
    quick: process.argv.includes('--quick'),
    async database() {
      const name = `relay_bench_${process.pid}_${++n}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async close() {
      for (const dir of ctx.temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
      await cluster?.stop();
    },
  };
  return { ctx, reason: '' };
}

async function main() {
  const { ctx, reason } = await postgresContext();
  const rows = [];
  try {
    for (const figure of figures) {
      if (ctx === null) {
        rows.push([figure.name, `not available: ${reason}`, '', figure.target]);
        continue;
      }
      const result = await figure.run(ctx);
      rows.push([
        figure.name,
        result.measured,
        result.floor,
        `${figure.target}${result.pass === null ? '' : result.pass ? ' ✓' : ' ✗'}`,
      ]);
      log(JSON.stringify({ id: figure.id, ...result.data }));
    }
  } finally {
    await ctx?.close();
  }
  const header = ['figure', 'measured', 'beside it', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  await main();
}
