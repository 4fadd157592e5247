// What SQLite writes for a send, a fetch and a notice, each inside the store's one IMMEDIATE transaction: the
// message with its deliveries and attachments, the read marks (with the seed's read_by_* columns), the eviction of
// old read messages, and the notice leases. The store decides when; these say what.
import type { RoomyRoute } from '../cap.js';
import { type Liveness, planNotices } from '../routing.js';
import { messageFromRow, messageText, seedReadColumn } from '../rows.js';
import {
  type AttachmentInput,
  isoTimestamp,
  NOTICE_LEASE_MS,
  type Reader,
  type RelayMessage,
  type SendInput,
} from '../store.js';
import type { MessageRow, Queries, UnreadRow } from './queries.js';

export interface NewMessage {
  input: SendInput;
  timestamp: string;
  to: string;
  from: string | null;
  replyTo: number | null;
  attachments: readonly AttachmentInput[];
}

/** Stores a message, delivers it to the route's mailboxes and stores its files; returns it as a fetch would. */
export function insertMessage(q: Queries, m: NewMessage, target: RoomyRoute): RelayMessage {
  const { input, timestamp, to, from, replyTo } = m;
  const id = q.insert.run({
    sender: input.sender,
    message: input.message,
    timestamp,
    to,
    from,
    replyTo,
  }).lastInsertRowid;
  for (const mailbox of target.mailboxes) q.deliver.run({ mailbox, id });
  const files = m.attachments.map((a) => ({
    id: q.attach.run({ id, name: a.name, mediaType: a.mediaType, size: a.data.length, data: a.data }).lastInsertRowid,
    name: a.name,
    media_type: a.mediaType,
    size: a.data.length,
  }));
  const message = toMessage({
    id,
    sender: input.sender,
    message: input.message,
    timestamp,
    read_by_desktop_at: null,
    read_by_code_at: null,
    from_session: from,
    recipient: to,
    reply_to: replyTo,
  });
  if (files.length > 0) message.attachments = files;
  return message;
}

/** Marks the picked deliveries read at `at`, and the seed's column of the reader's kind on the rows (set in place). */
export function writeReadMarks(
  q: Queries,
  reader: Reader,
  picked: readonly UnreadRow[],
  rows: readonly MessageRow[],
  at: string,
): void {
  for (const { mailbox, message_id } of picked) q.markInbox.run({ at, mailbox, id: message_id });
  const column = seedReadColumn(reader.kind);
  if (column === null) return;
  const mark = column === 'read_by_desktop_at' ? q.markDesktop : q.markCode;
  for (const row of rows) if (mark.run({ at, id: row.id }).changes > 0) row[column] = at;
}

/** Evicts read messages past the newest `keepRead`; unread ones are never touched. */
export function evictRead(q: Queries, keepRead: number): void {
  if (!Number.isFinite(keepRead)) return;
  // Ids only grow, so a span within keepRead means there is nothing to evict (and the scan is skipped).
  if ((q.span.get() ?? 0) <= keepRead) return;
  for (const id of q.evictable.all({ keep: keepRead })) q.evict.run({ id });
}

/** Leases up to `limit` notices for `owner` (routing.ts planNotices decides which); returns the leased rows. */
export function leaseNotices(
  q: Queries,
  owner: string,
  limit: number,
  liveness: Liveness,
): { rows: MessageRow[]; retryAt: string | null } {
  const { now } = liveness;
  const plan = planNotices(q.noticeCandidates.all(), owner, limit, liveness);
  const at = isoTimestamp(now);
  for (const id of plan.silent) q.settleNotice.run({ at, id });
  const until = new Date(now.getTime() + NOTICE_LEASE_MS).toISOString();
  for (const id of plan.lease) q.leaseNotice.run({ id, owner, until });
  return { rows: plan.lease.flatMap((id) => q.byId.get({ id }) ?? []), retryAt: plan.retryAt };
}

/** Settles those of `ids` this owner may show now; each id is returned once, ever. */
export function confirmNotices(q: Queries, owner: string, ids: readonly number[], now: Date): number[] {
  const at = isoTimestamp(now);
  return ids.filter((id) => q.confirmNotice.run({ at, id, owner, now: now.toISOString() }).changes > 0);
}

export function toMessage(row: MessageRow): RelayMessage {
  return messageFromRow(row, messageText(row.message));
}
