// relay_clear: delete every message in the buffer.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import type { RelayDeps } from '../deps.js';
import { failureShape, guard, ok } from './result.js';

export const name = 'relay_clear';

export const outputSchema = {
  ...failureShape,
  deleted: z.number().int().optional().describe('how many messages were deleted'),
};

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerTool(
    name,
    {
      title: 'Clear the relay',
      description: 'Delete every relay message, read or not.',
      inputSchema: {},
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    () =>
      guard(deps.log, name, async () => {
        const deleted = await deps.store.clear();
        deps.log.debug(`cleared ${deleted}`);
        return ok({ deleted });
      }),
  );
}
