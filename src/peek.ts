// A side's unread messages WITHOUT marking them read: for the start-up preview and `fetch --peek`.
// Built on the Store interface (stats + latest) rather than a new store method, so every backend has it. The
// newest unread are found by reading back from the newest message only as far as needed (the preview runs at
// every Claude Code start); the oldest unread need a read of the whole (bounded) buffer.
import type { ClientKind, RelayMessage, Store } from './store/store.js';

export interface Unread {
  /** How many unread messages the side has in all. */
  count: number;
  /** `limit` of them, oldest first. */
  messages: RelayMessage[];
}

export function isUnreadFor(message: RelayMessage, reader: ClientKind): boolean {
  if (message.sender === reader) return false;
  return (reader === 'desktop' ? message.read_by_desktop_at : message.read_by_code_at) === null;
}

export async function peekUnread(store: Store, reader: ClientKind, limit: number, which: 'oldest' | 'newest' = 'oldest'): Promise<Unread> {
  const stats = await store.stats();
  const count = stats.unread[reader];
  if (count === 0) return { count, messages: [] };
  if (which === 'oldest') {
    // The buffer is bounded (unread per side capped, read history pruned), so reading it whole is affordable.
    const all = await store.latest(stats.total);
    return { count, messages: all.filter((m) => isUnreadFor(m, reader)).slice(0, limit) };
  }
  const wanted = Math.min(limit, count);
  for (let n = 4 * wanted; ; n *= 4) {
    const recent = await store.latest(Math.min(n, stats.total));
    const unread = recent.filter((m) => isUnreadFor(m, reader));
    if (unread.length >= wanted || recent.length >= stats.total) return { count, messages: unread.slice(-wanted) };
  }
}
