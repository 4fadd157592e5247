// The SQLite drivers as tests see them: which load in this process (the contract runs on each), a raw connection
// for writing files the way other programs do, and a Node binary able to run each driver in a child process (so a
// Node 20 run still puts node:sqlite against better-sqlite3 on one file, and a Node 22 run the other way round).
// A driver this run cannot reach is skipped loudly; in CI the ones a pass is for are required. The two-driver tests
// pick their own Node binaries, so they run once per CI run (repeatPass), not again in the Node 22/24 passes.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

import { describe, it } from 'vitest';

import type { Connection, DriverName, OpenOptions } from '../../src/store/sqlite/connection.js';
import { hasUnflaggedNodeSqlite, loadDriver, sqliteDriver } from '../../src/store/sqlite/driver.js';
import { findNode, isCI, repeatPass } from './node-versions.js';

export const DRIVERS: readonly DriverName[] = ['node:sqlite', 'better-sqlite3'];

/** RELAY_SQLITE_DRIVER's value for a driver. */
export const FORCE: Record<DriverName, string> = { 'node:sqlite': 'node', 'better-sqlite3': 'better-sqlite3' };

/** Why a driver does not load in this process, or null when it does. */
export function driverMissing(name: DriverName): string | null {
  try {
    loadDriver(name);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The drivers that load here. In CI, the one this Node would choose must load (node:sqlite from 22.13,
 * better-sqlite3 before): a pass that silently ran on neither would prove nothing.
 */
export function inProcessDrivers(): DriverName[] {
  const loads = DRIVERS.filter((d) => driverMissing(d) === null);
  const expected: DriverName = hasUnflaggedNodeSqlite() ? 'node:sqlite' : 'better-sqlite3';
  if (isCI() && !loads.includes(expected)) {
    throw new Error(`CI on Node ${process.versions.node} needs the ${expected} driver: ${driverMissing(expected)}`);
  }
  return loads;
}

/** A loud skip for each driver that does not load here (the others run in the passes on other Node versions). */
export function skipMissingDrivers(title: string): void {
  for (const name of DRIVERS) {
    const missing = driverMissing(name);
    if (missing === null) continue;
    describe(`${title} (${name})`, () => {
      it.skip(`SKIPPED on Node ${process.versions.node}: ${missing} (CI runs it on the Node version that has it)`, () => {});
    });
  }
}

/** A connection through the seam (this process's driver), for writing and reading files as other programs do. */
export function rawDb(file: string, options: OpenOptions = {}): Connection {
  return sqliteDriver().open(file, options);
}

/** Renames an attachment as another program writing the buffer could: with a name relay itself refuses on send. */
export function nameAttachmentAsAnotherWriter(file: string, id: number, name: string): void {
  const raw = rawDb(file);
  try {
    raw.prepare<[string, number]>('UPDATE attachments SET name = ? WHERE id = ?').run(name, id);
  } finally {
    raw.close();
  }
}

const require = createRequire(import.meta.url);
const runners = new Map<DriverName, string | null>();

/** Whether better-sqlite3 (built for one Node ABI) loads under `node`. */
function betterSqlite3LoadsUnder(node: string): boolean {
  const probe = `new (require(process.argv[1]))(':memory:').close();`;
  const args = ['-e', probe, require.resolve('better-sqlite3')];
  return spawnSync(node, args, { stdio: 'ignore', timeout: 20_000, env: {} }).status === 0;
}

/**
 * A Node binary that runs `driver` (forced with RELAY_SQLITE_DRIVER) in a child process, or null: node:sqlite on a
 * Node 22.13+ or 24, better-sqlite3 on whichever Node its compiled binary fits (Node 20 here). Found with
 * helpers/node-versions.ts (RELAY_NODE_<major>, this process, .tmp/node/<major>, PATH), once per test file.
 */
export function nodeFor(driver: DriverName): string | null {
  if (runners.has(driver)) return runners.get(driver) ?? null;
  const found =
    driver === 'node:sqlite'
      ? [findNode(22, '22.13'), findNode(24)].find((n) => n !== null)?.path
      : [findNode(20), findNode(22), findNode(24)]
          .filter((n) => n !== null)
          .map((n) => n.path)
          .find(betterSqlite3LoadsUnder);
  runners.set(driver, found ?? null);
  return found ?? null;
}

/** The child processes of a two-driver test, or the reason they cannot run here (required in CI). */
export function crossDriverRunners(): { node: Record<DriverName, string> } | { missing: string } {
  if (repeatPass('SQLite: two drivers on one file')) return { missing: 'run in the Node 20 pass' };
  const node: Partial<Record<DriverName, string>> = {};
  const absent: string[] = [];
  for (const driver of DRIVERS) {
    const found = nodeFor(driver);
    if (found === null) absent.push(driver);
    else node[driver] = found;
  }
  if (absent.length === 0) return { node: node as Record<DriverName, string> };
  const missing =
    `no Node binary here runs ${absent.join(' or ')} (node:sqlite needs Node 22.13+: run ` +
    '`node scripts/node-versions.mjs`, or set RELAY_NODE_22)';
  if (isCI()) throw new Error(`CI needs both SQLite drivers: ${missing}`);
  return { missing };
}
