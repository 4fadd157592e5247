// A side's unread messages, oldest first, WITHOUT marking them read: for the start-up preview and `fetch --peek`.
// Built on the Store interface (stats + latest) rather than a new store method, so every backend has it.
import type { ClientKind, RelayMessage, Store } from './store/store.js';

export interface Unread {
  /** How many unread messages the side has in all. */
  count: number;
  /** The oldest `limit` of them. */
  messages: RelayMessage[];
}

export function isUnreadFor(message: RelayMessage, reader: ClientKind): boolean {
  if (message.sender === reader) return false;
  return (reader === 'desktop' ? message.read_by_desktop_at : message.read_by_code_at) === null;
}

export async function peekUnread(store: Store, reader: ClientKind, limit: number): Promise<Unread> {
  const stats = await store.stats();
  const count = stats.unread[reader];
  if (count === 0) return { count, messages: [] };
  // The buffer is bounded (unread per side capped, read history pruned), so reading it whole is cheap.
  const all = await store.latest(stats.total);
  return { count, messages: all.filter((m) => isUnreadFor(m, reader)).slice(0, limit) };
}
