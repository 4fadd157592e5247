// relay_fetch: the reader's oldest unread messages, marked read atomically; or a look without marking.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { CLIENT_KINDS, LIMITS, clampLimit } from '../store/store.js';
import type { RelayDeps } from './deps.js';
import { messageSchema } from './message.js';
import { failureShape, guard, ok } from './result.js';

export const name = 'relay_fetch';

export const inputSchema = {
  limit: z.number().optional().describe(`Max messages, 1-${LIMITS.maxFetchLimit} (default ${LIMITS.defaultFetchLimit})`),
  reader: z.enum(CLIENT_KINDS).nullable().optional().describe('Whose messages to read and mark read; defaults to this client; null peeks at all without marking'),
  unread_only: z.boolean().optional().describe('Only unread messages (default true)'),
};

export const outputSchema = {
  ...failureShape,
  messages: z.array(messageSchema).optional().describe('oldest first'),
};

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerTool(
    name,
    {
      title: 'Fetch from the other Claude',
      description: 'Fetch messages from the other Claude, oldest unread first, and mark them read. Use when the user says "get".',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      guard(deps.log, name, async () => {
        const reader = args.reader === undefined ? deps.identity.client : args.reader;
        const messages = await deps.store.fetch({
          reader,
          limit: clampLimit(args.limit),
          unreadOnly: args.unread_only ?? true,
        });
        deps.log.debug(`fetched ${messages.length} for ${reader ?? '(peek)'}`);
        return ok({ messages });
      }),
  );
}
