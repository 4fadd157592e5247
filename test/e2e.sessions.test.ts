// Several relay processes on one temp database, each driven by the SDK Client over stdio exactly as Claude drives
// it: named sessions and addressing, waiting, push, attachments, search, observers, dead sessions.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type CallToolResult,
  type Notification,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import { body } from './helpers/server.js';
import { spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

type Spawned = Awaited<ReturnType<typeof spawnClient>>;

const call = async (who: Spawned, name: string, args: Record<string, unknown> = {}) =>
  body((await who.client.callTool({ name, arguments: args })) as CallToolResult) as Record<string, unknown> & {
    messages?: {
      id: number;
      message: string;
      from: string;
      to: string;
      reply_to: number | null;
      attachments?: { id: number; name: string; size: number; media_type: string }[];
    }[];
  };
const texts = (result: Awaited<ReturnType<typeof call>>) => (result.messages ?? []).map((m) => m.message);

/** A relay world: one HOME, one database, processes joined by name. */
function world() {
  const home = tempDir();
  const join = (kind: string, name: string, extra: string[] = [], client?: Client) =>
    spawnClient(['--client', kind, '--name', name, '--no-notify', ...extra], home, {}, client ? { client } : {});
  return { home, join };
}

describe('named sessions over stdio', () => {
  it('gives a Desktop broadcast to both Code sessions; by name it reaches one; an unknown name is an error listing sessions', async () => {
    const { join } = world();
    const desktop = await join('desktop', 'desktop');
    const api = await join('code', 'api');
    const web = await join('code', 'web');
    expect(await call(desktop, 'relay_send', { message: 'broadcast' })).toMatchObject({
      ok: true,
      recipients: ['api', 'web'],
    });
    expect(texts(await call(api, 'relay_fetch'))).toEqual(['broadcast']);
    expect(texts(await call(web, 'relay_fetch'))).toEqual(['broadcast']);
    await call(desktop, 'relay_send', { message: 'just web', to: 'web' });
    expect(texts(await call(api, 'relay_fetch'))).toEqual([]);
    // Addressed to web by name, so its fetch leaves `to` out; a peek shows it.
    expect(await call(web, 'relay_fetch')).toEqual({
      ok: true,
      messages: [expect.objectContaining({ message: 'just web', from: 'desktop' })],
    });
    expect(await call(web, 'relay_fetch', { reader: null, limit: 1 })).toMatchObject({
      messages: [{ message: 'just web', to: 'web' }],
    });
    const unknown = await desktop.client.callTool({ name: 'relay_send', arguments: { message: 'x', to: 'mobile' } });
    expect(unknown.isError).toBe(true);
    expect(body(unknown as CallToolResult).error).toMatch(
      /No session or client kind is called "mobile".*api \(Code\).*web \(Code\)/,
    );
    const listed = (await call(api, 'relay_sessions')).sessions as { name: string; kind: string; you?: boolean }[];
    expect(listed.map((s) => [s.name, s.kind, s.you ?? false])).toEqual([
      ['desktop', 'desktop', false],
      ['api', 'code', true],
      ['web', 'code', false],
    ]);
  });

  it('names a Code session after its working directory, unique among live ones', async () => {
    const home = tempDir();
    const project = path.join(tempDir(), 'billing-service');
    fs.mkdirSync(project);
    const first = await spawnClient(['--client', 'code', '--no-notify'], home, {}, { cwd: project });
    const second = await spawnClient(['--client', 'code', '--no-notify'], home, {}, { cwd: project });
    const names = ((await call(first, 'relay_sessions')).sessions as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(['billing-service', 'billing-service-2']);
    expect(second.client.getInstructions()).toContain('session "billing-service-2"');
  });

  it('drops a session whose process died from the list', async () => {
    const { join } = world();
    const desktop = await join('desktop', 'desktop');
    const doomed = await join('code', 'doomed');
    expect(((await call(desktop, 'relay_sessions')).sessions as unknown[]).length).toBe(2);
    process.kill(doomed.transport.pid as number, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(((await call(desktop, 'relay_sessions')).sessions as { name: string }[]).map((s) => s.name)).toEqual([
      'desktop',
    ]);
  });

  it('lets an observer see everything while marking nothing read and receiving nothing', async () => {
    const { join } = world();
    const desktop = await join('desktop', 'desktop');
    const code = await join('code', 'api');
    const observer = await join('code', 'watcher', ['--observe']);
    expect(await call(desktop, 'relay_send', { message: 'seen by all' })).toMatchObject({ recipients: ['api'] });
    expect(texts(await call(observer, 'relay_fetch'))).toEqual(['seen by all']);
    expect(texts(await call(code, 'relay_fetch'))).toEqual(['seen by all']);
    const refused = await observer.client.callTool({ name: 'relay_send', arguments: { message: 'x' } });
    expect(refused.isError).toBe(true);
  });
});

describe('replies and waiting', () => {
  it('waits for the answer to a question in one call, and the answer goes back to the asker', async () => {
    const { join } = world();
    const desktop = await join('desktop', 'desktop');
    const api = await join('code', 'api');
    const web = await join('code', 'web');
    const asked = await call(web, 'relay_send', { message: 'Does this schema look right?' });
    const progress: number[] = [];
    const waiting = web.client.callTool({ name: 'relay_fetch', arguments: { wait_seconds: 30 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
      timeout: 60_000,
    });
    const [question] = (await call(desktop, 'relay_fetch')).messages ?? [];
    expect(question).toMatchObject({ message: 'Does this schema look right?', from: 'web', id: asked.id });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await call(desktop, 'relay_send', { message: 'Yes, ship it', reply_to: question!.id });
    const answer = body((await waiting) as CallToolResult) as Awaited<ReturnType<typeof call>>;
    expect(answer.messages).toEqual([
      expect.objectContaining({ message: 'Yes, ship it', reply_to: asked.id, from: 'desktop' }),
    ]);
    expect(progress.length).toBeGreaterThan(0);
    expect(texts(await call(api, 'relay_fetch'))).toEqual([]);
  });

  it('returns empty when the wait times out', async () => {
    const { join } = world();
    const code = await join('code', 'api');
    expect(await call(code, 'relay_fetch', { wait_seconds: 1 })).toEqual({ ok: true, messages: [] });
  });

  it('ends a wait at once on cancellation, and the cancelled wait takes no message', async () => {
    const { join } = world();
    const desktop = await join('desktop', 'desktop');
    const code = await join('code', 'api');
    const controller = new AbortController();
    const waiting = code.client.callTool({ name: 'relay_fetch', arguments: { wait_seconds: 120 } }, undefined, {
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort('user pressed Esc');
    await expect(waiting).rejects.toThrow();
    await call(desktop, 'relay_send', { message: 'after the cancel' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(texts(await call(code, 'relay_fetch'))).toEqual(['after the cancel']);
  });
});

describe('push', () => {
  it('sends notifications/resources/updated to a subscriber of messages://unread when mail arrives', async () => {
    const { join } = world();
    const desktop = await join('desktop', 'desktop');
    const client = new Client({ name: 'subscriber', version: '0' });
    const updated: string[] = [];
    let wake: () => void = () => {};
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
      wake();
    });
    await join('code', 'api', [], client);
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
    await client.subscribeResource({ uri: 'messages://unread' });
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    await call(desktop, 'relay_send', { message: 'ping' });
    await arrived;
    expect(updated).toEqual(['messages://unread']);
    const read = await client.readResource({ uri: 'messages://unread' });
    expect((read.contents[0] as { text: string }).text).toBe('1. [Desktop]: ping');
  });

  it(
    'with --push, sends each message as a claude/channel notification (content, string meta) and marks it read; the loop guard pauses ' +
      'after the limit',
    async () => {
      const { join } = world();
      const desktop = await join('desktop', 'desktop');
      const client = new Client({ name: 'claude-code', version: '0' });
      const channel: { content: string; meta: Record<string, unknown> }[] = [];
      client.fallbackNotificationHandler = async (n: Notification) => {
        if (n.method === 'notifications/claude/channel') channel.push(n.params as (typeof channel)[number]);
      };
      const code = await join('code', 'api', ['--push', '--push-limit', '2'], client);
      expect(client.getServerCapabilities()?.experimental).toEqual({ 'claude/channel': {} });
      const first = await call(desktop, 'relay_send', { message: 'pushed one' });
      const deadline = Date.now() + 10_000;
      while (channel.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(channel[0]).toEqual({
        content: 'pushed one',
        meta: { from: 'desktop', from_kind: 'Desktop', id: String(first.id) },
      });
      for (const meta of channel.map((c) => c.meta)) {
        for (const [key, value] of Object.entries(meta)) {
          expect(key).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
          expect(typeof value).toBe('string');
        }
      }
      expect(texts(await call(code, 'relay_fetch'))).toEqual([]);
      for (const n of [2, 3, 4]) await call(desktop, 'relay_send', { message: `burst ${n}` });
      while (channel.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(channel.map((c) => c.content)).toEqual([
        'pushed one',
        'burst 2',
        expect.stringMatching(/pushes are paused \(over 2 a minute/),
      ]);
      expect(texts(await call(code, 'relay_fetch'))).toEqual(['burst 3', 'burst 4']);
    },
  );
});

describe('attachments and search', () => {
  it('carries a 5 MB binary file by path, lists it without bytes, and reads it back exactly (resource and slices)', async () => {
    const { home, join } = world();
    // Files by path come from the working directory or a directory allowed explicitly (16.11).
    const desktop = await join('desktop', 'desktop', ['--allow-attach', home]);
    const code = await join('code', 'api');
    const file = path.join(home, 'model.bin');
    const bytes = crypto.randomBytes(5 * 1024 * 1024);
    fs.writeFileSync(file, bytes);
    const sent = await call(desktop, 'relay_send', {
      message: 'weights attached',
      attachments: [{ path: file }, { name: 'note.md', content: '# hi ✓' }],
    });
    expect(sent.ok).toBe(true);
    const [got] = (await call(code, 'relay_fetch')).messages ?? [];
    expect(got!.attachments).toEqual([
      { id: expect.any(Number), name: 'model.bin', size: bytes.length, media_type: 'application/octet-stream' },
      { id: expect.any(Number), name: 'note.md', size: Buffer.byteLength('# hi ✓'), media_type: 'text/markdown' },
    ]);
    const [bin, note] = got!.attachments!;
    const resource = await code.client.readResource({ uri: `relay://attachments/${bin!.id}` });
    expect(Buffer.from((resource.contents[0] as { blob: string }).blob, 'base64').equals(bytes)).toBe(true);
    const parts: Buffer[] = [];
    for (let offset: number | null = 0; offset !== null;) {
      const slice = await call(code, 'relay_attachment', { id: bin!.id, offset, length: 2 * 1024 * 1024 });
      expect(slice.encoding).toBe('base64');
      parts.push(Buffer.from(slice.data as string, 'base64'));
      offset = slice.next_offset as number | null;
    }
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
    expect(await call(code, 'relay_attachment', { id: note!.id })).toMatchObject({
      encoding: 'utf8',
      data: '# hi ✓',
      next_offset: null,
    });
  });

  it('refuses an attachment over the limit, and a missing file, saying what to do', async () => {
    const { home, join } = world();
    const desktop = await join('desktop', 'desktop', ['--allow-attach', home]);
    const big = path.join(home, 'big.iso');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 26 * 1024 * 1024);
    const tooBig = await desktop.client.callTool({
      name: 'relay_send',
      arguments: { message: 'x', attachments: [{ path: big }] },
    });
    expect(tooBig.isError).toBe(true);
    expect(body(tooBig as CallToolResult).error).toMatch(/27,262,976 bytes; the limit is 26,214,400/);
    const missing = await desktop.client.callTool({
      name: 'relay_send',
      arguments: { message: 'x', attachments: [{ path: 'nope.txt' }] },
    });
    expect(body(missing as CallToolResult).error).toMatch(/no such file/);
    expect((await call(desktop, 'relay_fetch', { reader: null })).messages).toEqual([]);
  });

  it('searches the history with snippets, newest first', async () => {
    const { join } = world();
    const desktop = await join('desktop', 'desktop');
    const code = await join('code', 'api');
    await call(desktop, 'relay_send', { message: 'The tokenizer drops emoji' });
    await call(code, 'relay_send', { message: 'Fixed the tokenizer, see commit abc123' });
    const found = await call(code, 'relay_search', { query: 'tokenizer' });
    expect((found.results as { snippet: string; from: string }[]).map((r) => [r.from, r.snippet])).toEqual([
      ['api', 'Fixed the [tokenizer], see commit abc123'],
      ['desktop', 'The [tokenizer] drops emoji'],
    ]);
  });
});
