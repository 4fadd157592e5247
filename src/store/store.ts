// The Store interface and the message/session types: the only storage surface tools, CLI commands and the notifier
// see. No SQL and no driver types here: a network-backed store implements the same interface.
//
// "The seed" is the Python relay this one grew from and stays compatible with: mcp-server-relay 1.2.4. Its tool
// names, its database file (~/.relay_buffer.db, table `messages` with six columns) and its two client kinds are
// kept; a seed file is upgraded in place, and a seed process may go on reading and writing it beside us.
//
// The model, shared by every backend:
// - A relay process is a *session* with a client kind ('desktop', 'code', or another client's own name) and a name
//   unique among live sessions. Each session has a mailbox; each kind also has a shared mailbox.
// - A message is addressed to a session name, a kind, or '*'. Sent to a kind, it lands in the mailbox of every live
//   session of that kind (not the sender); when none is live, in the kind's shared mailbox, which the first session
//   of that kind to fetch takes (the seed's behaviour). Every mailbox has its own read state, so every addressee gets
//   a message exactly once and one session's read hides nothing from another.
// - The seed's read_by_desktop_at / read_by_code_at stay filled (first reader of that kind), for the seed.

/** The two kinds the seed knows; their names and routing are a contract. */
export const SEED_KINDS = ['desktop', 'code'] as const;
export type SeedKind = (typeof SEED_KINDS)[number];

/** A client kind: 'desktop', 'code', or another MCP client's own lower-case name ('cursor', 'codex'). */
export const KIND_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** A session name: letters, digits, '.', '_' and '-', starting with a letter or digit. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Addresses every live session but the sender. */
export const EVERYONE = '*';

export function isKind(value: unknown): value is string {
  return typeof value === 'string' && KIND_PATTERN.test(value);
}

/** Where a message goes when no recipient is named: Desktop -> every Code session, everyone else -> Desktop. */
export function defaultRecipient(senderKind: string): string {
  return senderKind === 'desktop' ? 'code' : 'desktop';
}

/** 'code' -> 'Code', for titles and the seed's `N. [Sender]: text` format. */
export function displayKind(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** A file carried with a message. Its bytes are read separately (resource or relay_attachment). */
export interface AttachmentInfo {
  id: number;
  name: string;
  media_type: string;
  size: number;
}

/** A stored message: the seed's six fields, then routing. Field names are a contract with clients. */
export interface RelayMessage {
  id: number;
  /** The sender's client kind. */
  sender: string;
  message: string;
  /** ISO 8601 UTC with offset, e.g. 2026-11-24T21:48:23.123000+00:00 (the seed's format). */
  timestamp: string;
  read_by_desktop_at: string | null;
  read_by_code_at: string | null;
  /** The sending session's name (the sender kind when it was sent from outside a session). */
  from: string;
  /** As addressed: a session name, a kind, or '*'. */
  to: string;
  reply_to: number | null;
  /** Present only when the message carries files. */
  attachments?: AttachmentInfo[];
}

export interface AttachmentInput {
  name: string;
  mediaType: string;
  data: Buffer;
}

export interface SendInput {
  /** The sender's client kind. */
  sender: string;
  /** The sending session's name; null or absent when sent from outside a session (CLI, no --client). */
  from?: string | null | undefined;
  /** A session name, a kind or '*'; default: the sender of `replyTo`, else defaultRecipient(sender). */
  to?: string | undefined;
  replyTo?: number | undefined;
  message: string;
  attachments?: readonly AttachmentInput[] | undefined;
}

export interface SendResult {
  message: RelayMessage;
  /** Who it was queued for: session names, or `<kind> (next to fetch)` for a kind's shared mailbox. */
  recipients: string[];
  /** Who it was not queued for because their mailbox was at the unread cap (it went to the others). */
  full: string[];
}

/** Whose mail to read. `name` null: only the kind's shared mailbox (a reader outside any session). */
export interface Reader {
  kind: string;
  name: string | null;
}

export interface FetchQuery {
  /** Whose mail. (The newest messages of anyone, marking nothing, are `latest()`.) */
  reader: Reader;
  /** Already clamped by the caller to 1..maxFetchLimit. */
  limit: number;
  unreadOnly: boolean;
  /** false: return the reader's unread without marking them read (previews, resources). Default true. */
  mark?: boolean;
}

export interface SessionInput {
  kind: string;
  /** The wanted name; a live session holding it makes the store pick `<name>-2`, `<name>-3`, ... */
  name: string;
  cwd: string | null;
  host: string;
  pid: number;
  observer: boolean;
}

/** What identifies one holder of a session name: a name may pass to another process once its holder died. */
export interface SessionKey {
  name: string;
  host: string;
  pid: number;
}

export interface SessionInfo {
  name: string;
  kind: string;
  cwd: string | null;
  host: string;
  pid: number;
  observer: boolean;
  started_at: string;
  last_seen: string;
  /** Unread messages in this session's own mailbox. */
  unread: number;
}

export interface SearchHit {
  id: number;
  sender: string;
  from: string;
  to: string;
  timestamp: string;
  /** The matching part of the text, matches in [brackets]. */
  snippet: string;
}

/** How long a lease on a notice lasts before another relay may take it. */
export const NOTICE_LEASE_MS = 30_000;

export interface NoticeLease {
  messages: RelayMessage[];
  /** ISO time when the earliest lease another owner holds ends; null when there is none. */
  retryAt: string | null;
}

export interface AttachmentSlice extends AttachmentInfo {
  message_id: number;
  offset: number;
  data: Buffer;
}

/** One mailbox a message was put in, and its read state there. */
export interface Delivery {
  /** As stored: `<kind>/<name>` for a session's mailbox, the kind itself for a kind's shared mailbox. */
  mailbox: string;
  kind: string;
  /** The session's name; null for a kind's shared mailbox (the next session of that kind to fetch takes it). */
  name: string | null;
  /** When it was put there (deliveries happen in the send's transaction: the message's timestamp). */
  delivered_at: string;
  read_at: string | null;
}

/** A message as the history shows it: every mailbox it went to, each with its own read state. */
export interface HistoryMessage extends RelayMessage {
  recipients: Delivery[];
}

export interface HistoryQuery {
  /** Only what this session sent or was delivered (by session name). */
  session?: string | undefined;
  /** Only what this kind sent, or was delivered to the kind's shared mailbox or one of its sessions. */
  kind?: string | undefined;
  /** Only the thread of this message: its root (followed up `reply_to`) and every reply below it. */
  thread?: number | undefined;
  /** Paging back: only ids below this one. */
  before?: number | undefined;
  /** Catching up: only ids above this one. */
  after?: number | undefined;
  /** The newest `limit` matches are returned (already clamped by the caller to 1..maxHistoryLimit). */
  limit: number;
}

/** A session as the directory lists it: live ones, and remembered ones (ended or silent) whose mail may wait. */
export interface DirectorySession extends SessionInfo {
  live: boolean;
}

export interface Directory {
  /** Live sessions (oldest first), then remembered ones (most recently seen first). */
  sessions: DirectorySession[];
  /** Every addressable kind with the unread count of its shared mailbox, the seed's two first. */
  kinds: { kind: string; unread: number }[];
}

export interface StoreStats {
  total: number;
  /** Messages with an unread copy for that kind (its sessions or its shared mailbox); desktop and code always. */
  unread: Record<string, number>;
  /** Timestamp of the newest message, or null when the buffer is empty. */
  lastActivity: string | null;
}

export interface Store {
  /** Where the data lives (a file path or a URL without password), for messages and `doctor`. */
  readonly location: string;
  /** What it runs on, for `doctor` and `--debug`: "SQLite 3.50.4 via node:sqlite", "PostgreSQL 15.8". */
  readonly backend: string;
  /** Stores and routes a message. Throws RelayError (empty, too_large, invalid_text, full, unknown_recipient, ...). */
  send(input: SendInput): Promise<SendResult>;
  /**
   * With a reader and unreadOnly: the reader's oldest unread messages, marked read in the same transaction, so two
   * concurrent fetches by the same reader never both get one. Results are always oldest first.
   */
  fetch(query: FetchQuery): Promise<RelayMessage[]>;
  /** The newest `limit` messages, oldest first; marks nothing. */
  latest(limit: number): Promise<RelayMessage[]>;
  /** Deletes every message; returns how many there were. */
  clear(): Promise<number>;
  /** Deletes these messages with their deliveries and attachments (doctor's round trip); returns how many existed. */
  deleteMessages(ids: readonly number[]): Promise<number>;
  stats(): Promise<StoreStats>;

  /** Registers a session under its wanted name or the first free `<name>-N`; returns what was stored. */
  registerSession(input: SessionInput): Promise<SessionInfo>;
  /** Keeps a session alive (heartbeat); false when it no longer holds its name (declared dead, name reused). */
  touchSession(session: SessionKey): Promise<boolean>;
  /** Marks a session ended; its name is remembered and its unread mail waits for when the name comes back. */
  endSession(session: SessionKey): Promise<void>;
  /** Forgets an ended session entirely (its name is no longer remembered); false if it is not ended or mail waits. */
  forgetSession(session: SessionKey): Promise<boolean>;
  /** Live sessions, oldest first. Dead ones (process gone, or silent too long) are left out and tidied away. */
  sessions(): Promise<SessionInfo[]>;

  /**
   * Leases, for `owner` (noticeOwner()), up to `limit` messages, oldest first, that nobody has shown a notice of and
   * no other owner holds an unexpired lease on (a lease of a dead process on this host has expired). Messages every
   * addressee has read are settled silently and not returned. `retryAt`: when the earliest lease held by another
   * owner ends (an expiry changes nothing in the store, so no change event comes), or null.
   */
  leaseNotifications(owner: string, limit: number): Promise<NoticeLease>;
  /**
   * Settles, atomically, those of `ids` this owner may show now: leased by it (or by nobody, or by a lease that ran
   * out), not settled by anyone, and still unread by some addressee. Show exactly the ids returned: each id is
   * returned once, ever, across every process.
   */
  confirmNotifications(owner: string, ids: readonly number[]): Promise<number[]>;
  /** Full-text search over the history, newest first. */
  search(query: string, limit: number): Promise<SearchHit[]>;
  /** The newest `limit` messages that match, oldest first, each with its deliveries. Marks nothing. */
  history(query: HistoryQuery): Promise<HistoryMessage[]>;
  /** The deliveries of every message from id `fromId` up, by message id (no text): how a watcher sees reads. */
  deliveries(fromId: number): Promise<Map<number, Delivery[]>>;
  /** Live and remembered sessions, and the kinds' shared mailboxes. Marks nothing. */
  directory(): Promise<Directory>;
  /** Up to `length` bytes of an attachment from `offset`, or null when there is no such attachment. */
  attachment(id: number, offset: number, length: number): Promise<AttachmentSlice | null>;

  /**
   * Calls `listener` soon after any process (this one included) changes the store. Event-driven, with a slow safety
   * poll; the watch runs only while someone listens. Returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Limits shared by every backend and documented in the README. */
export const LIMITS = {
  /** The seed's code enforces 64 KiB of UTF-8 per message (its README says 8 KB). */
  maxMessageBytes: 65_536,
  maxFetchLimit: 20,
  defaultFetchLimit: 5,
  latestCount: 10,
  /** Read messages kept for history; unread ones are never evicted. */
  keepRead: 200,
  /** Unread messages one mailbox may hold before sends to it are refused. */
  maxUnread: 1_000,
  /** One attachment, and all of one message's attachments together. */
  maxAttachmentBytes: 25 * 1024 * 1024,
  maxAttachments: 10,
  maxSearchLimit: 50,
  maxHistoryLimit: 500,
} as const;

export type RelayErrorCode =
  | 'empty'
  | 'too_large'
  | 'invalid_text'
  | 'full'
  | 'busy'
  | 'unknown_recipient'
  | 'bad_request'
  | 'not_relay_db'
  | 'corrupt'
  | 'newer_schema'
  | 'unwritable'
  | 'disk_full'
  | 'unavailable'
  // A read-only open: no file yet ('missing'), no directory either ('no_directory'); a write through it ('read_only').
  | 'missing'
  | 'no_directory'
  | 'read_only';

/** An expected failure with a sentence for the person or model that says what to do next. */
export class RelayError extends Error {
  readonly code: RelayErrorCode;
  constructor(code: RelayErrorCode, message: string) {
    super(message);
    this.name = 'RelayError';
    this.code = code;
  }
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The seed's timestamp format: ISO 8601 UTC with microseconds and an explicit offset. */
export function isoTimestamp(date: Date): string {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, -1)}000+00:00`;
}

export function clampLimit(
  limit: number | undefined,
  max: number = LIMITS.maxFetchLimit,
  fallback: number = LIMITS.defaultFetchLimit,
): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.trunc(limit)));
}
