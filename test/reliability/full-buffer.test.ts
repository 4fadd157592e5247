// A full buffer, through real stdio clients: at the unread cap (1,000 for one recipient) sends to that recipient
// are refused with an error that says what to do, nothing unread is evicted, and the other direction still works.
// Desktop's messages go to the one live Code session, "parser", whose mailbox fills.
import { describe, expect, it } from 'vitest';

import { LIMITS } from '../../src/store/store.js';
import { drain } from '../helpers/drain.js';
import { body } from '../helpers/server.js';
import { spawnClient } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

type Reply = { ok: boolean; id?: number; error?: string; messages?: { id: number; message: string }[] };

describe('the unread cap', () => {
  it('refuses the send past 1,000 unread with a clear error and evicts nothing', async () => {
    const home = tempDir();
    const desktop = await spawnClient(['--client', 'desktop', '--no-notify'], home);
    const code = await spawnClient(['--client', 'code', '--name', 'parser'], home);
    const call = async (side: typeof desktop, name: string, args: Record<string, unknown> = {}) =>
      body((await side.client.callTool({ name, arguments: args })) as never) as Reply;

    // Ten streams of sequential sends fill Code's inbox to the cap.
    const cap = LIMITS.maxUnread;
    expect(cap).toBe(1_000);
    await Promise.all(
      Array.from({ length: 10 }, async (_, stream) => {
        for (let n = 0; n < cap / 10; n++)
          expect((await call(desktop, 'relay_send', { message: `m${stream * 1000 + n}` })).ok).toBe(true);
      }),
    );

    const refused = await desktop.client.callTool({ name: 'relay_send', arguments: { message: 'one too many' } });
    expect(refused.isError).toBe(true);
    expect(body(refused as never)).toEqual({
      ok: false,
      error:
        'parser already has 1,000 unread messages (the limit); nothing was dropped. Ask parser to fetch them, or clear the buffer, ' +
        'then send again.',
    });
    // The cap is per recipient: Code can still write to Desktop.
    expect((await call(code, 'relay_send', { message: 'the other way' })).ok).toBe(true);

    // Code reads all 1,000, oldest first, none missing: the refused one never got in.
    const fetched = await drain(async () => (await call(code, 'relay_fetch', { limit: 20 })).messages ?? []);
    expect(fetched).toHaveLength(cap);
    expect(fetched.map((m) => m.id)).toEqual([...fetched.map((m) => m.id)].sort((a, b) => a - b));
    const expected = Array.from({ length: 10 }, (_, stream) =>
      Array.from({ length: cap / 10 }, (_, n) => `m${stream * 1000 + n}`),
    ).flat();
    expect(fetched.map((m) => m.message).sort()).toEqual(expected.sort());

    // Room again.
    expect((await call(desktop, 'relay_send', { message: 'after fetching' })).ok).toBe(true);
    expect((await call(code, 'relay_fetch')).messages?.map((m) => m.message)).toEqual(['after fetching']);
  });
});
