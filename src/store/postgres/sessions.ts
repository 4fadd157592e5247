// The PostgreSQL store's sessions: registering (one at a time across every relay, under an advisory lock),
// heartbeats, ending, and the view routing and listing read. The rules themselves (liveness, names) are routing.ts's.
import type pg from 'pg';

import type { StoreSettings } from '../options.js';
import { classifySessions, registrationName, sessionMailbox, type SessionView } from '../routing.js';
import { sessionFromRow } from '../rows.js';
import type { SessionInfo, SessionInput, SessionKey } from '../store.js';
import { type PgSessionRow, SESSIONS_LOCK, SQL } from './queries.js';

type Db = pg.PoolClient | pg.Pool;

/** Inside a transaction: registers under the wanted name or the first free `<name>-N`. */
export async function registerSession(
  db: pg.PoolClient,
  input: SessionInput,
  settings: StoreSettings,
): Promise<SessionInfo> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [SESSIONS_LOCK]);
  const name = registrationName(input.name, input.kind, await sessionView(db, settings, 'route', true));
  const now = settings.now().toISOString();
  await db.query(SQL.upsertSession, [name, input.kind, input.cwd, input.host, input.pid, input.observer, now]);
  const row = (await db.query<PgSessionRow>(SQL.sessionRows)).rows.find((r) => r.name === name) as PgSessionRow;
  const { ended: _, ...info } = sessionFromRow(row, row.unread);
  return info;
}

/** False when the session no longer holds its name. */
export async function touchSession(db: Db, session: SessionKey, settings: StoreSettings): Promise<boolean> {
  const result = await db.query(SQL.touchSession, [
    settings.now().toISOString(),
    session.name,
    session.pid,
    session.host,
  ]);
  return (result.rowCount ?? 0) > 0;
}

export async function endSession(db: Db, session: SessionKey, settings: StoreSettings): Promise<void> {
  await db.query(SQL.endSession, [settings.now().toISOString(), session.name, session.pid, session.host]);
}

/** Drops an ended session's row, unless mail still waits for it. */
export async function forgetSession(db: Db, session: SessionKey): Promise<boolean> {
  const result = await db.query(SQL.forgetEnded, [session.name, session.pid, session.host]);
  return (result.rowCount ?? 0) > 0;
}

/**
 * Live sessions, remembered ones, and the kinds that may be addressed. In a write transaction it also tidies away
 * long-dead sessions; for routing it leaves out the unread counts nobody reads there.
 */
export async function sessionView(
  db: Db,
  settings: StoreSettings,
  use: 'list' | 'route',
  write: boolean,
): Promise<SessionView> {
  const { rows } = await db.query<PgSessionRow>(use === 'list' ? SQL.sessionRows : SQL.sessionRoutes);
  const { now, host, pidAlive } = settings;
  const view = classifySessions(
    rows.map((row) => sessionFromRow(row, row.unread)),
    { now: now(), host, ...(pidAlive ? { pidAlive } : {}) },
  );
  for (const row of view.forget) {
    // Long gone: forgotten, unless mail still waits for the name.
    const mailbox = sessionMailbox(row.kind, row.name);
    const forgotten = write && ((await db.query(SQL.forgetSession, [row.name, mailbox])).rowCount ?? 0) > 0;
    if (!forgotten) view.known.push(row);
  }
  return view;
}
