// The better-sqlite3 driver: a native add-on, an optional dependency, and what runs on Node 20 (or where
// RELAY_SQLITE_DRIVER=better-sqlite3 asks for it). Loaded with require() at run time only when chosen, so a bundle
// or an install without it still starts on node:sqlite.
import { createRequire } from 'node:module';

import type BetterSqlite3 from 'better-sqlite3';

import {
  type Connection,
  type Driver,
  type DriverLoader,
  immediate,
  type OpenOptions,
  type Statement,
} from './connection.js';

// Not named `require`: the bundler would try to resolve a literal require() of it at build time.
const requireOptional = createRequire(import.meta.url);

export const betterSqlite3Driver: DriverLoader = {
  name: 'better-sqlite3',
  load(): Driver {
    const Database = requireOptional('better-sqlite3') as typeof BetterSqlite3;
    // Loading the module does not load the native binary; opening a database does (and fails if it cannot).
    const probe = new Database(':memory:');
    const sqliteVersion = probe.prepare('SELECT sqlite_version()').pluck().get() as string;
    probe.close();
    return {
      name: 'better-sqlite3',
      sqliteVersion,
      uriFilenames: false,
      open(file: string, options: OpenOptions = {}): Connection {
        if (options.immutable === true)
          throw new Error('better-sqlite3 cannot open a file immutable (no URI filenames)');
        const readonly = options.readOnly === true;
        const db = new Database(file, {
          readonly,
          fileMustExist: readonly,
          timeout: options.busyTimeoutMs ?? 5_000,
        });
        return connection(db);
      },
    };
  },
};

function connection(db: BetterSqlite3.Database): Connection {
  const exec = (sql: string): void => {
    db.exec(sql);
  };
  const inTransaction = (): boolean => db.inTransaction;
  return {
    exec,
    prepare: <P, R>(sql: string) => statement<P, R>(db.prepare(sql)),
    pluck: <P, V>(sql: string) => statement<P, V>(db.prepare(sql).pluck()),
    pragma: (text: string) => db.pragma(text, { simple: true }),
    immediate: <T>(body: () => T) => immediate(exec, inTransaction, body),
    get inTransaction() {
      return inTransaction();
    },
    close: () => db.close(),
  };
}

function statement<P, R>(stmt: BetterSqlite3.Statement): Statement<P, R> {
  // better-sqlite3 takes the same named-parameter object; ids stay far below 2^53, so numbers, not bigints.
  return {
    run: (...args) => {
      const result = stmt.run(...args);
      return { changes: result.changes, lastInsertRowid: Number(result.lastInsertRowid) };
    },
    get: (...args) => stmt.get(...args) as R | undefined,
    all: (...args) => stmt.all(...args) as R[],
    iterate: (...args) => stmt.iterate(...args) as IterableIterator<R>,
  };
}
