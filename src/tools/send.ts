// relay_send: store a message for another session, a kind of client, or everyone.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import { resolveAttachments } from '../server/attachments.js';
import type { RelayDeps } from '../server/deps.js';
import { LIMITS, SEED_KINDS } from '../store/store.js';
import { fail, failureShape, guard, ok } from './result.js';

export const name = 'relay_send';

const attachment = z.object({
  path: z.string().optional().describe('File to attach'),
  name: z.string().optional().describe('File name (needed with content)'),
  content: z.string().optional().describe('Inline file content'),
  encoding: z.enum(['utf8', 'base64']).optional().describe('Of content; default utf8'),
  media_type: z.string().optional().describe('Default: from the name'),
});

export const inputSchema = {
  message: z.string().describe('Text to relay, unchanged (max 64 KB)'),
  to: z.string().optional().describe('Session name, "desktop", "code" or "*"; default: the other side'),
  reply_to: z.number().int().positive().optional().describe('Id of the message this answers'),
  attachments: z.array(attachment).max(LIMITS.maxAttachments).optional().describe('Files, 25 MB in all'),
  sender: z.enum(SEED_KINDS).optional().describe('Who is sending; defaults to this client'),
};

export const outputSchema = {
  ...failureShape,
  id: z.number().int().optional().describe('id of the stored message'),
  recipients: z.array(z.string()).optional().describe('who it is queued for'),
};

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerTool(
    name,
    {
      title: 'Send to another Claude',
      description:
        'Send a message to the other Claude (Desktop <-> Code) or a named session, e.g. when asked to "ask Desktop" or "tell Code".',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      guard(deps.log, name, async () => {
        const { identity } = deps;
        const sender = args.sender ?? identity.kind;
        if (sender === null) {
          return fail('Say who is sending: pass sender "desktop" or "code" (this relay was started without --client).');
        }
        if (identity.observe)
          return fail('This relay only observes (--observe) and cannot send; send from a normal session.');
        const attachments =
          args.attachments === undefined ? [] : await resolveAttachments(args.attachments, deps.files ?? null);
        const { message, recipients } = await deps.store.send({
          sender,
          // Sending as another kind (the seed's explicit sender) is not sending as this session.
          from: sender === identity.kind ? identity.name : null,
          to: args.to,
          replyTo: args.reply_to,
          message: args.message,
          attachments,
        });
        deps.log.debug(
          `sent #${message.id} from ${message.from} to ${recipients.join(', ')} (${Buffer.byteLength(args.message)} bytes)`,
        );
        return ok({ id: message.id, recipients });
      }),
  );
}
