// With --push, Claude Code channels: each new message for this session is sent as `notifications/claude/channel`
// and so delivered (marked read). A loop guard caps pushes per minute; beyond it mail waits for a normal fetch.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

import { coalescer } from '../lib/coalescer.js';
import { displayKind, LIMITS, type RelayMessage } from '../store/store.js';
import type { RelayDeps } from './deps.js';
import { readerOf } from './identity.js';

export const CHANNEL_CAPABILITY = 'claude/channel';
export const DEFAULT_PUSH_PER_MINUTE = 6;

export interface Channel {
  /** Call once the client is initialized: push begins (with mail that is already waiting). */
  start(): void;
  /** Call when the session closes. */
  stop(): void;
}

/** Declares the channel capability when push is on; call before connecting. */
export function setUpChannel(server: McpServer, deps: RelayDeps): Channel {
  if (!deps.push?.channel) return { start: () => {}, stop: () => {} };
  const perMinute = deps.push.perMinute;
  server.server.registerCapabilities({ experimental: { [CHANNEL_CAPABILITY]: {} } });
  /** When each push of the last minute went out. */
  const pushed: number[] = [];
  let warnedFull = false;
  let unsubscribe: (() => void) | undefined;

  const push = coalescer(
    async () => {
      const reader = readerOf(deps.identity);
      if (reader === null) return;
      const now = Date.now();
      while (pushed.length > 0 && (pushed[0] as number) < now - 60_000) pushed.shift();
      const room = perMinute - pushed.length;
      if (room <= 0) {
        if (!warnedFull) {
          warnedFull = true;
          await sendChannel(
            server,
            `relay: more messages are waiting, but pushes are paused (over ${perMinute} a minute, a loop guard). ` +
              'The user can say "get" to fetch them.',
            {},
          );
        }
        return;
      }
      warnedFull = false;
      const messages = await deps.store.fetch({
        reader,
        limit: Math.min(room, LIMITS.maxFetchLimit),
        unreadOnly: true,
      });
      for (const message of messages) {
        pushed.push(Date.now());
        await sendChannel(server, channelText(message), channelMeta(message));
      }
    },
    (error) => deps.log.warn(`push failed: ${String(error)}`),
  );

  return {
    start: () => {
      unsubscribe ??= deps.store.onChange(() => push.run());
      // Mail that arrived before this session started is pushed too.
      push.run();
    },
    stop: () => {
      unsubscribe?.();
      unsubscribe = undefined;
      void push.stop();
    },
  };
}

function channelText(message: RelayMessage): string {
  const files = message.attachments?.length
    ? ` [${message.attachments.length} attachment(s): ${message.attachments.map((a) => `#${a.id} ${a.name}`).join(', ')}]`
    : '';
  return `${message.message}${files}`;
}

/** Identifier keys, string values, as Claude Code channels require. */
function channelMeta(message: RelayMessage): Record<string, string> {
  return {
    from: message.from,
    from_kind: displayKind(message.sender),
    id: String(message.id),
    ...(message.reply_to !== null ? { reply_to: String(message.reply_to) } : {}),
  };
}

async function sendChannel(server: McpServer, content: string, meta: Record<string, string>): Promise<void> {
  await server.server.notification({ method: `notifications/${CHANNEL_CAPABILITY}`, params: { content, meta } });
}
