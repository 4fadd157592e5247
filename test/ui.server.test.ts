// The `ui` web server over HTTP, without a browser: who may reach it (loopback, Host/Origin, Fetch Metadata, the
// one-time link, the cookie, the CSRF token), what it serves (headers, attachments), what the person can do (send,
// reply, forward, clear), and the live feed, on SQLite and PostgreSQL alike. The page itself is tested in Chromium
// (ui.browser.test.ts).
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/store/store.js';
import { nameAttachmentAsAnotherWriter } from './helpers/drivers.js';
import { postgres, testDatabase } from './helpers/postgres.js';
import { tempDir } from './helpers/temp.js';
import { events, type EventStream, liveSession, request, uiWorld } from './helpers/ui.js';

const backends: { name: string; open(): Promise<Store> }[] = [
  {
    name: 'sqlite',
    open: async () => {
      const store = openSqliteStore(path.join(tempDir(), 'relay.db'));
      return store;
    },
  },
];
if (postgres.adminUrl !== null) backends.push({ name: 'postgres', open: async () => (await testDatabase()).open() });

async function sqliteWorld() {
  const store = openSqliteStore(path.join(tempDir(), 'relay.db'));
  const world = await uiWorld(store);
  return { store, ...world };
}

describe('ui server: who may reach it', () => {
  it('listens on 127.0.0.1 only', async () => {
    const { server } = await sqliteWorld();
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    await expect(request(server.port, '/', { headers: {} })).resolves.toMatchObject({ status: 401 });
  });

  it('refuses a Host that is not a name of this machine (DNS rebinding), with the HTTP server’s own list', async () => {
    const { port, server } = await sqliteWorld();
    for (const host of ['evil.example', `evil.example:${port}`, `192.0.2.1:${port}`]) {
      expect((await request(port, '/', { headers: { host } })).status, host).toBe(403);
    }
    expect(server.allowList.hostAllowed(`localhost:${port}`)).toBe(true);
    expect((await request(port, '/', { headers: { host: `localhost:${port}` } })).status).toBe(401);
  });

  it('refuses requests from other origins and sites, even on this machine; a navigation to the page may come', async () => {
    const { port, signIn } = await sqliteWorld();
    const me = await signIn();
    const foreign = [
      { origin: 'http://evil.example' },
      { origin: `http://127.0.0.1:${port + 1}` },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    ];
    for (const headers of foreign) {
      expect((await me.get('/api/history', headers)).status, JSON.stringify(headers)).toBe(403);
      expect((await me.post('/api/send', { to: 'code', message: 'csrf' }, headers)).status).toBe(403);
      expect((await me.get('/api/attachments/1', headers)).status).toBe(403);
    }
    expect((await me.get('/', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).status).toBe(200);
    expect(
      (await me.get('/api/history', { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(200);
  });

  it('lets nobody in without the cookie: page, script, API and events', async () => {
    const { port } = await sqliteWorld();
    const page = await request(port, '/');
    expect(page.status).toBe(401);
    expect(page.text).toContain('one-time link');
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    for (const p of ['/app.js', '/app.css', '/api/history', '/api/events', '/api/search?q=x', '/api/attachments/1']) {
      expect((await request(port, p)).status, p).toBe(401);
    }
    expect((await request(port, '/', { headers: { cookie: `relay_ui_${port}=forged` } })).status).toBe(401);
    expect((await request(port, '/api/clear', { method: 'POST' })).status).toBe(401);
  });

  it('trades the link once for an HttpOnly, SameSite=Strict cookie, and takes the secret out of the address bar', async () => {
    const { port, server } = await sqliteWorld();
    const link = new URL(server.newLink());
    const redeemed = await request(port, link.pathname + link.search);
    expect(redeemed.status).toBe(303);
    expect(redeemed.headers.location).toBe('/');
    const cookie = redeemed.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^relay_ui_${port}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`));
    expect(cookie).not.toContain(link.searchParams.get('s'));
    expect((await request(port, '/', { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
    // Used once: the same link again is refused, and so is a guess.
    expect((await request(port, link.pathname + link.search)).status).toBe(403);
    expect((await request(port, '/?s=guess')).status).toBe(403);
    // A new link replaces an unused one.
    const unused = new URL(server.newLink());
    const fresh = new URL(server.newLink());
    expect((await request(port, unused.pathname + unused.search)).status).toBe(403);
    expect((await request(port, fresh.pathname + fresh.search)).status).toBe(303);
  });

  it('serves the page with a strict CSP, nosniff, no framing, no referrer, no caching', async () => {
    const { signIn } = await sqliteWorld();
    const me = await signIn();
    const page = await me.get('/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(page.text).not.toMatch(/<script>|\sstyle=|\son[a-z]+=/);
    expect(me.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const asset of ['/app.js', '/app.css']) {
      const served = await me.get(asset);
      expect(served.status).toBe(200);
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      expect(served.body.length).toBeGreaterThan(1000);
    }
    // The client never parses HTML: no innerHTML, outerHTML, insertAdjacentHTML or document.write in its bundle.
    expect((await me.get('/app.js')).text).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('refuses every state change without the session’s CSRF token, and changes nothing', async () => {
    const { store, signIn } = await sqliteWorld();
    const me = await signIn();
    await store.send({ sender: 'desktop', to: 'user', message: 'keep me' });
    for (const csrf of [undefined, '', 'wrong', (await signIn()).csrf]) {
      const headers = csrf === undefined ? { 'x-relay-csrf': '' } : { 'x-relay-csrf': csrf };
      expect((await me.post('/api/clear', {}, headers)).status).toBe(403);
      expect((await me.post('/api/send', { to: 'code', message: 'x' }, headers)).status).toBe(403);
      expect((await me.post('/api/read', { up_to: 1_000 }, headers)).status).toBe(403);
    }
    expect((await store.stats()).total).toBe(1);
    expect((await store.history({ limit: 5 }))[0]!.recipients.every((d) => d.read_at === null)).toBe(true);
  });
});

describe('ui server: attachments', () => {
  const cases: [string, string, string, string][] = [
    // name, stored type, served type, disposition
    ['shot.png', 'image/png', 'image/png', 'inline'],
    ['photo.jpeg', 'image/jpeg', 'image/jpeg', 'inline'],
    ['notes.txt', 'text/plain', 'text/plain; charset=utf-8', 'inline'],
    ['data.json', 'application/json', 'text/plain; charset=utf-8', 'inline'],
    ['page.html', 'text/html', 'application/octet-stream', 'attachment'],
    ['logo.svg', 'image/svg+xml', 'application/octet-stream', 'attachment'],
    ['app.js', 'text/javascript', 'application/octet-stream', 'attachment'],
    ['x.xml', 'text/x-xml', 'application/octet-stream', 'attachment'],
    ['doc.pdf', 'application/pdf', 'application/octet-stream', 'attachment'],
    ['blob', 'application/octet-stream', 'application/octet-stream', 'attachment'],
  ];

  it('previews only raster images and text (as text/plain); anything else downloads as opaque bytes; never sniffed', async () => {
    const { store, signIn } = await sqliteWorld();
    const me = await signIn();
    const data = Buffer.from('<html><script>alert(1)</script></html>');
    const sent = await store.send({
      sender: 'code',
      message: 'files',
      attachments: cases.map(([name, mediaType]) => ({ name, mediaType, data })),
    });
    for (const [n, [name, , type, disposition]] of cases.entries()) {
      const id = sent.message.attachments![n]!.id;
      const served = await me.get(`/api/attachments/${id}`);
      expect(served.status, name).toBe(200);
      expect(served.headers['content-type'], name).toBe(type);
      expect(served.headers['content-disposition'], name).toMatch(
        new RegExp(`^${disposition}; filename="${name.replace('.', '\\.')}"`),
      );
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      expect(served.headers['content-security-policy']).toContain('sandbox');
      expect(served.body.equals(data), name).toBe(true);
      const downloaded = await me.get(`/api/attachments/${id}?download=1`);
      expect(downloaded.headers['content-disposition']).toMatch(/^attachment;/);
    }
    expect((await me.get('/api/attachments/999999')).status).toBe(404);
  });

  it('saves a hostile file name without bidi tricks, paths or quotes, and keeps its exact UTF-8 name', async () => {
    const { store, signIn } = await sqliteWorld();
    const me = await signIn();
    const name = 'invoice\u202efdp.exe"; x=%41\tünï.txt';
    const sent = await store.send({
      sender: 'code',
      message: 'f',
      attachments: [{ name: 'plain.pdf', mediaType: 'application/pdf', data: Buffer.from('x') }],
    });
    // relay refuses such a name on send; another program writing the buffer can still store one.
    nameAttachmentAsAnotherWriter(store.location, sent.message.attachments![0]!.id, name);
    const served = await me.get(`/api/attachments/${sent.message.attachments![0]!.id}`);
    const header = String(served.headers['content-disposition']);
    expect(header).toBe(
      `attachment; filename="invoice_fdp.exe_; x=_41__n_.txt"; filename*=UTF-8''invoice_fdp.exe%22%3B%20x%3D%2541_%C3%BCn%C3%AF.txt`,
    );
  });

  it('streams a large attachment whole, in slices', async () => {
    const { store, signIn } = await sqliteWorld();
    const me = await signIn();
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    data[data.length - 1] = 9;
    const sent = await store.send({
      sender: 'code',
      message: 'big',
      attachments: [{ name: 'big.bin', mediaType: 'application/octet-stream', data }],
    });
    const served = await me.get(`/api/attachments/${sent.message.attachments![0]!.id}`);
    expect(served.headers['content-length']).toBe(String(data.length));
    expect(served.body.equals(data)).toBe(true);
  });
});

describe.each(backends)('ui server on $name', (backend) => {
  const world = async () => {
    const store = await backend.open();
    const alive = await uiWorld(store);
    const api = await liveSession(store, 'code', 'api', '/w/api');
    return { store, api, ...alive };
  };

  it('sends as You to a session, a kind or everyone, as a reply, with files; agents can answer You by name', async () => {
    const { store, signIn, you } = await world();
    const me = await signIn();
    const sent = await me.post('/api/send', {
      to: 'api',
      message: 'from the person',
      attachments: [{ name: 'a.txt', media_type: 'text/plain', data: Buffer.from('hello').toString('base64') }],
    });
    expect(sent.status).toBe(200);
    expect(sent.json()).toEqual({ id: expect.any(Number), recipients: ['api'] });
    const [got] = await store.fetch({ reader: { kind: 'code', name: 'api' }, limit: 5, unreadOnly: true });
    expect(got).toMatchObject({ sender: 'user', from: you, to: 'api', message: 'from the person' });
    expect(got!.attachments).toEqual([expect.objectContaining({ name: 'a.txt', media_type: 'text/plain', size: 5 })]);
    // The agent answers with reply_to: it goes back to the person's session.
    const answer = await store.send({ sender: 'code', from: 'api', replyTo: got!.id, message: 'on it' });
    expect(answer.recipients).toEqual([you]);
    const reply = await me.post('/api/send', { to: 'api', reply_to: answer.message.id, message: 'thanks' });
    expect(reply.status).toBe(200);
    expect((await store.history({ limit: 1 }))[0]).toMatchObject({ reply_to: answer.message.id, from: you });
    expect((await me.post('/api/send', { to: '*', message: 'all' })).json().recipients).toEqual(['api']);
    expect((await me.post('/api/send', { to: 'code', message: 'kind' })).json().recipients).toEqual(['api']);
  });

  it('forwards a message with its files, and clears everything', async () => {
    const { store, signIn } = await world();
    const me = await signIn();
    await liveSession(store, 'code', 'web');
    const original = await store.send({
      sender: 'code',
      from: 'api',
      to: 'desktop',
      message: 'the schema',
      attachments: [{ name: 's.sql', mediaType: 'text/plain', data: Buffer.from('CREATE TABLE t();') }],
    });
    const forwarded = await me.post('/api/forward', { id: original.message.id, to: 'web', note: 'FYI' });
    expect(forwarded.json()).toMatchObject({ recipients: ['web'] });
    const [got] = await store.fetch({ reader: { kind: 'code', name: 'web' }, limit: 5, unreadOnly: true });
    expect(got!.message).toBe(
      `FYI\n\nForwarded from api (#${original.message.id}, ${original.message.timestamp}):\n\nthe schema`,
    );
    const [file] = got!.attachments!;
    expect((await store.attachment(file!.id, 0, 100))!.data.toString()).toBe('CREATE TABLE t();');
    expect((await me.post('/api/forward', { id: 999_999, to: 'web' })).status).toBe(404);
    expect((await me.post('/api/clear', {})).json()).toEqual({ deleted: 2 });
    expect((await store.stats()).total).toBe(0);
  });

  it('answers expected failures with the store’s sentence: unknown recipient, empty, bad JSON, too large', async () => {
    const { signIn, port } = await world();
    const me = await signIn();
    const unknown = await me.post('/api/send', { to: 'nobody', message: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error).toMatch(/No session or client kind is called "nobody"/);
    expect((await me.post('/api/send', { to: 'api', message: '  ' })).json().error).toMatch(/empty/);
    expect((await me.post('/api/send', { message: 'no to' })).status).toBe(400);
    const bad = await request(port, '/api/send', {
      method: 'POST',
      headers: { cookie: me.cookie, 'x-relay-csrf': me.csrf },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    const huge = await me.post('/api/clear', { pad: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
  });

  it('lists history filtered and paged, and searches like relay_search', async () => {
    const { store, signIn } = await world();
    const me = await signIn();
    for (let i = 1; i <= 5; i++) await store.send({ sender: 'desktop', to: 'api', message: `step ${i} of the plan` });
    await store.send({ sender: 'cursor', message: 'elsewhere' });
    const page = (await me.get('/api/history?session=api&limit=3')).json();
    expect((page.messages as { message: string }[]).map((m) => m.message)).toEqual([
      'step 3 of the plan',
      'step 4 of the plan',
      'step 5 of the plan',
    ]);
    expect(page.more).toBe(true);
    const oldest = (page.messages as { id: number }[])[0]!.id;
    const back = (await me.get(`/api/history?session=api&limit=3&before=${oldest}`)).json();
    expect((back.messages as unknown[]).length).toBe(2);
    expect(back.more).toBe(false);
    expect((await me.get('/api/history?kind=cursor')).json().messages).toHaveLength(1);
    expect((await me.get('/api/history?thread=abc')).status).toBe(400);
    const hits = (await me.get('/api/search?q=plan%20step')).json().hits as { snippet: string }[];
    expect(hits).toHaveLength(5);
    expect(hits[0]!.snippet).toMatch(/\[step\]/);
    expect((await me.get('/api/search?q=')).json()).toEqual({ hits: [] });
  });

  it("marks the person's own mail read only when they ask, up to what their page showed, and nobody else's", async () => {
    const { store, signIn, port, you } = await world();
    const me = await signIn();
    const mine = { kind: 'user', name: you };
    await liveSession(store, 'code', 'web');
    const unreadMine = async () =>
      (await store.fetch({ reader: mine, limit: 20, unreadOnly: true, mark: false })).map((m) => m.message);
    await store.send({ sender: 'code', from: 'api', to: you, message: 'one' });
    const shown = await store.send({ sender: 'code', from: 'api', to: '*', message: 'two, for everyone' });
    // A page that was shown both (a snapshot) marks nothing by itself.
    const stream = await events(port, me.cookie);
    await stream.next('snapshot');
    await me.get('/api/history');
    await store.send({ sender: 'code', from: 'api', to: 'user', message: 'three, after the page looked' });
    await stream.next('messages');
    expect(await unreadMine()).toEqual(['one', 'two, for everyone', 'three, after the page looked']);
    // The person asks: what the page had shown turns read; what came after stays unread.
    const read = await me.post('/api/read', { up_to: shown.message.id });
    expect(read.status).toBe(200);
    expect(read.json().read).toHaveLength(2);
    expect(await unreadMine()).toEqual(['three, after the page looked']);
    await stream.next<{ updates: { id: number }[] }>('reads', (r) => r.updates.some((u) => u.id === shown.message.id));
    // The broadcast's other copy (web's) is untouched.
    const [broadcast] = await store.history({ before: shown.message.id + 1, limit: 1 });
    expect(
      Object.fromEntries(broadcast!.recipients.map((d) => [d.name, d.read_at === null ? 'unread' : 'read'])),
    ).toEqual({ [you]: 'read', web: 'unread' });
    expect((await me.post('/api/read', {})).status).toBe(400);
    expect((await me.post('/api/read', { up_to: shown.message.id + 100 })).json().read).toHaveLength(1);
    expect(await unreadMine()).toEqual([]);
  });

  it('streams a snapshot, then new messages, reads, sessions and clears as they happen; marks nothing read', async () => {
    const { store, signIn, port, you } = await world();
    const me = await signIn();
    const first = await store.send({ sender: 'desktop', to: 'api', message: 'before the page' });
    const stream: EventStream = await events(port, me.cookie);
    expect(await stream.next('hello')).toEqual({ type: 'hello', you, kind: 'user' });
    const snapshot = await stream.next<{ messages: { id: number }[]; directory: { sessions: { name: string }[] } }>(
      'snapshot',
    );
    expect(snapshot.messages.map((m) => m.id)).toEqual([first.message.id]);
    expect(snapshot.directory.sessions.map((s) => s.name)).toEqual(expect.arrayContaining(['api', you]));

    const second = await store.send({ sender: 'desktop', to: 'api', message: 'while watching' });
    const arrived = await stream.next<{ messages: { id: number; message: string; recipients: unknown[] }[] }>(
      'messages',
    );
    expect(arrived.messages).toEqual([expect.objectContaining({ id: second.message.id, message: 'while watching' })]);
    expect(arrived.messages[0]!.recipients).toEqual([expect.objectContaining({ name: 'api', read_at: null })]);

    // Watching marked nothing: api still has both.
    expect((await store.fetch({ reader: { kind: 'code', name: 'api' }, limit: 5, unreadOnly: true })).length).toBe(2);
    const reads = await stream.next<{ updates: { id: number; recipients: { read_at: string | null }[] }[] }>('reads');
    expect(reads.updates.map((u) => u.id).sort()).toEqual([first.message.id, second.message.id].sort());
    expect(reads.updates.every((u) => u.recipients[0]!.read_at !== null)).toBe(true);

    await liveSession(store, 'desktop', 'desktop');
    // The directory moves with every unread count too: wait for the one that lists the new session.
    await stream.next<{ directory: { sessions: { name: string }[] } }>('directory', (d) =>
      d.directory.sessions.some((s) => s.name === 'desktop'),
    );

    await store.clear();
    const removed = await stream.next<{ ids: number[] }>('removed');
    expect(removed.ids.sort()).toEqual([first.message.id, second.message.id].sort());
  });
});
