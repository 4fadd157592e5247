// The person's own mail, read only when they say so: the page observes and marks nothing read by itself. This is
// the "Mark read" action: it reads the person's unread mail (their session's mailbox and the `user` kind's shared
// one) up to the newest message their page has shown, so mail that arrived after they looked stays unread. Nobody
// else's mail is ever touched: the reader is always the person.
import { LIMITS, type Reader, type Store } from '../store/store.js';

/**
 * Marks the reader's unread messages with ids up to `upTo` read (all of them without `upTo`); returns their ids.
 * The store reads a mailbox oldest first, so the page's messages are a prefix of what is waiting: each round peeks
 * without marking, then fetches (and marks) exactly that prefix.
 */
export async function markOwnMailRead(store: Store, reader: Reader, upTo?: number): Promise<number[]> {
  const marked: number[] = [];
  const limit = LIMITS.maxFetchLimit;
  for (;;) {
    const waiting = await store.fetch({ reader, limit, unreadOnly: true, mark: false });
    const count = upTo === undefined ? waiting.length : waiting.filter((m) => m.id <= upTo).length;
    if (count === 0) return marked;
    const read = await store.fetch({ reader, limit: count, unreadOnly: true });
    marked.push(...read.map((m) => m.id));
    // Fewer than a full round: nothing older than `upTo` is left (or someone else read some meanwhile).
    if (count < limit || read.length < count) return marked;
  }
}
