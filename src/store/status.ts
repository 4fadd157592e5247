// The relay's state as a person reads it: totals, unread per kind, last activity. One function for `mcp-relay
// status`, the `status` prompt and `doctor`, so they never disagree. Reads through the Store interface only.
import { field } from '../lib/text.js';
import { displayKind, type Store } from './store.js';

export interface RelayStatus {
  database: string;
  total: number;
  /** Messages unread by some session (or the shared mailbox) of each kind; desktop and code always present. */
  unread: Record<string, number>;
  lastActivity: string | null;
}

export async function relayStatus(store: Store): Promise<RelayStatus> {
  const stats = await store.stats();
  return {
    database: store.location,
    total: stats.total,
    unread: { ...stats.unread },
    lastActivity: stats.lastActivity,
  };
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** "desktop: 1, code: 2" style text for the unread counts, desktop and code first. */
export function describeUnread(unread: Record<string, number>): string {
  return Object.entries(unread)
    .map(([kind, n]) => `${n.toLocaleString('en-US')} for ${field(displayKind(kind))}`)
    .join(', ');
}

/** Human lines: "3 messages in the relay; unread: 1 for Desktop, 2 for Code", last activity, database. */
export function describeStatus(status: RelayStatus, extra: { bytes?: number | undefined } = {}): string[] {
  const size = extra.bytes === undefined ? '' : ` (${formatBytes(extra.bytes)})`;
  return [
    `${plural(status.total, 'message')} in the relay; unread: ${describeUnread(status.unread)}`,
    `last activity: ${status.lastActivity === null ? 'none' : localTime(status.lastActivity)}`,
    `database: ${field(status.database)}${size}`,
  ];
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** An ISO timestamp as local "YYYY-MM-DD HH:MM:SS". */
export function localTime(iso: string): string {
  const date = new Date(iso);
  // Another program's odd value is shown as it is, but escaped: it must not reach a terminal as a command.
  if (Number.isNaN(date.getTime())) return field(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
