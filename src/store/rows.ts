// What the SQL backends share about stored rows: turning a message row into a RelayMessage or a search hit, listing
// attachments on messages, de-duplicating picked ids, and the "mailbox full" refusal. No SQL and no driver here.
import type { SessionView } from './routing.js';
import {
  type AttachmentInfo,
  defaultRecipient,
  type Delivery,
  type Directory,
  displayKind,
  formatCount,
  RelayError,
  type RelayMessage,
  type SearchHit,
  SEED_KINDS,
  type SessionInfo,
} from './store.js';

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

export function messageFromRow(row: StoredMessage, text: string): RelayMessage {
  return {
    id: row.id,
    sender: row.sender,
    message: text,
    timestamp: row.timestamp,
    read_by_desktop_at: row.read_by_desktop_at,
    read_by_code_at: row.read_by_code_at,
    from: row.from_session ?? row.sender,
    // Rows the Python relay wrote have no recipient: the seed's route.
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
  row: Omit<StoredMessage, 'read_by_desktop_at' | 'read_by_code_at' | 'reply_to'>,
  snippet: string,
): SearchHit {
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

/** The refusal of a send to a mailbox at its unread cap: nothing dropped, and what to do. */
export function mailboxFull(mailbox: string, unread: number): RelayError {
  const who = mailboxLabel(mailbox);
  return new RelayError(
    'full',
    `${who} already has ${formatCount(unread)} unread messages (the limit); nothing was dropped. ` +
      `Ask ${who} to fetch them, or clear the buffer, then send again.`,
  );
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
