// 16.5 with a client nobody here wrote: the real Claude Code CLI over HTTP never ends its session (no DELETE), so
// each `claude mcp list` used to leave a ghost holding the name (devbox, devbox-2, devbox-3). With an explicit
// X-Relay-Name, each new connection takes the name back, mail and all.
import { describe, expect, it } from 'vitest';

import { claude, claudeHome, findClaude, titled } from './helpers/claude.js';
import { startRelay } from './helpers/http.js';

describe.each(['latest', 'oldest'] as const)('the real Claude Code CLI over HTTP (%s)', (which) => {
  const found = findClaude(which);
  describe.skipIf(found.missing !== undefined)(titled(`${which} CLI`, found), () => {
    it('keeps its session name across reconnects that never sent DELETE', { timeout: 120_000 }, async () => {
      const relay = await startRelay();
      const where = claudeHome(found.claude!);
      const added = await claude(where, [
        'mcp',
        'add',
        '--scope',
        'user',
        '--transport',
        'http',
        'relay',
        relay.url,
        '--header',
        'X-Relay-Client: code',
        '--header',
        'X-Relay-Name: devbox',
      ]);
      expect(added.code, added.stderr).toBe(0);
      for (let i = 0; i < 3; i++) {
        const list = await claude(where, ['mcp', 'list']);
        expect(list.stdout).toMatch(/^relay: .* - [✓✔] Connected$/m);
        await relay.store.send({ sender: 'desktop', to: 'devbox', message: `while away ${i}` });
      }
      expect((await relay.store.sessions()).map((s) => s.name)).toEqual(['devbox']);
      expect(relay.sessions().map((s) => s.identity.name)).toEqual(['devbox']);
      const waiting = await relay.store.fetch({
        reader: { kind: 'code', name: 'devbox' },
        limit: 20,
        unreadOnly: true,
        mark: false,
      });
      expect(waiting.map((m) => m.message)).toEqual(['while away 0', 'while away 1', 'while away 2']);
    });
  });
});
