// relay_sessions: who is connected, so a message can be addressed by name. Read-only.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import type { RelayDeps } from '../server/deps.js';
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

export const outputSchema = {
  ...failureShape,
  sessions: z.array(sessionSchema).optional().describe('live sessions'),
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
        const sessions = (await deps.store.sessions()).map((s) => ({
          name: s.name,
          kind: s.kind,
          cwd: s.cwd,
          last_seen: s.last_seen,
          unread: s.unread,
          ...(s.observer ? { observer: true } : {}),
          ...(s.name === deps.identity.name ? { you: true } : {}),
        }));
        return ok({ sessions });
      }),
  );
}
