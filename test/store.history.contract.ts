// The Store contract for what the history shows (the `ui` page and the `history` command): messages with every
// delivery and its read state, filtered by session, kind and thread, paged; the deliveries alone; the directory of
// live and remembered sessions. Run by every backend's test file beside storeContract.

import { describe, expect, it } from 'vitest';

import { type BackendOptions, sessionJoiner, type StoreBackend } from './store.contract.js';

export function historyContract(backends: StoreBackend[]): void {
  describe.each(backends)('Store contract, history: $name', (backend) => {
    /** A store where the given pids are alive; sessions register as if from those processes. */
    const world = async (options: BackendOptions = {}) => {
      const alive = new Set<number>();
      // A clock a second ahead at every reading, so "seen last" never ties.
      let clock = Date.now();
      const now = () => new Date((clock += 1_000));
      const { store } = await backend.create({ pidAlive: (pid) => alive.has(pid), now, ...options });
      const join = sessionJoiner(store, alive, 60_000);
      return { store, join };
    };
    const texts = (messages: { message: string }[]) => messages.map((m) => m.message);

    it('lists every delivery with its own read state, newest last, and marks nothing', async () => {
      const { store, join } = await world();
      const desktop = await join('desktop', 'desktop');
      const api = await join('code', 'api');
      await join('code', 'web');
      const plan = await store.send({ sender: 'desktop', from: 'desktop', message: 'plan' });
      await store.send({ sender: 'code', from: 'api', message: 'ok' });
      await store.fetch({ reader: api.reader, limit: 5, unreadOnly: true });

      const history = await store.history({ limit: 10 });
      expect(texts(history)).toEqual(['plan', 'ok']);
      const [first, second] = history;
      expect(first).toMatchObject({ id: plan.message.id, from: 'desktop', to: 'code', sender: 'desktop' });
      expect(first!.recipients).toEqual([
        { mailbox: 'code/api', kind: 'code', name: 'api', delivered_at: first!.timestamp, read_at: expect.any(String) },
        { mailbox: 'code/web', kind: 'code', name: 'web', delivered_at: first!.timestamp, read_at: null },
      ]);
      expect(second!.recipients).toEqual([
        {
          mailbox: 'desktop/desktop',
          kind: 'desktop',
          name: 'desktop',
          delivered_at: second!.timestamp,
          read_at: null,
        },
      ]);
      // Nothing was marked: desktop and web still have their mail.
      expect(texts(await store.fetch({ reader: desktop.reader, limit: 5, unreadOnly: true }))).toEqual(['ok']);
      expect((await store.history({ limit: 10 }))[1]!.recipients[0]!.read_at).not.toBeNull();
    });

    it("shows a kind's shared mailbox as a delivery without a name", async () => {
      const { store } = await world();
      await store.send({ sender: 'desktop', message: 'for the next Code' });
      const [message] = await store.history({ limit: 5 });
      expect(message!.recipients).toEqual([
        { mailbox: 'code', kind: 'code', name: null, delivered_at: message!.timestamp, read_at: null },
      ]);
      await store.fetch({ reader: { kind: 'code', name: null }, limit: 5, unreadOnly: true });
      expect((await store.history({ limit: 5 }))[0]!.recipients[0]!.read_at).not.toBeNull();
    });

    it('pages back with before, catches up with after, and returns the newest `limit` oldest first', async () => {
      const { store } = await world();
      const ids: number[] = [];
      for (let i = 1; i <= 7; i++) ids.push((await store.send({ sender: 'desktop', message: `m${i}` })).message.id);
      expect(texts(await store.history({ limit: 3 }))).toEqual(['m5', 'm6', 'm7']);
      expect(texts(await store.history({ limit: 3, before: ids[4] }))).toEqual(['m2', 'm3', 'm4']);
      expect(texts(await store.history({ limit: 3, before: ids[1] }))).toEqual(['m1']);
      expect(texts(await store.history({ limit: 10, after: ids[4] }))).toEqual(['m6', 'm7']);
      expect(texts(await store.history({ limit: 10, after: ids[1], before: ids[4] }))).toEqual(['m3', 'm4']);
      expect(await store.history({ limit: 10, after: ids[6] })).toEqual([]);
    });

    it('filters by session (sent or delivered) and by kind (sent, or delivered to it or its sessions)', async () => {
      const { store, join } = await world();
      await join('desktop', 'desktop');
      await join('code', 'api');
      await join('code', 'web');
      await store.send({ sender: 'desktop', from: 'desktop', to: 'api', message: 'to api' });
      await store.send({ sender: 'desktop', from: 'desktop', to: 'web', message: 'to web' });
      await store.send({ sender: 'code', from: 'web', message: 'web to desktop' });
      await store.send({ sender: 'code', from: 'api', to: 'web', message: 'api to web' });
      await store.send({ sender: 'cursor', message: 'cursor to desktop' });
      expect(texts(await store.history({ limit: 10, session: 'api' }))).toEqual(['to api', 'api to web']);
      expect(texts(await store.history({ limit: 10, session: 'web' }))).toEqual([
        'to web',
        'web to desktop',
        'api to web',
      ]);
      expect(texts(await store.history({ limit: 10, kind: 'code' }))).toEqual([
        'to api',
        'to web',
        'web to desktop',
        'api to web',
      ]);
      expect(texts(await store.history({ limit: 10, kind: 'cursor' }))).toEqual(['cursor to desktop']);
      // A name that merely ends like another is not it, and '_' is no wildcard.
      expect(await store.history({ limit: 10, session: 'pi' })).toEqual([]);
      expect(await store.history({ limit: 10, session: '_pi' })).toEqual([]);
      expect(texts(await store.history({ limit: 1, session: 'web' }))).toEqual(['api to web']);
    });

    it('filters by thread: the root and every reply under it, from any message of the thread', async () => {
      const { store, join } = await world();
      await join('desktop', 'desktop');
      await join('code', 'api');
      const root = (await store.send({ sender: 'code', from: 'api', message: 'q' })).message;
      await store.send({ sender: 'desktop', from: 'desktop', message: 'unrelated' });
      const a = (await store.send({ sender: 'desktop', from: 'desktop', replyTo: root.id, message: 'a1' })).message;
      const b = (await store.send({ sender: 'code', from: 'api', replyTo: a.id, message: 'a2' })).message;
      await store.send({ sender: 'desktop', from: 'desktop', replyTo: root.id, message: 'a3' });
      const thread = ['q', 'a1', 'a2', 'a3'];
      expect(texts(await store.history({ limit: 10, thread: root.id }))).toEqual(thread);
      expect(texts(await store.history({ limit: 10, thread: b.id }))).toEqual(thread);
      expect(texts(await store.history({ limit: 2, thread: a.id }))).toEqual(['a2', 'a3']);
      expect(texts(await store.history({ limit: 10, session: 'desktop' }))).toContain('unrelated');
      expect(texts(await store.history({ limit: 10, thread: a.id, session: 'desktop' }))).toEqual(thread);
      expect(await store.history({ limit: 10, thread: a.id, kind: 'cursor' })).toEqual([]);
      expect(await store.history({ limit: 10, thread: 999_999 })).toEqual([]);
    });

    it('keeps attachments on history messages, and text byte for byte', async () => {
      const { store } = await world();
      const text = 'quote " back \\ nul \u0000 emoji 🦊 rtl \u202e';
      await store.send({
        sender: 'desktop',
        message: text,
        attachments: [{ name: 'a.txt', mediaType: 'text/plain', data: Buffer.from('hello') }],
      });
      const [message] = await store.history({ limit: 1 });
      expect(message!.message).toBe(text);
      expect(message!.attachments).toEqual([
        { id: expect.any(Number), name: 'a.txt', media_type: 'text/plain', size: 5 },
      ]);
    });

    it('gives the deliveries of every message from an id up, and sees reads and deletions', async () => {
      const { store, join } = await world();
      const api = await join('code', 'api');
      await join('code', 'web');
      const one = (await store.send({ sender: 'desktop', message: 'one' })).message;
      const two = (await store.send({ sender: 'desktop', to: 'api', message: 'two' })).message;
      let map = await store.deliveries(two.id);
      expect([...map.keys()]).toEqual([two.id]);
      expect(map.get(two.id)).toEqual([
        { mailbox: 'code/api', kind: 'code', name: 'api', delivered_at: two.timestamp, read_at: null },
      ]);
      map = await store.deliveries(one.id);
      expect(map.get(one.id)!.map((d) => d.mailbox)).toEqual(['code/api', 'code/web']);
      await store.fetch({ reader: api.reader, limit: 5, unreadOnly: true });
      map = await store.deliveries(one.id);
      expect(map.get(one.id)!.map((d) => d.read_at === null)).toEqual([false, true]);
      expect(map.get(two.id)![0]!.read_at).not.toBeNull();
      await store.clear();
      expect((await store.deliveries(one.id)).size).toBe(0);
    });

    it('lists live sessions, then remembered ones newest first, and every kind with its shared unread', async () => {
      const { store, join } = await world();
      const desktop = await join('desktop', 'desktop');
      const api = await join('code', 'api');
      const web = await join('code', 'web');
      const cursor = await join('cursor', 'cursor');
      web.die();
      await store.endSession({ name: api.name, host: api.host, pid: api.pid });
      await store.send({ sender: 'cursor', from: 'cursor', to: 'api', message: 'waits for api' });
      const directory = await store.directory();
      expect(directory.sessions.map((s) => [s.name, s.live])).toEqual([
        ['desktop', true],
        ['cursor', true],
        // api ended after web stopped beating: it was seen last.
        ['api', false],
        ['web', false],
      ]);
      expect(directory.sessions.find((s) => s.name === 'api')).toMatchObject({
        kind: 'code',
        unread: 1,
        cwd: '/work/api',
      });
      expect(directory.kinds).toEqual([
        { kind: 'desktop', unread: 0 },
        { kind: 'code', unread: 0 },
        { kind: 'cursor', unread: 0 },
      ]);
      await store.endSession({ name: cursor.name, host: cursor.host, pid: cursor.pid });
      await store.endSession({ name: desktop.name, host: desktop.host, pid: desktop.pid });
      await store.send({ sender: 'cursor', message: 'for the next Desktop' });
      expect((await store.directory()).kinds[0]).toEqual({ kind: 'desktop', unread: 1 });
    });
  });
}
