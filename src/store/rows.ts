// What the SQL backends share about stored rows: turning a message row into a RelayMessage, de-duplicating picked
// ids, and the "mailbox full" refusal. No SQL and no driver here.
import { RelayError, defaultRecipient, displayKind, formatCount, type RelayMessage } from './store.js';

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
