// The ui page's live feed on its own: a snapshot first, then only what changed; a burst larger than it follows
// starts the pages over from a snapshot instead of leaving a gap; one broken page does not stop the others; the
// store is watched only while a page is open.
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/store/store.js';
import { createFeed, type FeedEvent } from '../src/ui/feed.js';
import { tempDir } from './helpers/temp.js';

function recorder() {
  const events: FeedEvent[] = [];
  let wake: (() => void) | undefined;
  return {
    events,
    listener: (event: FeedEvent) => {
      events.push(event);
      wake?.();
    },
    /** Resolves once an event of this type (after those already seen) arrives. */
    async next<T extends FeedEvent['type']>(type: T, from = 0): Promise<Extract<FeedEvent, { type: T }>> {
      for (;;) {
        const found = events.slice(from).find((e) => e.type === type);
        if (found !== undefined) return found as Extract<FeedEvent, { type: T }>;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

function watchedStore(): { store: Store; listening: () => number } {
  const store = openSqliteStore(path.join(tempDir(), 'relay.db'));
  let listening = 0;
  const onChange = store.onChange.bind(store);
  store.onChange = (listener) => {
    listening++;
    const off = onChange(listener);
    return () => {
      listening--;
      off();
    };
  };
  return { store, listening: () => listening };
}

describe('ui feed', () => {
  it('starts every page from a snapshot, then sends new messages once each', async () => {
    const { store } = watchedStore();
    await store.send({ sender: 'desktop', message: 'old' });
    const feed = createFeed(store, { snapshotSize: 5 });
    const page = recorder();
    const leave = feed.join(page.listener);
    const snapshot = await page.next('snapshot');
    expect(snapshot.messages.map((m) => m.message)).toEqual(['old']);
    expect(snapshot.more).toBe(false);
    await store.send({ sender: 'desktop', message: 'new' });
    const fresh = await page.next('messages');
    expect(fresh.messages.map((m) => m.message)).toEqual(['new']);
    await feed.idle();
    expect(page.events.filter((e) => e.type === 'messages')).toHaveLength(1);
    leave();
    await store.close();
  });

  it('starts the pages over from a snapshot when more arrive at once than it follows', async () => {
    const { store } = watchedStore();
    const feed = createFeed(store, { windowSize: 3, snapshotSize: 3 });
    const page = recorder();
    const leave = feed.join(page.listener);
    await page.next('snapshot');
    const seen = page.events.length;
    // One change for four messages: the store's own writes are coalesced into one event on the next turn.
    await Promise.all([1, 2, 3, 4].map((n) => store.send({ sender: 'desktop', message: `burst ${n}` })));
    const again = await page.next('snapshot', seen);
    expect(again.messages.map((m) => m.message)).toEqual(['burst 2', 'burst 3', 'burst 4']);
    expect(again.more).toBe(true);
    leave();
    await store.close();
  });

  it('keeps serving the other pages when one throws, and watches the store only while a page is open', async () => {
    const { store, listening } = watchedStore();
    const feed = createFeed(store, { onError: () => {} });
    expect(listening()).toBe(0);
    const broken = feed.join(() => {
      throw new Error('a broken page');
    });
    const page = recorder();
    const leave = feed.join(page.listener);
    expect(listening()).toBe(1);
    await page.next('snapshot');
    await store.send({ sender: 'desktop', message: 'still here' });
    expect((await page.next('messages')).messages[0]!.message).toBe('still here');
    broken();
    leave();
    expect(listening()).toBe(0);
    await store.close();
  });
});
