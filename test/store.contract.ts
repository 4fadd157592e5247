// The Store contract: one suite every backend must pass. A backend gives a factory for a fresh, empty store and a
// way to open a second handle on the same data (another process's view).
import os from 'node:os';

import { describe, expect, it } from 'vitest';

import { noticeOwner } from '../src/store/routing.js';
import { LIMITS, NOTICE_LEASE_MS, type Reader, RelayError, type SessionInput, type Store } from '../src/store/store.js';

/** The kinds' shared mailboxes: how a reader outside any session (and the seed) reads. */
const CODE: Reader = { kind: 'code', name: null };
const DESKTOP: Reader = { kind: 'desktop', name: null };

export interface BackendOptions {
  maxUnread?: number;
  keepRead?: number;
  /** Messages marked read between evictions of old history (a backend may evict every time). */
  pruneBatch?: number;
  now?: () => Date;
  /** Which process ids count as alive (sessions of this host); default: the real check. */
  pidAlive?: (pid: number) => boolean;
}

export interface StoreBackend {
  name: string;
  /** A fresh empty store; `second()` opens another handle on the same data. Both are closed by the backend. */
  create(options?: BackendOptions): Promise<{ store: Store; second(): Promise<Store> }>;
}

/**
 * Registers sessions on `store` as if from processes on this host that stay alive (their pids, from `firstPid` up,
 * are added to `alive`) until their `die()`.
 */
export function sessionJoiner(store: Store, alive: Set<number>, firstPid: number) {
  let nextPid = firstPid;
  return async (kind: string, name: string, extra: Partial<SessionInput> = {}) => {
    const pid = nextPid++;
    alive.add(pid);
    const info = await store.registerSession({
      kind,
      name,
      cwd: `/work/${name}`,
      host: os.hostname(),
      pid,
      observer: false,
      ...extra,
    });
    return { ...info, reader: { kind, name: info.name } as Reader, die: () => alive.delete(pid) };
  };
}

export function storeContract(backends: StoreBackend[]): void {
  describe.each(backends)('Store contract: $name', (backend) => {
    const fresh = async (options?: Parameters<StoreBackend['create']>[0]) => (await backend.create(options)).store;

    it('returns what was sent, oldest first, with the seed fields', async () => {
      const store = await fresh();
      const a = (await store.send({ sender: 'desktop', message: 'one' })).message;
      const b = (await store.send({ sender: 'desktop', message: 'two' })).message;
      expect(b.id).toBeGreaterThan(a.id);
      const got = await store.fetch({ reader: CODE, limit: 5, unreadOnly: true });
      expect(got.map((m) => m.message)).toEqual(['one', 'two']);
      expect(Object.keys(got[0]!).sort()).toEqual([
        'from',
        'id',
        'message',
        'read_by_code_at',
        'read_by_desktop_at',
        'reply_to',
        'sender',
        'timestamp',
        'to',
      ]);
      expect(got[0]).toMatchObject({ from: 'desktop', to: 'code', reply_to: null });
      expect(got[0]!.sender).toBe('desktop');
      expect(got[0]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(got[0]!.read_by_code_at).not.toBeNull();
      expect(got[0]!.read_by_desktop_at).toBeNull();
    });

    it('says what it runs on, for doctor and --debug', async () => {
      const store = await fresh();
      expect(store.backend).toMatch(/^(SQLite \d+\.\d+\.\d+ via (node:sqlite|better-sqlite3)|PostgreSQL \d+(\.\d+)*)$/);
    });

    it('marks read per reader: a second fetch gets nothing, the other side is unaffected', async () => {
      const store = await fresh();
      await store.send({ sender: 'desktop', message: 'for code' });
      await store.send({ sender: 'code', message: 'for desktop' });
      expect((await store.fetch({ reader: CODE, limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual([
        'for code',
      ]);
      expect(await store.fetch({ reader: CODE, limit: 5, unreadOnly: true })).toEqual([]);
      expect((await store.fetch({ reader: DESKTOP, limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual([
        'for desktop',
      ]);
    });

    it('never returns a reader its own messages', async () => {
      const store = await fresh();
      await store.send({ sender: 'code', message: 'mine' });
      expect(await store.fetch({ reader: CODE, limit: 20, unreadOnly: true })).toEqual([]);
      expect(await store.fetch({ reader: CODE, limit: 20, unreadOnly: false })).toEqual([]);
    });

    it('returns the oldest unread first and skips none (the seed skipped older ones)', async () => {
      const store = await fresh();
      for (let i = 1; i <= 8; i++) await store.send({ sender: 'desktop', message: `m${i}` });
      const first = await store.fetch({ reader: CODE, limit: 5, unreadOnly: true });
      const second = await store.fetch({ reader: CODE, limit: 5, unreadOnly: true });
      expect(first.map((m) => m.message)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(second.map((m) => m.message)).toEqual(['m6', 'm7', 'm8']);
    });

    it('with unreadOnly false returns the newest messages not from the reader, oldest first, and marks them', async () => {
      const store = await fresh();
      for (let i = 1; i <= 4; i++) await store.send({ sender: 'desktop', message: `d${i}` });
      await store.send({ sender: 'code', message: 'c1' });
      await store.fetch({ reader: CODE, limit: 1, unreadOnly: true });
      const got = await store.fetch({ reader: CODE, limit: 3, unreadOnly: false });
      expect(got.map((m) => m.message)).toEqual(['d2', 'd3', 'd4']);
      expect(got.every((m) => m.read_by_code_at !== null)).toBe(true);
      expect(await store.fetch({ reader: CODE, limit: 5, unreadOnly: true })).toEqual([]);
    });

    it('shows the newest messages of anyone (latest), oldest first, marking nothing', async () => {
      const store = await fresh();
      await store.send({ sender: 'desktop', message: 'a' });
      await store.send({ sender: 'code', message: 'b' });
      await store.send({ sender: 'desktop', message: 'c' });
      const peek = await store.latest(2);
      expect(peek.map((m) => m.message)).toEqual(['b', 'c']);
      expect((await store.latest(10)).map((m) => m.message)).toEqual(['a', 'b', 'c']);
      expect((await store.fetch({ reader: CODE, limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual([
        'a',
        'c',
      ]);
    });

    it('respects the limit', async () => {
      const store = await fresh();
      for (let i = 0; i < 25; i++) await store.send({ sender: 'code', message: `x${i}` });
      expect(await store.fetch({ reader: DESKTOP, limit: 20, unreadOnly: true })).toHaveLength(20);
      expect(await store.fetch({ reader: DESKTOP, limit: 20, unreadOnly: true })).toHaveLength(5);
    });

    it('clears everything and reports the count; ids keep increasing', async () => {
      const store = await fresh();
      const a = (await store.send({ sender: 'desktop', message: 'a' })).message;
      await store.send({ sender: 'code', message: 'b' });
      expect(await store.clear()).toBe(2);
      expect(await store.latest(10)).toEqual([]);
      expect(await store.clear()).toBe(0);
      const c = (await store.send({ sender: 'desktop', message: 'c' })).message;
      expect(c.id).toBeGreaterThan(a.id);
    });

    it('keeps text byte for byte: quotes, newlines, NUL, emoji', async () => {
      const store = await fresh();
      const text = 'He said "hi" \\ \'quoted\'\nline2\u0000after-nul 🚀 $(touch x) `id`';
      await store.send({ sender: 'desktop', message: text });
      const [got] = await store.fetch({ reader: CODE, limit: 1, unreadOnly: true });
      expect(got!.message).toBe(text);
    });

    it('refuses empty, oversized and ill-formed text with a RelayError that says the size and the limit', async () => {
      const store = await fresh();
      await expect(store.send({ sender: 'desktop', message: '  ' })).rejects.toMatchObject({ code: 'empty' });
      await expect(store.send({ sender: 'desktop', message: 'a\ud800b' })).rejects.toMatchObject({
        code: 'invalid_text',
      });
      const exact = 'é'.repeat(LIMITS.maxMessageBytes / 2);
      await expect(store.send({ sender: 'desktop', message: exact })).resolves.toMatchObject({
        message: { message: exact },
      });
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
      const all = await store.fetch({ reader: CODE, limit: 20, unreadOnly: true });
      const rest = await store.fetch({ reader: CODE, limit: 20, unreadOnly: true });
      expect([...all, ...rest].map((m) => m.message)).toEqual(Array.from({ length: 30 }, (_, i) => `u${i}`));
      await store.send({ sender: 'desktop', message: 'room again' });
    });

    it('evicts only read messages, keeping the newest keepRead of them', async () => {
      const store = await fresh({ keepRead: 3, pruneBatch: 1 });
      for (let i = 0; i < 6; i++) await store.send({ sender: 'desktop', message: `r${i}` });
      await store.fetch({ reader: CODE, limit: 6, unreadOnly: true });
      for (let i = 0; i < 2; i++) await store.send({ sender: 'desktop', message: `n${i}` });
      await store.send({ sender: 'code', message: 'unread for desktop' });
      await store.fetch({ reader: CODE, limit: 1, unreadOnly: true }); // reads n0, prunes again
      const left = (await store.latest(20)).map((m) => m.message);
      expect(left).toEqual(['r4', 'r5', 'n0', 'n1', 'unread for desktop']);
    });

    it('keeps the history bounded by keepRead plus one batch, however many messages pass', async () => {
      const store = await fresh({ keepRead: 10, pruneBatch: 8 });
      for (let i = 0; i < 100; i++) {
        await store.send({ sender: 'desktop', message: `h${i}` });
        await store.fetch({ reader: CODE, limit: 1, unreadOnly: true });
      }
      const kept = (await store.latest(50)).map((m) => m.message);
      expect(kept.length).toBeGreaterThanOrEqual(10);
      expect(kept.length).toBeLessThanOrEqual(10 + 8);
      expect(kept.at(-1)).toBe('h99');
    });

    it('gives each message to one of two concurrent fetchers of the same reader, never both', async () => {
      const { store, second } = await backend.create();
      const other = await second();
      for (let i = 0; i < 40; i++) await store.send({ sender: 'desktop', message: `c${i}` });
      const rounds = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? store : other).fetch({ reader: CODE, limit: 3, unreadOnly: true }),
        ),
      );
      const ids = rounds.flat().map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(40);
    });

    it('sees writes made through another handle', async () => {
      const { store, second } = await backend.create();
      const other = await second();
      await other.send({ sender: 'code', message: 'from elsewhere' });
      expect((await store.fetch({ reader: DESKTOP, limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual([
        'from elsewhere',
      ]);
      expect(await other.fetch({ reader: DESKTOP, limit: 5, unreadOnly: true })).toEqual([]);
    });

    it('reports stats: total, unread per side, last activity', async () => {
      let now = Date.parse('2026-11-24T10:00:00Z');
      const store = await fresh({ now: () => new Date(now) });
      expect(await store.stats()).toEqual({ total: 0, unread: { desktop: 0, code: 0 }, lastActivity: null });
      await store.send({ sender: 'desktop', message: 'a' });
      now += 1000;
      await store.send({ sender: 'desktop', message: 'b' });
      await store.send({ sender: 'code', message: 'c' });
      await store.fetch({ reader: CODE, limit: 1, unreadOnly: true });
      expect(await store.stats()).toEqual({
        total: 3,
        unread: { desktop: 1, code: 1 },
        lastActivity: '2026-11-24T10:00:01.000000+00:00',
      });
    });
    it("peeks at a reader's unread without marking them (mark: false)", async () => {
      const store = await fresh();
      await store.send({ sender: 'desktop', message: 'p' });
      expect(
        (await store.fetch({ reader: CODE, limit: 5, unreadOnly: true, mark: false })).map((m) => m.message),
      ).toEqual(['p']);
      expect((await store.fetch({ reader: CODE, limit: 5, unreadOnly: true })).map((m) => m.message)).toEqual(['p']);
    });
  });

  describe.each(backends)('Store contract, sessions and addressing: $name', (backend) => {
    /** A store where the given pids are alive; sessions register as if from those processes. */
    const world = async (options: BackendOptions = {}) => {
      const alive = new Set<number>();
      const { store, second } = await backend.create({ pidAlive: (pid) => alive.has(pid), ...options });
      const join = sessionJoiner(store, alive, 50_000);
      return { store, second, join, alive };
    };
    const texts = (messages: { message: string }[]) => messages.map((m) => m.message);

    it("names sessions uniquely among live ones, and reuses a dead one's name", async () => {
      const { store, join } = await world();
      const a = await join('code', 'api');
      const b = await join('code', 'api');
      expect([a.name, b.name]).toEqual(['api', 'api-2']);
      a.die();
      const c = await join('code', 'api');
      expect(c.name).toBe('api');
      expect((await store.sessions()).map((s) => s.name).sort()).toEqual(['api', 'api-2']);
      // A name that is another kind would be unreachable by name: reserved, so the session is named for its kind too.
      expect((await join('code', 'desktop')).name).toBe('desktop-code');
    });

    it('gives a Desktop broadcast to every live Code session exactly once; one reading hides nothing from another', async () => {
      const { store, join } = await world();
      const desktop = await join('desktop', 'desktop');
      const api = await join('code', 'api');
      const web = await join('code', 'web');
      const sent = await store.send({ sender: 'desktop', from: desktop.name, message: 'plan v2' });
      expect(sent.recipients.sort()).toEqual(['api', 'web']);
      const first = await store.fetch({ reader: api.reader, limit: 5, unreadOnly: true });
      expect(first).toEqual([expect.objectContaining({ message: 'plan v2', from: 'desktop', to: 'code' })]);
      expect(first[0]!.read_by_code_at).not.toBeNull();
      expect(await store.fetch({ reader: api.reader, limit: 5, unreadOnly: true })).toEqual([]);
      expect(texts(await store.fetch({ reader: web.reader, limit: 5, unreadOnly: true }))).toEqual(['plan v2']);
      expect(await store.fetch({ reader: web.reader, limit: 5, unreadOnly: true })).toEqual([]);
      expect(await store.fetch({ reader: desktop.reader, limit: 5, unreadOnly: true })).toEqual([]);
    });

    it('leaves mail for a kind with no live session in its shared mailbox: the first session of that kind takes it', async () => {
      const { store, join } = await world();
      const sent = await store.send({ sender: 'desktop', message: 'for whoever opens Code' });
      expect(sent.recipients).toEqual(['code (next to fetch)']);
      const a = await join('code', 'a');
      const b = await join('code', 'b');
      expect(texts(await store.fetch({ reader: b.reader, limit: 5, unreadOnly: true }))).toEqual([
        'for whoever opens Code',
      ]);
      expect(await store.fetch({ reader: a.reader, limit: 5, unreadOnly: true })).toEqual([]);
    });

    it('routes Code to Desktop by default, by name to one session only, and "*" to everyone but the sender', async () => {
      const { store, join } = await world();
      const desktop = await join('desktop', 'desktop');
      const api = await join('code', 'api');
      const web = await join('code', 'web');
      await store.send({ sender: 'code', from: 'api', message: 'done' });
      await store.send({ sender: 'desktop', from: 'desktop', to: 'web', message: 'only web' });
      await store.send({ sender: 'code', from: 'web', to: '*', message: 'all hands' });
      expect(texts(await store.fetch({ reader: desktop.reader, limit: 5, unreadOnly: true }))).toEqual([
        'done',
        'all hands',
      ]);
      expect(texts(await store.fetch({ reader: api.reader, limit: 5, unreadOnly: true }))).toEqual(['all hands']);
      const forWeb = await store.fetch({ reader: web.reader, limit: 5, unreadOnly: true });
      expect(forWeb).toEqual([expect.objectContaining({ message: 'only web', to: 'web', from: 'desktop' })]);
    });

    it('refuses an unknown recipient, listing the live sessions; and "*" with nobody else live', async () => {
      const { store, join } = await world();
      await join('desktop', 'desktop');
      await join('code', 'api');
      const error = await store
        .send({ sender: 'desktop', from: 'desktop', to: 'nobody', message: 'x' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RelayError);
      expect((error as RelayError).code).toBe('unknown_recipient');
      expect((error as RelayError).message).toMatch(/"nobody".*Live sessions: desktop \(Desktop\), api \(Code\)/);
      const lonely = await world();
      const only = await lonely.join('code', 'solo');
      await expect(lonely.store.send({ sender: 'code', from: only.name, to: '*', message: 'x' })).rejects.toMatchObject(
        { code: 'unknown_recipient' },
      );
      expect(await store.latest(5)).toEqual([]);
    });

    it('answers with reply_to: the reply goes back to the session that asked', async () => {
      const { store, join } = await world();
      const desktop = await join('desktop', 'desktop');
      const api = await join('code', 'api');
      const web = await join('code', 'web');
      const question = (await store.send({ sender: 'code', from: 'web', message: 'does this API look right?' }))
        .message;
      await store.fetch({ reader: desktop.reader, limit: 5, unreadOnly: true });
      const answer = await store.send({ sender: 'desktop', from: 'desktop', replyTo: question.id, message: 'yes' });
      expect(answer.recipients).toEqual(['web']);
      expect(await store.fetch({ reader: api.reader, limit: 5, unreadOnly: true })).toEqual([]);
      expect(await store.fetch({ reader: web.reader, limit: 5, unreadOnly: true })).toEqual([
        expect.objectContaining({ message: 'yes', reply_to: question.id, to: 'web' }),
      ]);
      await expect(store.send({ sender: 'desktop', replyTo: 999_999, message: 'x' })).rejects.toMatchObject({
        code: 'bad_request',
      });
    });

    it('lists live sessions with unread counts; dead ones drop out; ended ones keep their mail for their return', async () => {
      const { store, join } = await world();
      const desktop = await join('desktop', 'desktop');
      const api = await join('code', 'api');
      const web = await join('code', 'web');
      await store.send({ sender: 'desktop', from: 'desktop', to: 'api', message: 'for api' });
      const listed = await store.sessions();
      expect(listed.map((s) => [s.name, s.kind, s.unread])).toEqual([
        ['desktop', 'desktop', 0],
        ['api', 'code', 1],
        ['web', 'code', 0],
      ]);
      expect(listed[1]).toMatchObject({ cwd: '/work/api', observer: false, host: os.hostname() });
      web.die();
      expect((await store.sessions()).map((s) => s.name)).toEqual(['desktop', 'api']);
      await store.endSession({ name: api.name, host: api.host, pid: api.pid });
      expect((await store.sessions()).map((s) => s.name)).toEqual(['desktop']);
      // Addressed by name while away: it waits.
      await store.send({ sender: 'desktop', from: desktop.name, to: 'api', message: 'while you were out' });
      const back = await join('code', 'api');
      expect(texts(await store.fetch({ reader: back.reader, limit: 5, unreadOnly: true }))).toEqual([
        'for api',
        'while you were out',
      ]);
    });

    it('tells a heartbeat that its name was taken after it was declared dead', async () => {
      const { store, join } = await world();
      const a = await join('code', 'api');
      expect(await store.touchSession({ name: a.name, host: a.host, pid: a.pid })).toBe(true);
      a.die();
      await join('code', 'api');
      expect(await store.touchSession({ name: a.name, host: a.host, pid: a.pid })).toBe(false);
    });

    it('sends observers nothing, and counts unread per kind across sessions', async () => {
      const { store, join } = await world();
      const watcher = await join('code', 'watcher', { observer: true });
      const api = await join('code', 'api');
      const sent = await store.send({ sender: 'desktop', message: 'hello' });
      expect(sent.recipients).toEqual(['api']);
      expect(await store.fetch({ reader: watcher.reader, limit: 5, unreadOnly: true })).toEqual([]);
      expect((await store.stats()).unread).toEqual({ desktop: 0, code: 1 });
      await store.fetch({ reader: api.reader, limit: 5, unreadOnly: true });
      expect((await store.stats()).unread).toEqual({ desktop: 0, code: 0 });
    });

    it("leaves nothing behind after doctor's round trip: deleteMessages, then endSession and forgetSession", async () => {
      const { store, second, join } = await world();
      const desktop = await join('desktop', 'desktop');
      await store.send({ sender: 'desktop', from: desktop.name, message: 'kept' });
      const before = await store.stats();
      const probe = await join('doctor', 'doctor-1f2e');
      const key = { name: probe.name, host: probe.host, pid: probe.pid };
      const { message } = await store.send({
        sender: 'doctor',
        to: probe.name,
        message: 'round trip',
        attachments: [{ name: 'probe.txt', mediaType: 'text/plain', data: Buffer.from('x') }],
      });
      expect(texts(await store.fetch({ reader: probe.reader, limit: 5, unreadOnly: true }))).toEqual(['round trip']);
      // A live session, or an ended one with mail waiting, is not forgotten.
      expect(await store.forgetSession(key)).toBe(false);
      expect(await store.deleteMessages([message.id, 999_999])).toBe(1);
      expect(await store.deleteMessages([message.id])).toBe(0);
      expect(await store.deleteMessages([])).toBe(0);
      expect(await store.attachment(message.attachments![0]!.id, 0, 10)).toBeNull();
      await store.endSession(key);
      expect(await store.forgetSession(key)).toBe(true);
      // Forgotten: its name is no longer remembered (mail to it is refused, not queued), and the rest is as it was.
      await expect(
        store.send({ sender: 'desktop', from: desktop.name, to: probe.name, message: 'x' }),
      ).rejects.toMatchObject({ code: 'unknown_recipient' });
      const other = await second();
      expect(await other.stats()).toEqual(before);
      expect(texts(await other.latest(10))).toEqual(['kept']);
      expect((await other.sessions()).map((s) => s.name)).toEqual(['desktop']);
    });

    it('forgets an ended session only when no mail waits for it', async () => {
      const { store, join } = await world();
      const desktop = await join('desktop', 'desktop');
      const api = await join('code', 'api');
      const key = { name: api.name, host: api.host, pid: api.pid };
      await store.endSession(key);
      await store.send({ sender: 'desktop', from: desktop.name, to: 'api', message: 'while you were out' });
      expect(await store.forgetSession(key)).toBe(false);
      const back = await join('code', 'api');
      expect(texts(await store.fetch({ reader: back.reader, limit: 5, unreadOnly: true }))).toEqual([
        'while you were out',
      ]);
    });

    it('applies the unread cap to each session mailbox', async () => {
      const { store, join } = await world({ maxUnread: 3 });
      await join('code', 'api');
      for (let i = 0; i < 3; i++) await store.send({ sender: 'desktop', message: `m${i}` });
      await expect(store.send({ sender: 'desktop', message: 'one more' })).rejects.toMatchObject({
        code: 'full',
        message: expect.stringMatching(/^api already has 3 unread/),
      });
    });

    it('delivers a broadcast or a kind send to the mailboxes with room and names the full ones (16.9)', async () => {
      const { store, join } = await world({ maxUnread: 3 });
      const desktop = await join('desktop', 'desktop');
      const sessions = [];
      for (let n = 0; n < 20; n++) sessions.push(await join('code', `idle${n}`));
      const busy = await join('code', 'busy');
      // Twenty idle windows at the cap; one that reads its mail.
      for (let i = 0; i < 3; i++) await store.send({ sender: 'desktop', from: desktop.name, message: `m${i}` });
      await store.fetch({ reader: busy.reader, limit: 10, unreadOnly: true });

      for (const to of [undefined, 'code', '*']) {
        const sent = await store.send({ sender: 'desktop', from: desktop.name, message: `to ${to}`, to });
        expect(sent.recipients).toEqual(['busy']);
        expect(sent.full.sort()).toEqual(sessions.map((s) => s.name).sort());
        expect(texts(await store.fetch({ reader: busy.reader, limit: 5, unreadOnly: true }))).toEqual([`to ${to}`]);
      }
      // The idle ones hold what they held, nothing more, nothing lost.
      expect(
        texts(await store.fetch({ reader: sessions[0]!.reader, limit: 10, unreadOnly: true, mark: false })),
      ).toEqual(['m0', 'm1', 'm2']);
      // Refused only when no mailbox has room, naming them all (cut to a few).
      for (let i = 0; i < 3; i++) await store.send({ sender: 'desktop', from: desktop.name, to: 'busy', message: 'x' });
      const refused = await store.send({ sender: 'desktop', from: desktop.name, message: 'nobody' }).catch((e) => e);
      expect(refused).toMatchObject({ code: 'full' });
      expect((refused as Error).message).toMatch(
        /^(\w+, ){4}\w+ and 16 more each already have the limit of 3 unread messages; nothing was dropped\./,
      );
      expect((await store.stats()).total).toBe(3 + 3 + 3);
    });
  });

  describe.each(backends)('Store contract, notifications, search, attachments, changes: $name', (backend) => {
    const fresh = async (options?: BackendOptions) => backend.create(options);

    it('leases each message to one owner at a time, shows it once, and never one already read', async () => {
      const { store, second } = await fresh({ pidAlive: () => true });
      const other = await second();
      const [a, b] = [noticeOwner(os.hostname(), 101), noticeOwner(os.hostname(), 102)];
      await store.send({ sender: 'desktop', message: 'n1' });
      await store.send({ sender: 'code', message: 'n2' });
      await store.send({ sender: 'desktop', message: 'read before anyone notified' });
      await other.fetch({ reader: CODE, limit: 20, unreadOnly: true });
      const leases = await Promise.all([store.leaseNotifications(a, 10), other.leaseNotifications(b, 10)]);
      expect(leases.flatMap((l) => l.messages.map((m) => m.message))).toEqual(['n2']);
      const [mine, theirs] = leases[0]!.messages.length > 0 ? [store, other] : [other, store];
      const [holder, rival] = leases[0]!.messages.length > 0 ? [a, b] : [b, a];
      const id = leases.flatMap((l) => l.messages)[0]!.id;
      // The rival sees the lease and when it ends; leasing again changes nothing.
      const later = await theirs.leaseNotifications(rival, 10);
      expect(later.messages).toEqual([]);
      expect(Date.parse(later.retryAt!)).toBeGreaterThan(Date.now());
      expect(await theirs.confirmNotifications(rival, [id])).toEqual([]);
      expect(await mine.confirmNotifications(holder, [id])).toEqual([id]);
      expect(await mine.confirmNotifications(holder, [id])).toEqual([]);
      expect(await store.leaseNotifications(a, 10)).toEqual({ messages: [], retryAt: null });
      await store.send({ sender: 'desktop', message: 'n3' });
      expect((await other.leaseNotifications(b, 10)).messages.map((m) => m.message)).toEqual(['n3']);
    });

    it('gives an expired lease, or one whose holder died, to the next owner; the first can no longer confirm it', async () => {
      let clock = Date.parse('2026-12-01T12:00:00.000Z');
      const dead = new Set<number>();
      const { store, second } = await fresh({ now: () => new Date(clock), pidAlive: (pid) => !dead.has(pid) });
      const other = await second();
      const [a, b] = [noticeOwner(os.hostname(), 201), noticeOwner(os.hostname(), 202)];
      const { message } = await store.send({ sender: 'code', message: 'slow' });
      expect((await store.leaseNotifications(a, 10)).messages.map((m) => m.id)).toEqual([message.id]);
      const held = await other.leaseNotifications(b, 10);
      expect(held).toEqual({ messages: [], retryAt: new Date(clock + NOTICE_LEASE_MS).toISOString() });
      clock += NOTICE_LEASE_MS + 1;
      expect((await other.leaseNotifications(b, 10)).messages.map((m) => m.id)).toEqual([message.id]);
      expect(await store.confirmNotifications(a, [message.id])).toEqual([]);
      expect(await other.confirmNotifications(b, [message.id])).toEqual([message.id]);

      const { message: next } = await store.send({ sender: 'code', message: 'holder dies' });
      expect((await store.leaseNotifications(a, 10)).messages.map((m) => m.id)).toEqual([next.id]);
      expect((await other.leaseNotifications(b, 10)).messages).toEqual([]);
      dead.add(201);
      expect((await other.leaseNotifications(b, 10)).messages.map((m) => m.id)).toEqual([next.id]);
      expect(await other.confirmNotifications(b, [next.id])).toEqual([next.id]);
      // A holder on another machine is not judged by this machine's processes: its lease runs its course.
      const { message: far } = await store.send({ sender: 'code', message: 'elsewhere' });
      const remote = noticeOwner('another-host', 201);
      expect((await store.leaseNotifications(remote, 10)).messages.map((m) => m.id)).toEqual([far.id]);
      expect((await other.leaseNotifications(b, 10)).messages).toEqual([]);
    });

    it('confirms nothing that was read after it was leased, and leases at most the limit', async () => {
      const { store } = await fresh();
      const owner = noticeOwner(os.hostname(), process.pid);
      for (let i = 0; i < 5; i++) await store.send({ sender: 'code', message: `m${i}` });
      const { messages } = await store.leaseNotifications(owner, 3);
      expect(messages.map((m) => m.message)).toEqual(['m0', 'm1', 'm2']);
      await store.fetch({ reader: { kind: 'desktop', name: null }, limit: 1, unreadOnly: true });
      expect(
        await store.confirmNotifications(
          owner,
          messages.map((m) => m.id),
        ),
      ).toEqual(messages.slice(1).map((m) => m.id));
      expect((await store.leaseNotifications(owner, 10)).messages.map((m) => m.message)).toEqual(['m3', 'm4']);
    });

    it('searches the history by words, newest first, with snippets; query syntax is just text', async () => {
      const { store } = await fresh();
      await store.send({ sender: 'desktop', message: 'Refactor the parser module' });
      await store.send({ sender: 'code', message: 'The parser tests pass now' });
      await store.send({ sender: 'desktop', message: 'Unrelated: lunch?' });
      const hits = await store.search('parser', 10);
      expect(hits.map((h) => h.snippet)).toEqual(['The [parser] tests pass now', 'Refactor the [parser] module']);
      expect(hits[0]).toMatchObject({ sender: 'code', from: 'code', to: 'desktop' });
      expect((await store.search('pars tests', 10)).map((h) => h.snippet)).toEqual(['The [pars]er [tests] pass now']);
      expect(await store.search('parser AND NOT "x" OR (', 10)).toEqual([]);
      await expect(store.search(' "*" ', 10)).rejects.toMatchObject({ code: 'bad_request' });
      await store.clear();
      expect(await store.search('parser', 10)).toEqual([]);
    });

    it('searches alike on every backend: words inside CJK phrases, full case folding, accents, text after a NUL', async () => {
      const { store } = await fresh();
      await store.send({ sender: 'desktop', message: '请看中文消息测试' });
      await store.send({ sender: 'code', message: 'Treffen in der Straße, im Café' });
      await store.send({ sender: 'desktop', message: 'before\u0000after: needle' });
      const snippets = async (query: string) => (await store.search(query, 10)).map((h) => h.snippet);
      expect(await snippets('消息')).toEqual(['请看中文[消息]测试']);
      expect(await snippets('strasse cafe')).toEqual(['Treffen in der [Straße], im [Café]']);
      expect(await snippets('needle')).toEqual(['before\u0000after: [needle]']);
      expect(await snippets('after')).toEqual(['before\u0000[after]: needle']);
    });

    it('stores attachments binary-safe, lists them on messages without bytes, and reads them in slices', async () => {
      const { store } = await fresh();
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
      const { message } = await store.send({
        sender: 'desktop',
        message: 'see attached',
        attachments: [
          { name: 'blob.bin', mediaType: 'application/octet-stream', data: bytes },
          { name: 'notes.md', mediaType: 'text/markdown', data: Buffer.from('# notes\n') },
        ],
      });
      expect(message.attachments?.map((a) => [a.name, a.size, a.media_type])).toEqual([
        ['blob.bin', 70_000, 'application/octet-stream'],
        ['notes.md', 8, 'text/markdown'],
      ]);
      const [fetched] = await store.fetch({ reader: CODE, limit: 1, unreadOnly: true });
      expect(fetched!.attachments).toEqual(message.attachments);
      const id = message.attachments![0]!.id;
      const parts: Buffer[] = [];
      for (let offset = 0; offset < bytes.length; offset += 30_000)
        parts.push((await store.attachment(id, offset, 30_000))!.data);
      expect(Buffer.concat(parts).equals(bytes)).toBe(true);
      expect((await store.attachment(id, 69_990, 100))!.data).toHaveLength(10);
      expect(await store.attachment(999_999, 0, 10)).toBeNull();
      await store.clear();
      expect(await store.attachment(id, 0, 10)).toBeNull();
    });

    it('refuses too many or too large attachments before storing anything', async () => {
      const { store } = await fresh();
      const big = Buffer.alloc(LIMITS.maxAttachmentBytes + 1);
      await expect(
        store.send({
          sender: 'desktop',
          message: 'x',
          attachments: [{ name: 'big', mediaType: 'application/octet-stream', data: big }],
        }),
      ).rejects.toMatchObject({ code: 'too_large' });
      await expect(
        store.send({
          sender: 'desktop',
          message: 'x',
          attachments: [{ name: '../etc/passwd', mediaType: 'text/plain', data: Buffer.from('x') }],
        }),
      ).rejects.toMatchObject({ code: 'bad_request' });
      expect(await store.latest(5)).toEqual([]);
    });

    it('tells listeners when another handle (another process) writes, and stops when unsubscribed', async () => {
      const { store, second } = await fresh();
      const other = await second();
      let calls = 0;
      let wake: () => void = () => {};
      const unsubscribe = store.onChange(() => {
        calls++;
        wake();
      });
      const changed = () => new Promise<void>((resolve) => (wake = resolve));
      const first = changed();
      await other.send({ sender: 'code', message: 'ping' });
      await first;
      expect(calls).toBeGreaterThan(0);
      const own = changed();
      await store.send({ sender: 'desktop', message: 'pong' });
      await own;
      unsubscribe();
      const before = calls;
      await other.send({ sender: 'code', message: 'unheard' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calls).toBe(before);
    });
  });
}
