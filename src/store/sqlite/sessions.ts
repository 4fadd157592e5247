// The SQLite store's sessions: registering, heartbeats, ending, and the view routing and listing read (who is live,
// who is remembered, which kinds may be addressed). Runs inside the store's transactions; the rules themselves
// (liveness, names) are routing.ts's.
import type { StoreSettings } from '../options.js';
import { classifySessions, HeartbeatAges, registrationName, sessionMailbox, type SessionView } from '../routing.js';
import { sessionFromRow } from '../rows.js';
import type { SessionInfo, SessionInput, SessionKey } from '../store.js';
import type { Connection } from './connection.js';
import type { Queries } from './queries.js';

/** How long a send may route by a cached list of live sessions when nothing else was written meanwhile. */
const ROUTING_VIEW_MS = 1_000;

export class SqliteSessions {
  private routing: { version: number; at: number; view: SessionView } | undefined;
  /** The sessions this store registered and has not ended, as registered: registered again in a reopened file. */
  private readonly mine = new Map<string, SessionInput>();
  /** Liveness by heartbeat age as this process observes it: SQLite's writers share no clock (16.10). */
  private readonly ages: HeartbeatAges;

  constructor(
    private db: Connection,
    private q: Queries,
    private readonly settings: StoreSettings,
  ) {
    this.ages = new HeartbeatAges(settings.now, settings.elapsed);
  }

  /** The store reopened its file (16.4): what follows runs on the new connection. */
  moveTo(db: Connection, q: Queries): void {
    this.db = db;
    this.q = q;
    this.routing = undefined;
  }

  /** Inside a write on a reopened file: this store's sessions, under their names (or the first free ones). */
  registerAgain(): void {
    const sessions = [...this.mine.values()];
    this.mine.clear();
    for (const input of sessions) this.register(input);
  }

  /** Inside a write: registers under the wanted name or the first free `<name>-N`. */
  register(input: SessionInput): SessionInfo {
    this.routing = undefined;
    const name = registrationName(input.name, input.kind, this.view(false));
    this.q.upsertSession.run({
      name,
      kind: input.kind,
      cwd: input.cwd,
      host: input.host,
      pid: input.pid,
      observer: input.observer ? 1 : 0,
      now: this.settings.now().toISOString(),
    });
    this.mine.set(keyText({ name, pid: input.pid, host: input.host }), { ...input, name });
    const { ended: _, ...info } = this.info(this.q.sessionRows.all().find((r) => r.name === name)!);
    return info;
  }

  /** Inside a write: false when the session no longer holds its name. */
  touch(session: SessionKey): boolean {
    this.routing = undefined;
    return this.q.touchSession.run({ ...key(session), at: this.settings.now().toISOString() }).changes > 0;
  }

  end(session: SessionKey): void {
    this.routing = undefined;
    this.mine.delete(keyText(session));
    this.q.endSession.run({ ...key(session), at: this.settings.now().toISOString() });
  }

  /** Inside a write: drops an ended session's row, unless mail still waits for it. */
  forget(session: SessionKey): boolean {
    this.routing = undefined;
    const mailbox = sessionMailbox(this.kindOf(session.name) ?? '', session.name);
    return this.q.forgetEnded.run({ ...key(session), mailbox }).changes > 0;
  }

  private kindOf(name: string): string | undefined {
    return this.q.sessionRows.all().find((r) => r.name === name)?.kind;
  }

  /**
   * The view for routing a send, kept until another process commits (PRAGMA data_version moves), this process
   * changes a session, or a second passes (a process may die without writing anything).
   */
  routingView(): SessionView {
    const version = this.q.dataVersion.get() ?? 0;
    const cached = this.routing;
    if (cached !== undefined && cached.version === version && Date.now() - cached.at < ROUTING_VIEW_MS) {
      return cached.view;
    }
    const view = this.view(false);
    this.routing = { version, at: Date.now(), view };
    return view;
  }

  /** Live sessions, remembered ones, and the kinds that may be addressed; in a write, tidies away long-dead ones. */
  view(withUnread: boolean): SessionView {
    const rows = this.q.sessionRows.all().map((row) => this.info(row, withUnread));
    const { now, host, pidAlive } = this.settings;
    this.ages.retain(rows);
    const view = classifySessions(rows, { now: now(), host, age: this.ages.age, ...(pidAlive ? { pidAlive } : {}) });
    for (const row of view.forget) {
      // Long gone: forgotten, unless mail still waits for the name.
      const mailbox = sessionMailbox(row.kind, row.name);
      const forgotten = this.db.inTransaction && this.q.forgetSession.run({ name: row.name, mailbox }).changes > 0;
      if (!forgotten) view.known.push(row);
    }
    return view;
  }

  private info(row: Parameters<typeof sessionFromRow>[0], withUnread = true) {
    const unread = withUnread ? (this.q.unreadCount.get({ mailbox: sessionMailbox(row.kind, row.name) }) ?? 0) : 0;
    return sessionFromRow(row, unread);
  }
}

function keyText(session: SessionKey): string {
  return JSON.stringify([session.host, session.pid, session.name]);
}

function key(session: SessionKey): SessionKey {
  return { name: session.name, pid: session.pid, host: session.host };
}
