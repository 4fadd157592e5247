// Start-up bench: spawn -> `initialize` result over stdio, the cost Claude pays each time a session opens.
// Compares relay's built CLI (dist/cli.js) with the trivial MCP SDK server beside it, unbundled (the yardstick:
// relay should take at most 0.7x its time) and bundled by esbuild like relay (relay's own cost above the SDK's), and
// with bare `node`. Runs are interleaved so machine noise hits all alike; medians are reported.
// Run: `node bench/startup.mjs [--runs N] [--json]` after `npm run build`. bench/run.mjs may import measureStartup.
// It must not write anywhere but a temp directory (removed afterwards) and stdout.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** Relay must start in at most this fraction of the trivial unbundled SDK server's time. */
export const STARTUP_TARGET_RATIO = 0.7;

const initialize = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
})}\n`;

/** Milliseconds from spawn until the first stdout line (the initialize result, or node's exit for `node -e 0`). */
function timeOnce(args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    const finish = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(ms);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from node ${args.join(' ')} in 20 s: ${err}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        const reply = JSON.parse(out.slice(0, out.indexOf('\n')));
        finish(reply.result?.serverInfo ? undefined : new Error(`unexpected reply: ${out}`));
      }
    });
    child.stderr.on('data', (chunk) => (err += chunk.toString()));
    child.on('exit', (code) => {
      if (args[0] === '-e') finish();
      else finish(new Error(`node ${args.join(' ')} exited ${code} before answering: ${err}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.write(initialize);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * Measures every subject `runs` times, interleaved, after one unmeasured warm-up each (file cache).
 * Returns { runs, subjects: [{ name, medianMs, minMs, maxMs }], relayMs, ratio (relay / unbundled SDK server), target,
 * pass }.
 */
export async function measureStartup({ runs = 21 } = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bench-startup-'));
  try {
    const env = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const bundled = path.join(home, 'trivial-server.bundle.mjs');
    await esbuild.build({
      entryPoints: [path.join(here, 'fixtures', 'trivial-server.mjs')],
      outfile: bundled,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'error',
    });
    const subjects = [
      { name: 'node -e 0 (floor of any Node process)', args: ['-e', '0'] },
      { name: 'trivial MCP SDK server, unbundled', args: [path.join(here, 'fixtures', 'trivial-server.mjs')] },
      { name: 'trivial MCP SDK server, esbuild bundle', args: [bundled] },
      {
        name: 'relay (dist/cli.js --client code)',
        args: [path.join(root, 'dist', 'cli.js'), '--client', 'code', '--db', path.join(home, 'relay.db')],
      },
    ];
    const times = subjects.map(() => []);
    for (const s of subjects) await timeOnce(s.args, env);
    for (let i = 0; i < runs; i++) {
      for (const [j, s] of subjects.entries()) times[j].push(await timeOnce(s.args, env));
    }
    const results = subjects.map((s, j) => ({
      name: s.name,
      medianMs: median(times[j]),
      minMs: Math.min(...times[j]),
      maxMs: Math.max(...times[j]),
    }));
    const relay = results[3];
    const ratio = relay.medianMs / results[1].medianMs;
    return {
      runs,
      subjects: results,
      relayMs: relay.medianMs,
      ratio,
      target: STARTUP_TARGET_RATIO,
      pass: ratio <= STARTUP_TARGET_RATIO,
    };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' }, json: { type: 'boolean' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write('startup.mjs: --runs must be a positive integer\n');
    process.exit(2);
  }
  if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) {
    process.stderr.write('startup.mjs: dist/cli.js is missing; run `npm run build` first\n');
    process.exit(2);
  }
  const result = await measureStartup({ runs });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const fmt = (n) => n.toFixed(1).padStart(7);
    process.stdout.write(`start-up, spawn -> initialize result, ${runs} runs each (ms)\n`);
    process.stdout.write(`${'subject'.padEnd(42)} ${'median'.padStart(7)} ${'min'.padStart(7)} ${'max'.padStart(7)}\n`);
    for (const s of result.subjects)
      process.stdout.write(`${s.name.padEnd(42)} ${fmt(s.medianMs)} ${fmt(s.minMs)} ${fmt(s.maxMs)}\n`);
    process.stdout.write(
      `relay / trivial SDK server: ${result.ratio.toFixed(2)}x (target <= ${result.target}x): ${result.pass ? 'PASS' : 'MISS'}\n`,
    );
  }
}
