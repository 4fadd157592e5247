// The SQLite driver seam: the only code that knows node:sqlite and better-sqlite3 exist. The store talks to a
// Connection (exec, typed prepared statements with named parameters, IMMEDIATE transactions, pragmas) and reads
// SQLite's result codes by name through sqliteCode(). Which driver runs is chosen once per process:
// RELAY_SQLITE_DRIVER=node|better-sqlite3 forces one; otherwise node:sqlite where Node has it without a flag
// (22.13+, 23.4+, 24+), else better-sqlite3, else one RelayError saying what to install. No relay SQL here.
import { RelayError } from '../store.js';
import type { Driver, DriverLoader, DriverName } from './connection.js';
import { betterSqlite3Driver } from './driver-better-sqlite3.js';
import { nodeSqliteDriver } from './driver-node.js';

const LOADERS: Record<DriverName, DriverLoader> = {
  'node:sqlite': nodeSqliteDriver,
  'better-sqlite3': betterSqlite3Driver,
};
/** RELAY_SQLITE_DRIVER's values. */
const FORCED: Record<string, DriverName> = {
  node: 'node:sqlite',
  'node:sqlite': 'node:sqlite',
  'better-sqlite3': 'better-sqlite3',
};

/** Node versions with node:sqlite unflagged: 22.13+, 23.4+, 24+ (22.5-22.12 and 23.0-23.3 need a flag). */
export function hasUnflaggedNodeSqlite(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major >= 24 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13);
}

let chosen: Driver | undefined;
const loaded = new Map<DriverName, Driver>();

/**
 * The driver this process uses, chosen on first call. Throws RelayError('unavailable') naming the Node version and
 * what to install when none loads, or when RELAY_SQLITE_DRIVER names one that cannot load.
 */
export function sqliteDriver(): Driver {
  chosen ??= chooseDriver(process.env.RELAY_SQLITE_DRIVER, process.versions.node);
  return chosen;
}

/** One driver by name (tests run the store on each); throws RelayError('unavailable') when it does not load. */
export function loadDriver(name: DriverName): Driver {
  const known = loaded.get(name);
  if (known !== undefined) return known;
  try {
    const driver = LOADERS[name].load();
    loaded.set(name, driver);
    return driver;
  } catch (error) {
    throw new RelayError('unavailable', `The SQLite driver ${name} does not load here: ${oneLine(error)}.`);
  }
}

/** The choice itself: `forced` is RELAY_SQLITE_DRIVER's value. */
export function chooseDriver(forced: string | undefined, nodeVersion: string): Driver {
  if (forced !== undefined && forced !== '') {
    const name = FORCED[forced];
    if (name === undefined) {
      throw new RelayError(
        'unavailable',
        `RELAY_SQLITE_DRIVER=${forced} is not a SQLite driver relay knows; use "node" (node:sqlite) or "better-sqlite3", ` +
          'or unset it to let relay choose.',
      );
    }
    try {
      return loadDriver(name);
    } catch (error) {
      throw new RelayError(
        'unavailable',
        `RELAY_SQLITE_DRIVER=${forced}: ${(error as Error).message} Unset it to let relay choose.`,
      );
    }
  }
  const failures: string[] = [];
  const order: DriverName[] = hasUnflaggedNodeSqlite(nodeVersion)
    ? ['node:sqlite', 'better-sqlite3']
    : ['better-sqlite3'];
  for (const name of order) {
    try {
      return loadDriver(name);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  throw new RelayError('unavailable', noDriver(nodeVersion, failures));
}

/** Said wherever relay runs (npx, the Claude Code plugin, the Desktop extension): what is missing and what to do. */
export function noDriver(nodeVersion: string, failures: readonly string[] = []): string {
  const why = failures.length > 0 ? ` (${failures.join(' ')})` : '';
  const builtIn = hasUnflaggedNodeSqlite(nodeVersion)
    ? `Node ${nodeVersion}'s built-in node:sqlite did not load`
    : `Node ${nodeVersion} has no built-in SQLite (node:sqlite needs Node 22.13 or later)`;
  return (
    `relay needs SQLite: ${builtIn} and better-sqlite3 is not installed or does not load${why}. Install Node 22.13 ` +
    'or later, or install relay with npm (npm install -g mcp-server-relay), which builds better-sqlite3.'
  );
}

/** A load error on one line (a native module's mismatch spans several), cut to what a person reads. */
function oneLine(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text.replace(/\.$/, '');
}

/** The primary result codes, by number (sqlite3.h). */
const PRIMARY = [
  'OK',
  'ERROR',
  'INTERNAL',
  'PERM',
  'ABORT',
  'BUSY',
  'LOCKED',
  'NOMEM',
  'READONLY',
  'INTERRUPT',
  'IOERR',
  'CORRUPT',
  'NOTFOUND',
  'FULL',
  'CANTOPEN',
  'PROTOCOL',
  'EMPTY',
  'SCHEMA',
  'TOOBIG',
  'CONSTRAINT',
  'MISMATCH',
  'MISUSE',
  'NOLFS',
  'AUTH',
  'FORMAT',
  'RANGE',
  'NOTADB',
  'NOTICE',
  'WARNING',
];
/** The extended codes the store tells apart (the rest are named by their primary code). */
const EXTENDED: Record<number, string> = { 517: 'BUSY_SNAPSHOT', 778: 'IOERR_WRITE', 1544: 'READONLY_DIRECTORY' };

/**
 * An SQLite error's result code by name ('SQLITE_BUSY', 'SQLITE_IOERR_WRITE', ...), whichever driver threw it;
 * undefined for anything that is not an SQLite error.
 */
export function sqliteCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errcode?: unknown } | null;
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) return e.code;
  if (typeof e?.errcode === 'number') {
    const name = EXTENDED[e.errcode] ?? PRIMARY[e.errcode & 0xff];
    return name === undefined ? 'SQLITE_ERROR' : `SQLITE_${name}`;
  }
  return undefined;
}

/** 'SQLITE_BUSY_SNAPSHOT' -> 'SQLITE_BUSY'. */
export function primaryCode(code: string | undefined): string | undefined {
  return code?.replace(/^(SQLITE_[A-Z]+?)(_[A-Z_]+)?$/, '$1');
}

/**
 * Runs `step`, retrying while SQLite says SQLITE_BUSY, for at most `timeoutMs`. For the few operations SQLite's
 * busy handler does not wait on (switching to WAL takes such a lock), so relays starting together do not fail.
 */
export function retryBusy<T>(step: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      return step();
    } catch (error) {
      if (primaryCode(sqliteCode(error)) !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, delay);
    }
  }
}
