// What the SQL backends share about stored rows and sends: the checks before a send and where it goes by default,
// turning a message or session row into what the Store returns, listing attachments on messages, and de-duplicating
// picked ids. No SQL and no driver here.
import type { SessionView } from './routing.js';
import {
  type AttachmentInfo,
  type AttachmentInput,
  defaultRecipient,
  type Delivery,
  type Directory,
  displayKind,
  isoTimestamp,
  RelayError,
  type RelayMessage,
  type SearchHit,
  SEED_KINDS,
  type SendInput,
  type SessionInfo,
} from './store.js';
import { validateAttachments, validateMessageText } from './validate.js';

/** The columns of a stored message every backend reads; the text is passed apart (a backend may decode it). */
export interface StoredMessage {
  id: number;
  sender: string;
  timestamp: string;
  read_by_desktop_at: string | null;
  read_by_code_at: string | null;
  from_session: string | null;
  recipient: string | null;
  reply_to: number | null;
}

/**
 * A message's text however it was stored: text as it is, bytes (a BLOB, or TEXT read as bytes) as UTF-8 with any
 * invalid sequence as U+FFFD, a number as its digits, nothing as ''.
 */
export function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return '';
}

/**
 * Text another writer (the seed, a script) may have stored as a BLOB, a number or NULL where text belongs: a BLOB as
 * its UTF-8, a number as its digits, NULL as null. Every text column of a message row is read through it, so one
 * odd row can neither fail a fetch after it was marked read nor reach a person as `\x6865…`.
 */
export function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : messageText(value);
}

/** A message id another writer stored oddly (a reply_to of 'abc'): an integer, or null. */
function idOf(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'bigint') return Number(n);
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}

/** A stored row with every column as the Store's types say, whatever another writer put there. */
export function storedMessage<T extends StoredMessage>(row: T): T {
  const sender = textOf(row.sender) ?? 'unknown';
  return {
    ...row,
    sender,
    timestamp: textOf(row.timestamp) ?? '',
    read_by_desktop_at: textOf(row.read_by_desktop_at),
    read_by_code_at: textOf(row.read_by_code_at),
    from_session: textOf(row.from_session),
    recipient: textOf(row.recipient),
    reply_to: idOf(row.reply_to),
  };
}

/**
 * What another writer stored oddly in a row (a BLOB, a number or NULL where text belongs), for a report naming it;
 * `messageType` is SQLite's typeof(message), since the text itself is read as bytes.
 */
export function oddColumns(row: StoredMessage, messageType: string): string[] {
  const odd = messageType === 'text' ? [] : [`message ${messageType === 'null' ? 'NULL' : `a ${messageType}`}`];
  const columns: Record<string, unknown> = { ...row };
  for (const column of ['sender', 'timestamp', 'read_by_desktop_at', 'read_by_code_at', 'from_session', 'recipient']) {
    const value = columns[column];
    if (value === null && (column === 'sender' || column === 'timestamp')) odd.push(`${column} NULL`);
    else if (value instanceof Uint8Array) odd.push(`${column} a BLOB`);
    else if (typeof value === 'number' || typeof value === 'bigint') odd.push(`${column} a number`);
  }
  if (row.reply_to !== null && idOf(row.reply_to) === null) odd.push('reply_to not a message id');
  return odd;
}

export function messageFromRow(stored: StoredMessage, text: string): RelayMessage {
  const row = storedMessage(stored);
  return {
    id: row.id,
    sender: row.sender,
    message: text,
    timestamp: row.timestamp,
    read_by_desktop_at: row.read_by_desktop_at,
    read_by_code_at: row.read_by_code_at,
    from: row.from_session ?? row.sender,
    // Rows the seed wrote have no recipient: the seed's route.
    to: row.recipient ?? defaultRecipient(row.sender),
    reply_to: row.reply_to,
  };
}

/** Lists each message's attachments on it (rows of any order; messages without any get no field). */
export function attachInfos(
  messages: readonly RelayMessage[],
  files: readonly (AttachmentInfo & { message_id: number })[],
): void {
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const { message_id, ...info } of files) {
    const message = byId.get(message_id);
    if (message !== undefined) (message.attachments ??= []).push(info);
  }
}

/** A search result from a message row and the backend's snippet of it. */
export function searchHit(
  stored: Omit<StoredMessage, 'read_by_desktop_at' | 'read_by_code_at' | 'reply_to'>,
  snippet: string,
): SearchHit {
  const row = storedMessage({ ...stored, read_by_desktop_at: null, read_by_code_at: null, reply_to: null });
  return {
    id: row.id,
    sender: row.sender,
    from: row.from_session ?? row.sender,
    to: row.recipient ?? defaultRecipient(row.sender),
    timestamp: row.timestamp,
    snippet,
  };
}

/** Message ids in first-seen order, once each (a message may be picked from a session's and its kind's mailbox). */
export function uniqueIds(rows: readonly { message_id: number }[]): number[] {
  return [...new Set(rows.map((r) => r.message_id))];
}

/** 'code' -> 'Code'; 'code/api' -> 'api'. */
export function mailboxLabel(mailbox: string): string {
  const slash = mailbox.indexOf('/');
  return slash === -1 ? displayKind(mailbox) : mailbox.slice(slash + 1);
}

/** An inbox row as a Delivery: `code/api` is session api of kind code, `code` the kind's shared mailbox. */
export function deliveryFromRow(row: { mailbox: string; read_at: string | null; timestamp: string }): Delivery {
  const slash = row.mailbox.indexOf('/');
  return {
    mailbox: row.mailbox,
    kind: slash === -1 ? row.mailbox : row.mailbox.slice(0, slash),
    name: slash === -1 ? null : row.mailbox.slice(slash + 1),
    delivered_at: row.timestamp,
    read_at: row.read_at,
  };
}

/** A message's deliveries from [mailbox, read_at] pairs (as a JSON aggregate returns them), sorted by mailbox. */
export function deliveriesFromPairs(
  pairs: readonly (readonly [string, string | null])[],
  timestamp: string,
): Delivery[] {
  return pairs
    .map(([mailbox, read_at]) => deliveryFromRow({ mailbox, read_at, timestamp }))
    .sort((a, b) => (a.mailbox < b.mailbox ? -1 : a.mailbox > b.mailbox ? 1 : 0));
}

/** Groups inbox rows (with their message's timestamp) by message id. */
export function deliveriesById(
  rows: readonly { message_id: number; mailbox: string; read_at: string | null; timestamp: string }[],
): Map<number, Delivery[]> {
  const byId = new Map<number, Delivery[]>();
  for (const row of rows) {
    const list = byId.get(row.message_id);
    if (list === undefined) byId.set(row.message_id, [deliveryFromRow(row)]);
    else list.push(deliveryFromRow(row));
  }
  return byId;
}

/** The directory from a session view and the shared mailboxes' unread counts. */
export function directoryFrom(view: SessionView, kindUnread: (kind: string) => number): Directory {
  const seen = (s: SessionInfo) => Date.parse(s.last_seen);
  const known = [...view.known].sort((a, b) => seen(b) - seen(a));
  const kinds = [
    ...SEED_KINDS,
    ...[...view.knownKinds].filter((k) => !(SEED_KINDS as readonly string[]).includes(k)).sort(),
  ];
  return {
    sessions: [...view.live.map((s) => ({ ...s, live: true })), ...known.map((s) => ({ ...s, live: false }))],
    kinds: kinds.map((kind) => ({ kind, unread: kindUnread(kind) })),
  };
}

/** What every backend checks and fixes before it touches storage: the text, the files, when, and from whom. */
export interface SendPrelude {
  timestamp: string;
  from: string | null;
  replyTo: number | null;
  attachments: readonly AttachmentInput[];
}

/** Validates a send (RelayError on empty, too large, bad files) and fixes its time and sender session. */
export function sendPrelude(input: SendInput, now: Date): SendPrelude {
  validateMessageText(input.message);
  const attachments = input.attachments ?? [];
  validateAttachments(attachments);
  return { timestamp: isoTimestamp(now), from: input.from ?? null, replyTo: input.replyTo ?? null, attachments };
}

/**
 * Where a send goes: as addressed; else a reply goes back to whoever sent the original (its session, else its kind);
 * else the sender kind's default. `original` is the message `replyTo` names, undefined when there is none.
 */
export function sendAddress(
  input: SendInput,
  original: Pick<StoredMessage, 'from_session' | 'sender'> | undefined,
): string {
  if (input.replyTo !== undefined && original === undefined) {
    throw new RelayError(
      'bad_request',
      `There is no message #${input.replyTo} in the relay (it may have been cleared); send without reply_to.`,
    );
  }
  return (
    input.to ??
    (original === undefined ? undefined : (original.from_session ?? original.sender)) ??
    defaultRecipient(input.sender)
  );
}

/** The read-state column the seed keeps for a reader of its two kinds, or null for any other kind. */
export function seedReadColumn(kind: string): 'read_by_desktop_at' | 'read_by_code_at' | null {
  return kind === 'desktop' ? 'read_by_desktop_at' : kind === 'code' ? 'read_by_code_at' : null;
}

/** A `sessions` row as a backend reads it: SQLite gives its booleans as 0/1. */
export type SessionRow = Omit<SessionInfo, 'observer' | 'unread'> & {
  observer: boolean | number;
  ended: boolean | number;
};

/** A session row as SessionInfo (with its mailbox's unread count), and whether it ended. */
export function sessionFromRow(row: SessionRow, unread: number): SessionInfo & { ended: boolean } {
  return {
    name: row.name,
    kind: row.kind,
    cwd: row.cwd,
    host: row.host,
    pid: row.pid,
    observer: Boolean(row.observer),
    started_at: row.started_at,
    last_seen: row.last_seen,
    unread,
    ended: Boolean(row.ended),
  };
}
