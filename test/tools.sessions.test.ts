// relay_sessions stays small however many sessions are live (16.19): at most LIST_AT_MOST are listed (this session
// first, observers last), with the total beside them, and a long working directory is cut to its end.
import { describe, expect, it } from 'vitest';

import { LIST_AT_MOST } from '../src/server/tools/sessions.js';
import { body, connect } from './helpers/server.js';

type Listed = { sessions: { name: string; cwd: string | null; you?: boolean; observer?: boolean }[]; total?: number };

describe('relay_sessions', () => {
  it('lists at most LIST_AT_MOST of 300 live sessions, this one included, and says how many there are', async () => {
    const relay = await connect('code', undefined, { name: 'me' });
    for (let i = 0; i < 300; i++) {
      await relay.store.registerSession({
        kind: i % 2 === 0 ? 'code' : 'cursor',
        name: `s${i}`,
        cwd: `/work/${'deep/'.repeat(i % 3 === 0 ? 100 : 1)}s${i}`,
        host: 'elsewhere',
        pid: 1,
        observer: i < 10,
      });
    }
    const result = await relay.call('relay_sessions');
    const listed = body(result) as unknown as Listed;
    expect(listed.sessions).toHaveLength(LIST_AT_MOST);
    expect(listed.total).toBe(301);
    expect(listed.sessions.filter((s) => s.you).map((s) => s.name)).toEqual(['me']);
    expect(listed.sessions.some((s) => s.observer)).toBe(false);
    for (const s of listed.sessions) expect((s.cwd ?? '').length).toBeLessThanOrEqual(121);
    // Text and structured content together: a few thousand tokens, not 60 KB.
    expect(JSON.stringify(result).length).toBeLessThan(20_000);
  });

  it('lists every session, with no total, when they fit', async () => {
    const relay = await connect('code', undefined, { name: 'me' });
    await relay.store.registerSession({
      kind: 'desktop',
      name: 'desktop',
      cwd: null,
      host: 'elsewhere',
      pid: 1,
      observer: false,
    });
    const listed = body(await relay.call('relay_sessions')) as unknown as Listed;
    expect(listed.sessions.map((s) => s.name).sort()).toEqual(['desktop', 'me']);
    expect(listed.total).toBeUndefined();
  });
});
