// relay_send: store a message for the other side.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { CLIENT_KINDS } from '../store/store.js';
import type { RelayDeps } from './deps.js';
import { fail, failureShape, guard, ok } from './result.js';

export const name = 'relay_send';

export const inputSchema = {
  message: z.string().describe('Text to relay, unchanged (max 64 KB)'),
  sender: z.enum(CLIENT_KINDS).optional().describe('Who is sending; defaults to this client'),
};

export const outputSchema = {
  ...failureShape,
  id: z.number().int().optional().describe('id of the stored message'),
};

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerTool(
    name,
    {
      title: 'Send to the other Claude',
      description: 'Send a message to the other Claude (Desktop <-> Code), e.g. when asked to "ask Desktop" or "tell Code".',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      guard(deps.log, name, async () => {
        const sender = args.sender ?? deps.identity.client;
        if (sender === null) {
          return fail('Say who is sending: pass sender "desktop" or "code" (this relay was started without --client).');
        }
        const stored = await deps.store.send({ sender, message: args.message });
        deps.log.debug(`sent #${stored.id} from ${sender} (${Buffer.byteLength(args.message)} bytes)`);
        return ok({ id: stored.id });
      }),
  );
}
