// relay_sessions: who is connected, so a message can be addressed by name. Read-only.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import type { RelayDeps } from '../deps.js';
import { failureShape, guard, ok } from './result.js';

export const name = 'relay_sessions';

const sessionSchema = z.object({
  name: z.string(),
  kind: z.string(),
  cwd: z.string().nullable(),
  last_seen: z.string(),
  unread: z.number().int(),
  observer: z.boolean().optional(),
  you: z.boolean().optional(),
});

/** At most this many sessions are listed: 300 live sessions would be about 15k tokens of the model's context. */
export const LIST_AT_MOST = 50;
/** A working directory is shown by its last this many characters (the informative end). */
const CWD_CHARS = 120;

export const outputSchema = {
  ...failureShape,
  sessions: z.array(sessionSchema).optional().describe('live sessions'),
  total: z.number().int().optional().describe('live sessions in all, when more than listed'),
};

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerTool(
    name,
    {
      title: 'List relay sessions',
      description:
        'List who is connected to relay (Desktop, Code sessions, agents), with unread counts, to send to one by name.',
      inputSchema: {},
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    () =>
      guard(deps.log, name, async () => {
        const live = await deps.store.sessions();
        // Over the cap: this session, then those that can receive, in the store's order (oldest first).
        const listed =
          live.length <= LIST_AT_MOST
            ? live
            : [...live]
                .sort((a, b) => rank(a, deps.identity.name) - rank(b, deps.identity.name))
                .slice(0, LIST_AT_MOST)
                .sort((a, b) => live.indexOf(a) - live.indexOf(b));
        const sessions = listed.map((s) => ({
          name: s.name,
          kind: s.kind,
          cwd: s.cwd === null || s.cwd.length <= CWD_CHARS ? s.cwd : `…${s.cwd.slice(-CWD_CHARS)}`,
          last_seen: s.last_seen,
          unread: s.unread,
          ...(s.observer ? { observer: true } : {}),
          ...(s.name === deps.identity.name ? { you: true } : {}),
        }));
        return ok(listed.length < live.length ? { sessions, total: live.length } : { sessions });
      }),
  );
}

/** 0 for this session, 1 for one that receives mail, 2 for an observer. */
function rank(session: { name: string; observer: boolean }, own: string | null): number {
  if (session.name === own) return 0;
  return session.observer ? 2 : 1;
}
