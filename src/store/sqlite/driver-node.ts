// The node:sqlite driver (Node's built-in SQLite: no native add-on to build or to be refused by macOS Library
// Validation). Loaded through process.getBuiltinModule, so a Node without it costs nothing and a bundle needs no
// import of it. Node prints a one-time ExperimentalWarning when the module loads; exactly that warning is
// swallowed here (it would land in Claude Desktop's log on every start), every other warning passes.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  type Connection,
  type Driver,
  type DriverLoader,
  immediate,
  type OpenOptions,
  type Statement,
} from './connection.js';

/** The part of node:sqlite this driver uses (@types/node 20 does not describe the module). */
interface NodeSqlite {
  DatabaseSync: new (location: string, options?: { readOnly?: boolean }) => DatabaseSync;
}
interface DatabaseSync {
  exec(sql: string): void;
  prepare(sql: string): StatementSync;
  close(): void;
  /** Node 22.16+. */
  readonly isTransaction?: boolean;
}
type Row = Record<string, unknown>;
interface StatementSync {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
  iterate(...params: unknown[]): IterableIterator<Row>;
}

const WARNING = /^SQLite is an experimental feature/;

/** Loads node:sqlite with its one ExperimentalWarning silenced. */
function loadModule(): NodeSqlite {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const text = typeof warning === 'string' ? warning : warning.message;
    const name = typeof warning === 'string' ? type : warning.name;
    if (name === 'ExperimentalWarning' && WARNING.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const sqlite = getBuiltin?.call(process, 'node:sqlite') as NodeSqlite | undefined;
    if (sqlite?.DatabaseSync === undefined) {
      throw new Error(`Node ${process.versions.node} has no node:sqlite without a flag (it needs 22.13 or later)`);
    }
    return sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}

export const nodeSqliteDriver: DriverLoader = {
  name: 'node:sqlite',
  load(): Driver {
    const { DatabaseSync } = loadModule();
    const probe = new DatabaseSync(':memory:');
    const sqliteVersion = String(Object.values(probe.prepare('SELECT sqlite_version()').get() ?? {})[0]);
    probe.close();
    // Without URI support 'file::memory:' is a file name, and a read-only open of a file that does not exist fails.
    let uriFilenames = false;
    try {
      new DatabaseSync('file::memory:', { readOnly: true }).close();
      uriFilenames = true;
    } catch {
      // Node 22.13-22.14.
    }
    return {
      name: 'node:sqlite',
      sqliteVersion,
      uriFilenames,
      open(file: string, options: OpenOptions = {}): Connection {
        // Where Node understands URIs, a relative path that starts with "file:" would be read as one.
        let location = file.startsWith('file:') ? path.resolve(file) : file;
        if (options.immutable === true) {
          if (!uriFilenames)
            throw new Error(`node:sqlite on Node ${process.versions.node} cannot open a file immutable`);
          location = `${pathToFileURL(path.resolve(file)).href}?immutable=1`;
        }
        const db = new DatabaseSync(location, { readOnly: options.readOnly === true || options.immutable === true });
        return connection(db, options.busyTimeoutMs ?? 5_000);
      },
    };
  },
};

function connection(db: DatabaseSync, busyTimeoutMs: number): Connection {
  // Tracked here where Node (before 22.16) does not say; reset by COMMIT and ROLLBACK.
  let open = false;
  const exec = (sql: string): void => {
    db.exec(sql);
    if (/^\s*BEGIN\b/i.test(sql)) open = true;
    else if (/^\s*(COMMIT|ROLLBACK|END)\b/i.test(sql)) open = false;
  };
  const inTransaction = (): boolean => db.isTransaction ?? open;
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  return {
    exec,
    prepare: <P, R>(sql: string) => statement<P, R>(db.prepare(sql), rowOf),
    pluck: <P, V>(sql: string) => statement<P, V>(db.prepare(sql), firstValue),
    pragma: (text: string) => {
      const row = db.prepare(`PRAGMA ${text}`).get();
      return row === undefined ? undefined : firstValue(row);
    },
    immediate: <T>(body: () => T) => immediate(exec, inTransaction, body),
    get inTransaction() {
      return inTransaction();
    },
    close: () => db.close(),
  };
}

/** Typed arguments become the one named-parameter object (or nothing) node:sqlite takes. */
function statement<P, R>(stmt: StatementSync, shape: (row: Row) => unknown): Statement<P, R> {
  return {
    run: (...args) => {
      const result = stmt.run(...args);
      return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
    },
    get: (...args) => {
      const row = stmt.get(...args);
      return row === undefined ? undefined : (shape(row) as R);
    },
    all: (...args) => stmt.all(...args).map((row) => shape(row) as R),
    iterate: function* (...args) {
      for (const row of stmt.iterate(...args)) yield shape(row) as R;
    },
  };
}

/** BLOBs come back as Uint8Array; the store (like better-sqlite3) works with Buffer, over the same memory. */
function rowOf(row: Row): Row {
  for (const key in row) {
    const value = row[key];
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return row;
}

function firstValue(row: Row): unknown {
  for (const key in row) return rowOf(row)[key];
  return undefined;
}
