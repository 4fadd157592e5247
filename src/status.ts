// The relay's state as a person reads it: totals, unread per side, last activity. One function for `mcp-relay
// status`, the `status` prompt and `doctor`, so they never disagree. Reads through the Store interface only.
import { CLIENT_KINDS, type ClientKind, type Store } from './store/store.js';

export interface RelayStatus {
  database: string;
  total: number;
  unread: Record<ClientKind, number>;
  lastActivity: string | null;
}

export async function relayStatus(store: Store): Promise<RelayStatus> {
  const stats = await store.stats();
  return { database: store.location, total: stats.total, unread: { ...stats.unread }, lastActivity: stats.lastActivity };
}

export const sideName = (kind: ClientKind): string => (kind === 'desktop' ? 'Desktop' : 'Code');

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** Human lines: "3 messages; unread: 1 for Desktop, 2 for Code; last activity 2026-11-25 09:12 (local time)". */
export function describeStatus(status: RelayStatus, extra: { bytes?: number | undefined } = {}): string[] {
  const unread = CLIENT_KINDS.map((kind) => `${status.unread[kind].toLocaleString('en-US')} for ${sideName(kind)}`).join(', ');
  const size = extra.bytes === undefined ? '' : ` (${formatBytes(extra.bytes)})`;
  return [
    `${plural(status.total, 'message')} in the relay; unread: ${unread}`,
    `last activity: ${status.lastActivity === null ? 'none' : localTime(status.lastActivity)}`,
    `database: ${status.database}${size}`,
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
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
