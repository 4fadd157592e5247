// relay_search: full-text search over the message history, newest first. Read-only.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import { clampLimit, LIMITS } from '../../store/store.js';
import type { RelayDeps } from '../deps.js';
import { failureShape, guard, ok } from './result.js';

export const name = 'relay_search';

export const inputSchema = {
  query: z.string().describe('Words, all must match (prefixes too)'),
  limit: z.number().optional().describe(`1-${LIMITS.maxSearchLimit} (default 10)`),
};

export const outputSchema = {
  ...failureShape,
  results: z
    .array(
      z.object({
        id: z.number().int(),
        sender: z.string(),
        from: z.string(),
        to: z.string(),
        timestamp: z.string(),
        snippet: z.string(),
      }),
    )
    .optional()
    .describe('newest first'),
};

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerTool(
    name,
    {
      title: 'Search relay history',
      description: 'Search past relay messages by words, newest first. Marks nothing read.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      guard(deps.log, name, async () => {
        const results = await deps.store.search(args.query, clampLimit(args.limit, LIMITS.maxSearchLimit, 10));
        return ok({ results });
      }),
  );
}
