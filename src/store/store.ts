// The Store interface and the message types: the only storage surface tools, CLI commands and the notifier see.
// No SQL and no driver types here: a network-backed store implements the same interface.

/** Who a relay process speaks for. The seed knows two kinds; their names are a contract. */
export const CLIENT_KINDS = ['desktop', 'code'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export function isClientKind(value: unknown): value is ClientKind {
  return typeof value === 'string' && (CLIENT_KINDS as readonly string[]).includes(value);
}

/** The side a message from `sender` goes to when no recipient is named (the seed's only routing rule). */
export function otherSide(sender: ClientKind): ClientKind {
  return sender === 'desktop' ? 'code' : 'desktop';
}

/** A stored message, shaped exactly as the seed's `relay_fetch` returns it. */
export interface RelayMessage {
  id: number;
  sender: ClientKind;
  message: string;
  /** ISO 8601 UTC with offset, e.g. 2026-11-24T21:48:23.123000+00:00 (the seed's format). */
  timestamp: string;
  read_by_desktop_at: string | null;
  read_by_code_at: string | null;
}

export interface SendInput {
  sender: ClientKind;
  message: string;
}

export interface FetchQuery {
  /** Whose read state to use and mark; null looks without marking anything. */
  reader: ClientKind | null;
  /** Already clamped by the caller to 1..MAX_FETCH_LIMIT. */
  limit: number;
  unreadOnly: boolean;
}

export interface StoreStats {
  total: number;
  unread: Record<ClientKind, number>;
  /** Timestamp of the newest message, or null when the buffer is empty. */
  lastActivity: string | null;
}

export interface Store {
  /** Where the data lives (a file path), for messages and `doctor`. */
  readonly location: string;
  /** Stores a message. Throws RelayError('empty' | 'too_large' | 'invalid_text' | 'full' | 'busy'). */
  send(input: SendInput): Promise<RelayMessage>;
  /**
   * With a reader and unreadOnly: the reader's oldest unread messages, marked read in the same transaction, so two
   * concurrent fetches by the same reader never both get one. Results are always oldest first.
   */
  fetch(query: FetchQuery): Promise<RelayMessage[]>;
  /** The newest `limit` messages, oldest first; marks nothing. */
  latest(limit: number): Promise<RelayMessage[]>;
  /** Deletes every message; returns how many there were. */
  clear(): Promise<number>;
  stats(): Promise<StoreStats>;
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
  /** Unread messages one recipient may have before sends to it are refused. */
  maxUnread: 1_000,
} as const;

export type RelayErrorCode =
  | 'empty'
  | 'too_large'
  | 'invalid_text'
  | 'full'
  | 'busy'
  | 'not_relay_db'
  | 'corrupt'
  | 'newer_schema'
  | 'unwritable'
  | 'disk_full';

/** An expected failure with a sentence for the person or model that says what to do next. */
export class RelayError extends Error {
  readonly code: RelayErrorCode;
  constructor(code: RelayErrorCode, message: string) {
    super(message);
    this.name = 'RelayError';
    this.code = code;
  }
}

/** Checks a message body against the limits every backend shares; throws RelayError. */
export function validateMessageText(message: string, maxBytes: number = LIMITS.maxMessageBytes): void {
  if (message.trim().length === 0) {
    throw new RelayError('empty', 'The message is empty: pass the text to relay in `message`.');
  }
  if (!message.isWellFormed()) {
    throw new RelayError(
      'invalid_text',
      'The message contains invalid Unicode (a lone surrogate); send it as valid UTF-8 text.',
    );
  }
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes > maxBytes) {
    throw new RelayError(
      'too_large',
      `The message is ${bytes.toLocaleString('en-US')} bytes of UTF-8; the limit is ${maxBytes.toLocaleString('en-US')}. ` +
        'Send a shorter message or split it into parts.',
    );
  }
}

/** The seed's timestamp format: ISO 8601 UTC with microseconds and an explicit offset. */
export function isoTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return LIMITS.defaultFetchLimit;
  return Math.min(LIMITS.maxFetchLimit, Math.max(1, Math.trunc(limit)));
}
