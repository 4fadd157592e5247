// Routing and liveness rules shared by every Store backend: which mailboxes a message goes to, which sessions are
// alive, and which name a new session gets. Pure functions over plain data: no SQL, no I/O but the pid probe.
import { randomUUID } from 'node:crypto';

import { quoted } from '../lib/text.js';
import { KNOWN_KINDS, orList, similarNames } from './kinds.js';
import { displayKind, EVERYONE, type Reader, RelayError, SEED_KINDS, type SessionInfo } from './store.js';

/** A live session refreshes its last_seen this often. */
export const HEARTBEAT_MS = 60_000;
/** A session silent this long is dead even if a process with its pid exists (pid reuse, another host). */
export const SESSION_TTL_MS = 5 * HEARTBEAT_MS;
/** Ended or dead sessions are forgotten after this long, unless mail still waits for them. */
export const SESSION_FORGET_MS = 7 * 24 * 3_600_000;

/** The mailbox of a session; a kind's shared mailbox is the kind itself (the seed's two rows use it too). */
export function sessionMailbox(kind: string, name: string): string {
  return `${kind}/${name}`;
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Liveness {
  now: Date;
  host: string;
  /** Injected in tests. */
  pidAlive?: (pid: number) => boolean;
  /**
   * How long ago the session's heartbeat last moved. Default: `now - last_seen`, right where every relay writes
   * last_seen by one clock (PostgreSQL's). SQLite has no shared clock: there it is HeartbeatAges, as this reader saw it.
   */
  age?: (session: Pick<SessionInfo, 'host' | 'pid' | 'name' | 'last_seen'>) => number;
}

/** Alive: its heartbeat moved within the TTL and, on this host, its process still exists. */
export function isLive(session: Pick<SessionInfo, 'host' | 'pid' | 'name' | 'last_seen'>, live: Liveness): boolean {
  const age = live.age !== undefined ? live.age(session) : live.now.getTime() - Date.parse(session.last_seen);
  if (!Number.isFinite(age) || age > SESSION_TTL_MS) return false;
  if (session.host !== live.host) return true;
  return (live.pidAlive ?? pidAlive)(session.pid);
}

/**
 * How much another process's clock may differ from this one's before a session is misjudged at first sight.
 * Afterwards only this reader's own steady clock counts.
 */
export const CLOCK_SKEW_MS = 15 * 60_000;

/**
 * Heartbeat ages as one reader observes them (16.10): a session is as old as the time, on this reader's steady
 * clock, since its last_seen last changed, whatever clock wrote it. At first sight its written age counts, less
 * CLOCK_SKEW_MS. So a session whose clock is behind, or a step of this machine's clock, kills nobody.
 */
export class HeartbeatAges {
  private seen = new Map<string, { lastSeen: string; at: number }>();

  /** `elapsed`: a clock that only moves forward (default performance.now); `now`: the wall clock, for first sight. */
  constructor(
    private readonly now: () => Date,
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  readonly age = (session: Pick<SessionInfo, 'host' | 'pid' | 'name' | 'last_seen'>): number => {
    const key = JSON.stringify([session.host, session.pid, session.name]);
    const at = this.elapsed();
    const known = this.seen.get(key);
    if (known !== undefined && known.lastSeen === session.last_seen) return at - known.at;
    const written = this.now().getTime() - Date.parse(session.last_seen);
    // A heartbeat that moved since the last look is fresh; one seen for the first time is as old as written, less skew.
    const age = known !== undefined ? 0 : Number.isFinite(written) ? Math.max(0, written - CLOCK_SKEW_MS) : Infinity;
    if (Number.isFinite(age)) this.seen.set(key, { lastSeen: session.last_seen, at: at - age });
    return age;
  };

  /** Keeps only the sessions still in the table. */
  retain(sessions: readonly Pick<SessionInfo, 'host' | 'pid' | 'name'>[]): void {
    const keep = new Set(sessions.map((s) => JSON.stringify([s.host, s.pid, s.name])));
    for (const key of this.seen.keys()) if (!keep.has(key)) this.seen.delete(key);
  }
}

/** Sessions as routing sees them: who is live, who is remembered (mail waits for them), who may be forgotten. */
export interface SessionView {
  live: SessionInfo[];
  known: SessionInfo[];
  /** Kinds that may be addressed: the seed's two and every kind a remembered or live session has. */
  knownKinds: Set<string>;
}

/**
 * Sorts session rows into live, remembered, and long gone (`forget`: the caller deletes those unless mail still
 * waits for the name, and then keeps it among the remembered).
 */
export function classifySessions(
  rows: readonly (SessionInfo & { ended: boolean })[],
  liveness: Liveness,
): SessionView & { forget: SessionInfo[] } {
  const view: SessionView & { forget: SessionInfo[] } = {
    live: [],
    known: [],
    knownKinds: new Set(SEED_KINDS),
    forget: [],
  };
  const forgetBefore = liveness.now.getTime() - SESSION_FORGET_MS;
  for (const { ended, ...session } of rows) {
    if (!ended && isLive(session, liveness)) view.live.push(session);
    else if (Date.parse(session.last_seen) >= forgetBefore) view.known.push(session);
    else view.forget.push(session);
    view.knownKinds.add(session.kind);
  }
  return view;
}

/**
 * Whether `name` is reserved for a client kind other than `kind`: any kind relay knows by name (KNOWN_KINDS, even
 * before such a client first connects) or that has connected here, in any case. `to: "cursor"` always means the
 * kind, so a session of that name would lose its mail the moment a Cursor connects.
 */
export function isKindName(name: string, kind: string, knownKinds: Iterable<string> = []): boolean {
  const lower = name.toLowerCase();
  return [...KNOWN_KINDS, ...knownKinds].some((k) => k !== kind && k.toLowerCase() === lower);
}

/**
 * The name a new session of `kind` gets: `wanted`; for a kind's name (isKindName) `<wanted>-<kind>` instead (a
 * Code session in a directory called `cursor` is `cursor-code`); then the first free `-2`, `-3`, ... when a live
 * session holds it.
 */
export function registrationName(wanted: string, kind: string, view: SessionView): string {
  const taken = new Set(view.live.map((s) => s.name));
  const base = isKindName(wanted, kind, view.knownKinds) ? `${wanted.slice(0, 63 - kind.length)}-${kind}` : wanted;
  return pickName(base, taken);
}

/** `wanted` if no live session holds it, else the first free `wanted-2`, `wanted-3`, ... */
export function pickName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let n = 2; ; n++) {
    const candidate = `${wanted.slice(0, 60)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A session name from a directory name: unsafe characters become '-', empty becomes the kind. */
export function nameFromDirectory(dir: string, fallback: string): string {
  const cleaned = dir
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 48);
  return cleaned === '' ? fallback : cleaned;
}

export interface Route {
  /** Mailboxes to put the message in. */
  mailboxes: string[];
  /** For the sender: session names, or `<kind> (next to fetch)`. */
  recipients: string[];
}

export interface RouteInput {
  /** A session name, a kind, or '*'. */
  to: string;
  senderKind: string;
  /** The sending session, or null outside a session. */
  from: string | null;
  /** Live sessions (observers included; they receive nothing). */
  live: readonly SessionInfo[];
  /** Kinds that can be addressed even with no live session: the seed's two and any kind seen before. */
  knownKinds: ReadonlySet<string>;
  /** Sessions not live now but remembered (their mail waits for them). */
  known: readonly Pick<SessionInfo, 'name' | 'kind'>[];
}

/** Resolves an address to mailboxes, or throws RelayError('unknown_recipient') listing the live sessions. */
export function route(input: RouteInput): Route {
  const to = canonicalAddress(input);
  const { from, live } = input;
  const addressable = live.filter((s) => !s.observer && s.name !== from);
  if (to === EVERYONE) {
    if (addressable.length === 0) {
      throw new RelayError(
        'unknown_recipient',
        'No other session is connected, so "*" reaches nobody; send to "desktop" or "code" to leave the message for the next one.',
      );
    }
    return toSessions(addressable);
  }
  const liveKinds = new Set(live.map((s) => s.kind));
  if (input.knownKinds.has(to) || liveKinds.has(to)) {
    const ofKind = addressable.filter((s) => s.kind === to);
    if (ofKind.length > 0) return toSessions(ofKind);
    return { mailboxes: [to], recipients: [`${to} (next to fetch)`] };
  }
  const named = live.find((s) => s.name === to) ?? input.known.find((s) => s.name === to);
  if (named !== undefined && !('observer' in named && named.observer)) {
    if (named.name === from) {
      throw new RelayError(
        'unknown_recipient',
        `${quoted(to)} is this session itself; name another session, a kind ("desktop", "code") or "*".`,
      );
    }
    return { mailboxes: [sessionMailbox(named.kind, named.name)], recipients: [named.name] };
  }
  throw new RelayError('unknown_recipient', unknownRecipient(to, input));
}

/** Every name a message may be addressed to: kinds, and live and remembered sessions (observers receive nothing). */
function addresses(input: RouteInput): string[] {
  return [
    ...input.knownKinds,
    ...input.live.map((s) => s.kind),
    ...input.live.filter((s) => !s.observer).map((s) => s.name),
    ...input.known.map((s) => s.name),
  ];
}

/** `to` when it names something exactly; else the one address it matches ignoring case ("Desktop"); else `to`. */
function canonicalAddress(input: RouteInput): string {
  const { to } = input;
  if (to === EVERYONE) return to;
  const all = new Set(addresses(input));
  if (all.has(to)) return to;
  const lower = to.toLowerCase();
  const same = [...all].filter((a) => a.toLowerCase() === lower);
  return same.length === 1 ? same[0]! : to;
}

function toSessions(sessions: readonly SessionInfo[]): Route {
  return {
    mailboxes: sessions.map((s) => sessionMailbox(s.kind, s.name)),
    recipients: sessions.map((s) => s.name),
  };
}

function unknownRecipient(to: string, input: RouteInput): string {
  const list = input.live.filter((s) => !s.observer).map((s) => `${s.name} (${displayKind(s.kind)})`);
  const sessions =
    list.length > 0 ? `Live sessions: ${list.join(', ')}. Send to one of them,` : 'No session is live right now. Send';
  const near = similarNames(
    to,
    addresses(input).filter((a) => a !== input.from),
  ).slice(0, 3);
  const guess = near.length > 0 ? ` Did you mean ${orList(near.map((n) => `"${n}"`))}?` : '';
  return `No session or client kind is called ${quoted(to)}.${guess} ${sessions} to a kind ("desktop", "code"), or to "*" for everyone.`;
}

/** Who holds notice leases: one notifying loop of one process, `<host>/<pid>/<random>`. */
export function noticeOwner(host: string, pid: number): string {
  return `${host}/${pid}/${randomUUID()}`;
}

/** Whether a lease holder is a process of this host that has died (its lease is over at once). */
function holderGone(owner: string, liveness: Liveness): boolean {
  const parts = owner.split('/');
  if (parts.length < 3) return false;
  const pid = Number(parts.at(-2));
  return parts.slice(0, -2).join('/') === liveness.host && !(liveness.pidAlive ?? pidAlive)(pid);
}

/** A message nobody has shown a notice of, as both backends read it for leasing. */
export interface NoticeCandidate {
  id: number;
  notify_owner: string | null;
  notify_until: string | null;
  /** Whether some addressee has not read it (SQLite gives 0/1). */
  unread: boolean | number;
}

/**
 * Which candidates (oldest first) `owner` leases (at most `limit`), which are settled silently (read by everyone),
 * and when the earliest lease held by someone else ends.
 */
export function planNotices(
  candidates: readonly NoticeCandidate[],
  owner: string,
  limit: number,
  liveness: Liveness,
): { lease: number[]; silent: number[]; retryAt: string | null } {
  const now = liveness.now.toISOString();
  const plan = { lease: [] as number[], silent: [] as number[], retryAt: null as string | null };
  for (const c of candidates) {
    if (!c.unread) {
      plan.silent.push(c.id);
      continue;
    }
    const held =
      c.notify_owner !== null &&
      c.notify_owner !== owner &&
      c.notify_until !== null &&
      c.notify_until > now &&
      !holderGone(c.notify_owner, liveness);
    if (held) {
      if (plan.retryAt === null || (c.notify_until as string) < plan.retryAt) plan.retryAt = c.notify_until;
    } else if (plan.lease.length < limit) {
      plan.lease.push(c.id);
    }
  }
  return plan;
}

/** The mailboxes a reader reads, as both backends' queries take them. */
export interface ReaderScope {
  /** The reader's own mailbox; '' outside a session, which matches none (so the kind's rows are not read twice). */
  own: string;
  /** Its kind's shared mailbox. */
  kind: string;
  /** Its session name: the shared mailbox leaves out what this session sent itself. */
  name: string | null;
}

export function readerScope(reader: Reader): ReaderScope {
  return {
    own: reader.name === null ? '' : sessionMailbox(reader.kind, reader.name),
    kind: reader.kind,
    name: reader.name,
  };
}

/** The inbox rows a fetch of messages by id marks (with unreadOnly false): the message in either mailbox. */
export function scopeRows(ids: readonly number[], scope: ReaderScope): { mailbox: string; message_id: number }[] {
  return ids.flatMap((id) => [
    { mailbox: scope.own, message_id: id },
    { mailbox: scope.kind, message_id: id },
  ]);
}
