// Connecting to PostgreSQL for the relay store: connection settings, the schema's migration (once, whoever starts
// first), transactions with their retries, and every driver error as a RelayError sentence. It must never print or
// store the connection password: locations are redacted first.
import pg from 'pg';

import { RelayError } from '../store.js';
import { pgMigrations, pgSchemaVersion } from './migrations/index.js';

/** The URL without its password (in the user part or as a `password` parameter), for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.searchParams.delete('password');
    return parsed.toString();
  } catch {
    return 'postgres://(a URL that does not parse)';
  }
}

/** Serialises migrations of one database across every relay starting at once. */
const MIGRATE_LOCK = 0x72656c6179_01;

/** bigint (counts, ids) as a JS number: relay ids stay far below 2^53. Per pool, so other pg users are untouched. */
const INT8_OID = 20;
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;
/** Connection settings shared by the pool, the LISTEN client and the migrate command. */
export function connectionConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    application_name: 'mcp-relay',
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types,
  };
}
/**
 * Brings the `relay` schema to this relay's version; returns the server clock's offset from ours, in ms. `readOnly`
 * migrates nothing: a database without a relay store is RelayError('missing'), one at an older schema 'read_only'.
 */
export async function migratePostgres(pool: pg.Pool, location: string, readOnly = false): Promise<number> {
  const client = await pool.connect();
  try {
    const before = Date.now();
    const { rows } = await client.query<{ encoding: string; now: Date; ours: boolean; foreign: boolean }>(
      `SELECT current_setting('server_encoding') AS encoding, now() AS now,
              to_regclass('relay.relay_schema') IS NOT NULL AS ours,
              EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'relay') AS foreign`,
    );
    const after = Date.now();
    const info = rows[0]!;
    const offsetMs = info.now.getTime() - (before + after) / 2;
    if (info.encoding !== 'UTF8') {
      throw new RelayError(
        'not_relay_db',
        `The PostgreSQL database at ${location} uses the ${info.encoding} encoding; relay needs UTF8 (create one with: createdb -E ` +
          `UTF8 -T template0 NAME).`,
      );
    }
    if (!info.ours && info.foreign) {
      throw new RelayError(
        'not_relay_db',
        `The PostgreSQL database at ${location} has a schema "relay" that is not a relay store (no relay.relay_schema table); it was ` +
          `left untouched: use another database.`,
      );
    }
    let version = info.ours ? await currentVersion(client) : 0;
    checkVersion(version, location);
    if (version === pgSchemaVersion) return offsetMs;
    if (readOnly) throw unmigrated(location, version);
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      await client.query('CREATE SCHEMA IF NOT EXISTS relay');
      await client.query(
        'CREATE TABLE IF NOT EXISTS relay.relay_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      // Re-read under the lock: another relay may have migrated meanwhile.
      version = await currentVersion(client);
      checkVersion(version, location);
      for (; version < pgSchemaVersion; version++) {
        await client.query(pgMigrations[version] as string);
        await client.query('INSERT INTO relay.relay_schema (version) VALUES ($1)', [version + 1]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    return offsetMs;
  } catch (error) {
    throw error instanceof RelayError ? error : connectError(location, error);
  } finally {
    client.release();
  }
}

function unmigrated(location: string, version: number): RelayError {
  if (version === 0) {
    return new RelayError(
      'missing',
      `There is no relay store in the PostgreSQL database at ${location} yet; a relay creates it when it first starts.`,
    );
  }
  return new RelayError(
    'read_only',
    `The PostgreSQL relay store at ${location} has schema ${version} and this relay needs ${pgSchemaVersion}; start a relay once ` +
      'to upgrade it (this command only reads).',
  );
}

async function currentVersion(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM relay.relay_schema',
  );
  return rows[0]?.version ?? 0;
}

function checkVersion(version: number, location: string): void {
  if (version > pgSchemaVersion) {
    throw new RelayError(
      'newer_schema',
      `The PostgreSQL relay store at ${location} was written by a newer relay (schema ${version}, this one knows ${pgSchemaVersion}); ` +
        `upgrade mcp-server-relay.`,
    );
  }
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure to reach or use the server, as a sentence that says what to do. */
export function connectError(location: string, error: unknown): RelayError {
  const code = pgCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === '28P01' || code === '28000') {
    return new RelayError(
      'unavailable',
      `PostgreSQL at ${location} refused the login (${detail}); check the user and password in the URL.`,
    );
  }
  if (code === '3D000') {
    return new RelayError(
      'unavailable',
      `PostgreSQL at ${location}: ${detail}; create it (createdb NAME) or fix the URL.`,
    );
  }
  if (code === '42501') {
    return new RelayError(
      'unwritable',
      `PostgreSQL at ${location} does not let this user create relay's tables (${detail}); run relay once as the database owner, or ` +
        `GRANT CREATE ON DATABASE to this user.`,
    );
  }
  return new RelayError(
    'unavailable',
    `Cannot use PostgreSQL at ${location} (${detail}); check the URL and that the server is running, then try again.`,
  );
}

/** Connection-level failures (server gone, network down): worth a clear "try again", not an internal error. */
function isConnectionError(error: unknown): boolean {
  const code = pgCode(error);
  if (code !== undefined && (code.startsWith('08') || code.startsWith('57P'))) return true;
  if (
    code !== undefined &&
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN'].includes(code)
  )
    return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

/** Transactions and single statements on the store's pool, with their retries and their errors as sentences. */
export interface PgRunner {
  /**
   * One transaction on one pooled connection; retried a few times on deadlock or serialization failure, and on a
   * connection that turns out dead before COMMIT was sent (nothing of it was committed; a server restart).
   */
  write<T>(body: (db: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Statements that need no transaction: each is atomic on its own, or only reads. Retried once on a dead connection. */
  autocommit<T>(body: (db: pg.Pool) => Promise<T>): Promise<T>;
}

export function pgRunner(pool: pg.Pool, location: string, closed: () => boolean): PgRunner {
  const translate = (error: unknown) => storeError(location, closed(), error);
  return {
    async write<T>(body: (db: pg.PoolClient) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (error) {
          throw translate(error);
        }
        let broken: Error | undefined;
        let committing = false;
        try {
          await client.query('BEGIN');
          const result = await body(client);
          committing = true;
          await client.query('COMMIT');
          return result;
        } catch (error) {
          if (isConnectionError(error)) broken = error as Error;
          else await client.query('ROLLBACK').catch((e: unknown) => (broken = e as Error));
          const code = pgCode(error);
          const retry = code === '40P01' || code === '40001' || (broken !== undefined && !committing && !closed());
          if (retry && attempt < 5) continue;
          throw translate(error);
        } finally {
          // A connection that failed mid-transaction is discarded rather than returned to the pool.
          client.release(broken);
        }
      }
    },
    async autocommit<T>(body: (db: pg.Pool) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await body(pool);
        } catch (error) {
          if (attempt < 2 && isConnectionError(error) && !closed()) continue;
          throw translate(error);
        }
      }
    },
  };
}

/** An error from a store operation as the RelayError to show; anything unexpected is passed on as it is (a bug). */
export function storeError(location: string, closed: boolean, error: unknown): unknown {
  if (error instanceof RelayError) return error;
  const code = pgCode(error);
  if (code === '22021' || code === '22P05') {
    return new RelayError(
      'bad_request',
      `PostgreSQL refused a text value (${(error as Error).message}); send it without NUL or control characters in names.`,
    );
  }
  if (code === '25006') {
    return new RelayError(
      'read_only',
      `The PostgreSQL relay store at ${location} was opened read-only here; nothing was changed (use a command that writes).`,
    );
  }
  if (code === '55P03' || code === '40P01' || code === '40001') {
    return new RelayError('busy', `The PostgreSQL relay store at ${location} is busy; try again in a moment.`);
  }
  if (code === '53100') {
    return new RelayError(
      'disk_full',
      `The PostgreSQL server at ${location} is out of disk space; free some space there and try again.`,
    );
  }
  if (code === '53300') {
    return new RelayError(
      'busy',
      `The PostgreSQL server at ${location} has no connection to spare (too many clients); try again in a moment.`,
    );
  }
  if (closed) return new RelayError('unavailable', `The relay store at ${location} is closed.`);
  if (isConnectionError(error)) {
    return new RelayError(
      'unavailable',
      `Lost the connection to PostgreSQL at ${location} (${(error as Error).message}); check that the server is reachable, then ` +
        `try again.`,
    );
  }
  if (code !== undefined && (code.startsWith('28') || code === '3D000' || code === '42501')) {
    return connectError(location, error);
  }
  return error;
}
