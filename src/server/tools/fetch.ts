// relay_fetch: this session's oldest unread messages, marked read atomically; optionally waiting for one to arrive;
// or a look without marking.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import { clampLimit, type FetchQuery, KIND_PATTERN, LIMITS, type RelayMessage, SEED_KINDS } from '../../store/store.js';
import type { RelayDeps } from '../deps.js';
import { readerOf } from '../identity.js';
import { waitFor } from '../wait.js';
import { fetchedMessage, messageSchema } from './message.js';
import { fail, failureShape, guard, ok } from './result.js';

export const name = 'relay_fetch';
export const MAX_WAIT_SECONDS = 600;
/** While waiting, a progress notification this often (it also keeps clients' request timeouts from firing). */
export const PROGRESS_EVERY_MS = 2_000;

export const inputSchema = {
  limit: z.number().optional().describe(`1-${LIMITS.maxFetchLimit} (default ${LIMITS.defaultFetchLimit})`),
  // The pattern is checked, not published: a model needs no regex to pass "desktop" or "code".
  reader: z
    .string()
    .refine((value) => KIND_PATTERN.test(value), 'not a client kind')
    .nullable()
    .optional()
    .describe('null: peek at all, marking nothing'),
  unread_only: z.boolean().optional().describe('Default true'),
  wait_seconds: z.number().optional().describe(`If none, wait this long for one (max ${MAX_WAIT_SECONDS})`),
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
      description:
        'Get your relay messages (from Desktop, Code sessions, agents), oldest unread first; marks them read. Use on "get".',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args, extra) =>
      guard(deps.log, name, async () => {
        const own = readerOf(deps.identity);
        if (typeof args.reader === 'string' && !isSeedKind(args.reader) && args.reader !== deps.identity.kind) {
          return fail(
            `reader must be "desktop", "code" or null (got "${args.reader}"); leave it out to read this session's messages.`,
          );
        }
        const reader =
          args.reader === undefined
            ? own
            : args.reader === null || deps.identity.observe
              ? null
              : args.reader === own?.kind
                ? own
                : { kind: args.reader, name: null };
        const limit = clampLimit(args.limit);
        const unreadOnly = args.unread_only ?? true;
        const waitSeconds = clampWait(args.wait_seconds);
        let messages: RelayMessage[];
        if (reader === null) {
          // No reader: the newest messages of anyone, marking nothing (the seed's peek).
          messages = await deps.store.latest(limit);
        } else if (waitSeconds > 0 && unreadOnly) {
          const query: FetchQuery = { reader, limit, unreadOnly };
          const token = extra._meta?.progressToken;
          messages = await waitFor(deps.store, () => deps.store.fetch(query), {
            timeoutMs: waitSeconds * 1000,
            tickMs: PROGRESS_EVERY_MS,
            signal: extra.signal,
            onTick:
              token === undefined
                ? undefined
                : (elapsed) =>
                    void extra
                      .sendNotification({
                        method: 'notifications/progress',
                        params: {
                          progressToken: token,
                          progress: Math.round(elapsed / 1000),
                          total: waitSeconds,
                          message: 'waiting for a message',
                        },
                      })
                      .catch(() => {}),
          });
        } else {
          messages = await deps.store.fetch({ reader, limit, unreadOnly });
        }
        deps.log.debug(`fetched ${messages.length} for ${reader === null ? '(peek)' : (reader.name ?? reader.kind)}`);
        return ok({ messages: messages.map((m) => fetchedMessage(m, reader, reader === null || !unreadOnly)) });
      }),
  );
}

function isSeedKind(value: string): boolean {
  return (SEED_KINDS as readonly string[]).includes(value);
}

function clampWait(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.min(MAX_WAIT_SECONDS, seconds);
}
