// The page's live feed: turns the store's change events into what changed for a person watching, once for every
// open page. On each change (coalesced: one read at a time, and one more if changes came meanwhile) it reads the
// messages after the newest one it has seen, the deliveries of the messages it is watching (so reads and deletions
// show), and the session directory, and sends only the differences. A page that joins gets a snapshot first, taken in
// the same queue, so nothing falls between the snapshot and the first change. It marks nothing read.
import type { Delivery, Directory, HistoryMessage, Store } from '../store/store.js';

export type FeedEvent =
  | { type: 'snapshot'; messages: HistoryMessage[]; more: boolean; directory: Directory }
  | { type: 'messages'; messages: HistoryMessage[] }
  | { type: 'reads'; updates: { id: number; recipients: Delivery[] }[] }
  | { type: 'removed'; ids: number[] }
  | { type: 'directory'; directory: Directory };

export type FeedListener = (event: FeedEvent) => void;

export interface FeedOptions {
  /** Messages whose read state the feed follows (the newest ones). */
  windowSize?: number;
  /** Messages in a joining page's snapshot. */
  snapshotSize?: number;
  onError?: (error: unknown) => void;
}

export interface Feed {
  /** Adds a page: it gets a snapshot, then every change, until the returned function is called. */
  join(listener: FeedListener): () => void;
  /** Resolves when every queued read is done (tests, shutdown). */
  idle(): Promise<void>;
}

export const DEFAULT_WINDOW = 500;
export const DEFAULT_SNAPSHOT = 100;

export function createFeed(store: Store, options: FeedOptions = {}): Feed {
  const windowSize = options.windowSize ?? DEFAULT_WINDOW;
  const snapshotSize = options.snapshotSize ?? DEFAULT_SNAPSHOT;
  const listeners = new Set<FeedListener>();
  let queue: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;
  let pending = false;
  // What the pages were last told, while someone listens: the newest id, each watched message's deliveries (as a
  // JSON key, in id order), and the directory.
  let started = false;
  let lastId = 0;
  const watched = new Map<number, string>();
  let directoryKey = '';

  const enqueue = (task: () => Promise<void>) => {
    queue = queue.then(task).catch((error: unknown) => options.onError?.(error));
  };
  const emit = (event: FeedEvent, only?: FeedListener) => {
    for (const listener of only === undefined ? listeners : [only]) {
      try {
        listener(event);
      } catch (error) {
        options.onError?.(error);
      }
    }
  };
  const watch = (message: { id: number; recipients: Delivery[] }) => {
    watched.set(message.id, JSON.stringify(message.recipients));
    while (watched.size > windowSize) watched.delete(watched.keys().next().value as number);
  };

  const refresh = async () => {
    if (listeners.size === 0) return;
    // New messages go out first: they are what a person is waiting to see.
    const ids = [...watched.keys()];
    const fresh = await store.history({ after: lastId, limit: windowSize });
    if (fresh.length >= windowSize) {
      // More arrived at once than the feed follows: the pages start over from a snapshot rather than show a gap.
      started = false;
      watched.clear();
      for (const listener of [...listeners]) await snapshot(listener);
      return;
    }
    if (fresh.length > 0) {
      lastId = fresh[fresh.length - 1]!.id;
      for (const message of fresh) watch(message);
      emit({ type: 'messages', messages: fresh });
    }
    const deliveries = ids.length > 0 ? await store.deliveries(ids[0]!) : new Map<number, Delivery[]>();
    const directory = await store.directory();

    const updates: { id: number; recipients: Delivery[] }[] = [];
    const removed: number[] = [];
    for (const id of ids) {
      if (!watched.has(id)) continue;
      const now = deliveries.get(id);
      if (now === undefined) {
        removed.push(id);
        watched.delete(id);
      } else if (JSON.stringify(now) !== watched.get(id)) {
        watched.set(id, JSON.stringify(now));
        updates.push({ id, recipients: now });
      }
    }
    if (removed.length > 0) emit({ type: 'removed', ids: removed });
    if (updates.length > 0) emit({ type: 'reads', updates });
    const key = JSON.stringify(directory);
    if (key !== directoryKey) {
      directoryKey = key;
      emit({ type: 'directory', directory });
    }
  };

  const onChange = () => {
    if (pending) return;
    pending = true;
    enqueue(async () => {
      pending = false;
      await refresh();
    });
  };

  const snapshot = async (listener: FeedListener) => {
    if (!listeners.has(listener)) return;
    const messages = await store.history({ limit: snapshotSize });
    const directory = await store.directory();
    if (!started) {
      started = true;
      lastId = messages[messages.length - 1]?.id ?? 0;
      for (const message of messages) watch(message);
      directoryKey = JSON.stringify(directory);
    }
    emit({ type: 'snapshot', messages, more: messages.length === snapshotSize, directory }, listener);
  };

  return {
    join(listener) {
      listeners.add(listener);
      // Listen before the snapshot is read: a change in between is read after it, not missed.
      unsubscribe ??= store.onChange(onChange);
      enqueue(() => snapshot(listener));
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        unsubscribe?.();
        unsubscribe = undefined;
        started = false;
        watched.clear();
      };
    },
    idle: async () => {
      for (let seen: Promise<void> | undefined; seen !== queue;) {
        seen = queue;
        await queue;
      }
    },
  };
}
