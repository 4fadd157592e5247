// A session named like a client kind (16.15): kind names are reserved as session names, so a Code session in a
// directory called `cursor` is `cursor-code` from the start, keeps its mail when a Cursor connects, and
// relay_sessions shows the name it got.
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openSession } from '../src/server/session.js';
import { isKindName } from '../src/store/routing.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { recordingLogger } from './helpers/fakes.js';
import { body, connect } from './helpers/server.js';
import { tempDir } from './helpers/temp.js';

describe('session names that are client kinds', () => {
  it('gives a Code session in a directory called cursor the name cursor-code, and its mail stays its own', async () => {
    const db = path.join(tempDir(), 'relay.db');
    const code = await connect('code', db, { cwd: path.join(tempDir(), 'cursor') });
    expect(code.deps.identity.name).toBe('cursor-code');
    const desktop = await connect('desktop', db);
    expect(body(await desktop.call('relay_send', { message: 'for the Code window', to: 'cursor-code' }))).toMatchObject(
      { ok: true, recipients: ['cursor-code'] },
    );
    // Before any Cursor connected, "cursor" is not this session: it names nobody yet.
    const early = await desktop.call('relay_send', { message: 'for Cursor', to: 'cursor' });
    expect(early.isError).toBe(true);
    expect(body(early).error).toMatch(
      /No session or client kind is called "cursor"\..*Live sessions: cursor-code \(Code\)/,
    );
    const cursor = await connect('cursor', db);
    expect(cursor.deps.identity.name).toBe('cursor');
    expect(body(await desktop.call('relay_send', { message: 'for Cursor again', to: 'cursor' }))).toMatchObject({
      ok: true,
      recipients: ['cursor'],
    });
    expect(
      body(await desktop.call('relay_send', { message: 'still the Code window', to: 'cursor-code' })),
    ).toMatchObject({ ok: true, recipients: ['cursor-code'] });
    const messages = (m: Record<string, unknown>) => (m.messages as { message: string }[]).map((x) => x.message);
    expect(messages(body(await code.call('relay_fetch', { limit: 20 })))).toEqual([
      'for the Code window',
      'still the Code window',
    ]);
    expect(messages(body(await cursor.call('relay_fetch', { limit: 20 })))).toEqual(['for Cursor again']);
    const listed = body(await desktop.call('relay_sessions')).sessions as { name: string; kind: string }[];
    expect(listed.map((s) => [s.name, s.kind]).sort()).toEqual([
      ['cursor', 'cursor'],
      ['cursor-code', 'code'],
      ['desktop', 'desktop'],
    ]);
  });

  it('reserves every known kind, any case, and kinds that connected before; a kind may use its own name', async () => {
    const store = openSqliteStore(path.join(tempDir(), 'relay.db'), { pollMs: 60_000 });
    try {
      const log = recordingLogger();
      const open = (kind: string, name: string) =>
        openSession(store, { kind, name, cwd: null, observe: false, log, heartbeatMs: 60_000 });
      const sessions = [
        await open('code', 'Gemini'),
        await open('code', 'codex'),
        await open('code', 'codex'),
        await open('mobile', 'phone'),
        await open('code', 'mobile'),
        await open('code', 'desktop'),
        await open('gemini', 'gemini'),
      ];
      expect(sessions.map((s) => s.identity.name)).toEqual([
        'Gemini-code',
        'codex-code',
        'codex-code-2',
        'phone',
        'mobile-code',
        'desktop-code',
        'gemini',
      ]);
      expect(log.lines.map((l) => l.text)).toContain(
        `session name "codex" is a client kind's name; using "codex-code"`,
      );
      for (const session of sessions) await session.close();
    } finally {
      await store.close();
    }
    expect(isKindName('cursor', 'code')).toBe(true);
    expect(isKindName('cursor', 'cursor')).toBe(false);
    expect(isKindName('api', 'code')).toBe(false);
    expect(isKindName('robot', 'code', ['robot'])).toBe(true);
  });
});
