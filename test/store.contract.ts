// The Store contract: one suite every backend must pass. A backend gives a factory for a fresh, empty store and a
// way to open a second handle on the same data (another process's view).
import { describe, expect, it } from 'vitest';
import { LIMITS, RelayError, type Store } from '../src/store/store.js';

export interface StoreBackend {
  name: string;
  /** A fresh empty store; `second()` opens another handle on the same data. Both are closed by the backend. */
  create(options?: { maxUnread?: number; keepRead?: number; now?: () => Date }): Promise<{ store: Store; second(): Promise<Store> }>;
}

export function storeContract(backends: StoreBackend[]): void {
  describe.each(backends)('Store contract: $name', (backend) => {
    const fresh = async (options?: Parameters<StoreBackend['create']>[0]) => (await backend.create(options)).store;

    it('returns what was sent, oldest first, with the seed fields', async () => {
      const store = await fresh();
      const a = await store.send({ sender: 'desktop', message: 'one' });
      const b = await store.send({ sender: 'desktop', message: 'two' });
      expect(b.id).toBeGreaterThan(a.id);
      const got = await store.fetch({ reader: 'code', limit: 5, unreadOnly: true });
      expect(got.map((m) => m.message)).toEqual(['one', 'two']);
      expect(Object.keys(got[0]!).sort()).toEqual(['id', 'message', 'read_by_code_at', 'read_by_desktop_at', 'sender', 'timestamp']);
      expect(got[0]!.sender).toBe('desktop');
      expect(got[0]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(got[0]!.read_by_code_at).not.toBeNull();
      expect(got[0]!.read_by_desktop_at).toBeNull();
    });

    it('marks read per reader: a second fetch gets nothing, the other side is unaffected', async () => {
      const store = await fresh();
      await store.send({ sender: 'desktop', message: 'for code' });
      await store.send({ sender: 'code', message: 'for desktop' });
      expect((await store.fetch({ reader: 'code', limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual(['for code']);
      expect(await store.fetch({ reader: 'code', limit: 5, unreadOnly: true })).toEqual([]);
      expect((await store.fetch({ reader: 'desktop', limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual(['for desktop']);
    });

    it('never returns a reader its own messages', async () => {
      const store = await fresh();
      await store.send({ sender: 'code', message: 'mine' });
      expect(await store.fetch({ reader: 'code', limit: 20, unreadOnly: true })).toEqual([]);
      expect(await store.fetch({ reader: 'code', limit: 20, unreadOnly: false })).toEqual([]);
    });

    it('returns the oldest unread first and skips none (the seed skipped older ones)', async () => {
      const store = await fresh();
      for (let i = 1; i <= 8; i++) await store.send({ sender: 'desktop', message: `m${i}` });
      const first = await store.fetch({ reader: 'code', limit: 5, unreadOnly: true });
      const second = await store.fetch({ reader: 'code', limit: 5, unreadOnly: true });
      expect(first.map((m) => m.message)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(second.map((m) => m.message)).toEqual(['m6', 'm7', 'm8']);
    });

    it('with unreadOnly false returns the newest messages not from the reader, oldest first, and marks them', async () => {
      const store = await fresh();
      for (let i = 1; i <= 4; i++) await store.send({ sender: 'desktop', message: `d${i}` });
      await store.send({ sender: 'code', message: 'c1' });
      await store.fetch({ reader: 'code', limit: 1, unreadOnly: true });
      const got = await store.fetch({ reader: 'code', limit: 3, unreadOnly: false });
      expect(got.map((m) => m.message)).toEqual(['d2', 'd3', 'd4']);
      expect(got.every((m) => m.read_by_code_at !== null)).toBe(true);
      expect(await store.fetch({ reader: 'code', limit: 5, unreadOnly: true })).toEqual([]);
    });

    it('peeks without a reader: newest of anyone, oldest first, nothing marked', async () => {
      const store = await fresh();
      await store.send({ sender: 'desktop', message: 'a' });
      await store.send({ sender: 'code', message: 'b' });
      await store.send({ sender: 'desktop', message: 'c' });
      const peek = await store.fetch({ reader: null, limit: 2, unreadOnly: true });
      expect(peek.map((m) => m.message)).toEqual(['b', 'c']);
      expect((await store.latest(10)).map((m) => m.message)).toEqual(['a', 'b', 'c']);
      expect((await store.fetch({ reader: 'code', limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual(['a', 'c']);
    });

    it('respects the limit', async () => {
      const store = await fresh();
      for (let i = 0; i < 25; i++) await store.send({ sender: 'code', message: `x${i}` });
      expect(await store.fetch({ reader: 'desktop', limit: 20, unreadOnly: true })).toHaveLength(20);
      expect(await store.fetch({ reader: 'desktop', limit: 20, unreadOnly: true })).toHaveLength(5);
    });

    it('clears everything and reports the count; ids keep increasing', async () => {
      const store = await fresh();
      const a = await store.send({ sender: 'desktop', message: 'a' });
      await store.send({ sender: 'code', message: 'b' });
      expect(await store.clear()).toBe(2);
      expect(await store.latest(10)).toEqual([]);
      expect(await store.clear()).toBe(0);
      const c = await store.send({ sender: 'desktop', message: 'c' });
      expect(c.id).toBeGreaterThan(a.id);
    });

    it('keeps text byte for byte: quotes, newlines, NUL, emoji', async () => {
      const store = await fresh();
      const text = 'He said "hi" \\ \'quoted\'\nline2\u0000after-nul 🚀 $(touch x) `id`';
      await store.send({ sender: 'desktop', message: text });
      const [got] = await store.fetch({ reader: 'code', limit: 1, unreadOnly: true });
      expect(got!.message).toBe(text);
    });

    it('refuses empty, oversized and ill-formed text with a RelayError that says the size and the limit', async () => {
      const store = await fresh();
      await expect(store.send({ sender: 'desktop', message: '  ' })).rejects.toMatchObject({ code: 'empty' });
      await expect(store.send({ sender: 'desktop', message: 'a\ud800b' })).rejects.toMatchObject({ code: 'invalid_text' });
      const exact = 'é'.repeat(LIMITS.maxMessageBytes / 2);
      await expect(store.send({ sender: 'desktop', message: exact })).resolves.toMatchObject({ message: exact });
      const over = exact + 'x';
      const error = await store.send({ sender: 'desktop', message: over }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RelayError);
      expect((error as RelayError).code).toBe('too_large');
      expect((error as RelayError).message).toContain('65,537');
      expect((error as RelayError).message).toContain('65,536');
      expect(await store.latest(10)).toHaveLength(1);
    });

    it('never evicts unread messages; refuses sends past the unread cap instead', async () => {
      const store = await fresh({ maxUnread: 30, keepRead: 5 });
      for (let i = 0; i < 30; i++) await store.send({ sender: 'desktop', message: `u${i}` });
      const error = await store.send({ sender: 'desktop', message: 'one too many' }).catch((e: unknown) => e);
      expect((error as RelayError).code).toBe('full');
      expect((error as RelayError).message).toMatch(/Code already has 30 unread messages/);
      // The other direction is a different recipient and is not full.
      await store.send({ sender: 'code', message: 'other way' });
      const all = await store.fetch({ reader: 'code', limit: 20, unreadOnly: true });
      const rest = await store.fetch({ reader: 'code', limit: 20, unreadOnly: true });
      expect([...all, ...rest].map((m) => m.message)).toEqual(Array.from({ length: 30 }, (_, i) => `u${i}`));
      await store.send({ sender: 'desktop', message: 'room again' });
    });

    it('evicts only read messages, keeping the newest keepRead of them', async () => {
      const store = await fresh({ keepRead: 3 });
      for (let i = 0; i < 6; i++) await store.send({ sender: 'desktop', message: `r${i}` });
      await store.fetch({ reader: 'code', limit: 6, unreadOnly: true });
      for (let i = 0; i < 2; i++) await store.send({ sender: 'desktop', message: `n${i}` });
      await store.send({ sender: 'code', message: 'unread for desktop' });
      await store.fetch({ reader: 'code', limit: 1, unreadOnly: true }); // reads n0, prunes again
      const left = (await store.latest(20)).map((m) => m.message);
      expect(left).toEqual(['r4', 'r5', 'n0', 'n1', 'unread for desktop']);
    });

    it('gives each message to one of two concurrent fetchers of the same reader, never both', async () => {
      const { store, second } = await backend.create();
      const other = await second();
      for (let i = 0; i < 40; i++) await store.send({ sender: 'desktop', message: `c${i}` });
      const rounds = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).fetch({ reader: 'code', limit: 3, unreadOnly: true })),
      );
      const ids = rounds.flat().map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(40);
    });

    it('sees writes made through another handle', async () => {
      const { store, second } = await backend.create();
      const other = await second();
      await other.send({ sender: 'code', message: 'from elsewhere' });
      expect((await store.fetch({ reader: 'desktop', limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual(['from elsewhere']);
      expect(await other.fetch({ reader: 'desktop', limit: 5, unreadOnly: true })).toEqual([]);
    });

    it('reports stats: total, unread per side, last activity', async () => {
      let now = Date.parse('2026-11-24T10:00:00Z');
      const store = await fresh({ now: () => new Date(now) });
      expect(await store.stats()).toEqual({ total: 0, unread: { desktop: 0, code: 0 }, lastActivity: null });
      await store.send({ sender: 'desktop', message: 'a' });
      now += 1000;
      await store.send({ sender: 'desktop', message: 'b' });
      await store.send({ sender: 'code', message: 'c' });
      await store.fetch({ reader: 'code', limit: 1, unreadOnly: true });
      expect(await store.stats()).toEqual({ total: 3, unread: { desktop: 1, code: 1 }, lastActivity: '2026-11-24T10:00:01.000000+00:00' });
    });
  });
}
