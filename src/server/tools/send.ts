// relay_send: store a message for another session, a kind of client, or everyone.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import { fullWarning } from '../../store/cap.js';
import { LIMITS, SEED_KINDS } from '../../store/store.js';
import { resolveAttachments } from '../attachments.js';
import type { RelayDeps } from '../deps.js';
import { fail, failureShape, guard, ok } from './result.js';

export const name = 'relay_send';

// Undescribed on purpose: `attachments` says how they are used, and every byte here is in the model's context
// wherever schemas are loaded up front.
const attachment = z.object({
  path: z.string().optional(),
  name: z.string().optional(),
  content: z.string().optional(),
  encoding: z.enum(['utf8', 'base64']).optional(),
  media_type: z.string().optional(),
});

export const inputSchema = {
  message: z.string().describe('Text, sent unchanged (max 64 KB)'),
  to: z.string().optional().describe('Session name, desktop, code or * (default: the other side)'),
  reply_to: z.number().int().positive().optional().describe('Id of the message you answer'),
  attachments: z
    .array(attachment)
    .max(LIMITS.maxAttachments)
    .optional()
    .describe('Files, 25 MB in all: path, or name+content'),
  sender: z.enum(SEED_KINDS).optional().describe('Who is sending'),
};

/**
 * Arguments not shown to the model of a process started with --client, which sends as that client: still accepted
 * and checked (the seed's clients pass `sender`), only not paid for in every conversation.
 */
export const unlistedWithClient = ['sender'];

export const outputSchema = {
  ...failureShape,
  id: z.number().int().optional().describe('id of the stored message'),
  recipients: z.array(z.string()).optional().describe('who it is queued for'),
  full: z.array(z.string()).optional().describe('who it was not queued for: mailbox full'),
  warning: z.string().optional().describe('who was left out and what to do'),
};

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerTool(
    name,
    {
      title: 'Send to another Claude',
      description:
        'Send a message or files to Claude Desktop, a Code session or another agent; answer a relay message with' +
        ' reply_to. Use this, not SendMessage.',
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
          args.attachments === undefined
            ? []
            : await resolveAttachments(args.attachments, deps.files ?? null, deps.store.location);
        const { message, recipients, full } = await deps.store.send({
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
        const warning = fullWarning(full);
        return ok({ id: message.id, recipients, ...(warning === undefined ? {} : { full, warning }) });
      }),
  );
}
