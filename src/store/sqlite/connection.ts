// What the SQLite store sees of a driver: a Connection with exec, typed prepared statements with named
// parameters, IMMEDIATE transactions and pragmas. Types only, and the one transaction helper both drivers share.

export type DriverName = 'node:sqlite' | 'better-sqlite3';

export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

/**
 * A statement's arguments: one object of named parameters (`@name` in the SQL; what the store uses), a tuple of
 * positional ones (`?`, for SQL quoted from elsewhere, such as the seed's), or none.
 */
export type Args<P> = [P] extends [void] ? [] : P extends readonly unknown[] ? P : [params: P];

/** A prepared statement, typed by its named parameters `P` and the row (or, plucked, the value) `R` it returns. */
export interface Statement<P = void, R = never> {
  run(...args: Args<P>): RunResult;
  get(...args: Args<P>): R | undefined;
  all(...args: Args<P>): R[];
  iterate(...args: Args<P>): IterableIterator<R>;
}

export interface OpenOptions {
  /** Never write; the file must exist. */
  readOnly?: boolean;
  /**
   * Read-only without locks, WAL index or -wal/-shm files: for a file nothing else has open. Only drivers with
   * `uriFilenames` can (SQLite's `immutable` URI parameter).
   */
  immutable?: boolean;
  /** How long a statement waits for another connection's lock (PRAGMA busy_timeout). Default 5 s. */
  busyTimeoutMs?: number;
}

export interface Connection {
  /** Runs SQL without results (several statements allowed). */
  exec(sql: string): void;
  prepare<P = void, R = never>(sql: string): Statement<P, R>;
  /** A statement returning the first column of each row, e.g. `SELECT count(*) ...`. */
  pluck<P = void, V = never>(sql: string): Statement<P, V>;
  /** `PRAGMA <text>`: the first column of its first row, or undefined when it returns none. */
  pragma(text: string): unknown;
  /** Runs `body` in one BEGIN IMMEDIATE transaction: committed if it returns, rolled back if it throws. */
  immediate<T>(body: () => T): T;
  readonly inTransaction: boolean;
  close(): void;
}

export interface Driver {
  readonly name: DriverName;
  /** The SQLite library this driver runs, e.g. "3.50.4". */
  readonly sqliteVersion: string;
  /** Whether `file:` URIs (and so `immutable`) are understood: node:sqlite from 22.15; not better-sqlite3. */
  readonly uriFilenames: boolean;
  open(file: string, options?: OpenOptions): Connection;
}

/** What a driver module offers before it is known to load. */
export interface DriverLoader {
  name: DriverName;
  /** Loads the driver, or throws an Error saying why it cannot. */
  load(): Driver;
}

/**
 * BEGIN IMMEDIATE, `body`, COMMIT; ROLLBACK when anything throws (SQLite may already have rolled back on its own,
 * after SQLITE_FULL or an I/O error: that second failure is not the one to report).
 */
export function immediate<T>(exec: (sql: string) => void, inTransaction: () => boolean, body: () => T): T {
  if (inTransaction()) throw new Error('immediate() inside a transaction: the store runs one transaction at a time');
  exec('BEGIN IMMEDIATE');
  try {
    const result = body();
    exec('COMMIT');
    return result;
  } catch (error) {
    if (inTransaction()) {
      try {
        exec('ROLLBACK');
      } catch {
        // Already rolled back.
      }
    }
    throw error;
  }
}
