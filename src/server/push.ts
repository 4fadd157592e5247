// Telling a connected client about new mail without being asked, hanging off the store's change events:
// - resource subscriptions: `notifications/resources/updated` for messages://latest and messages://unread when
//   what they show changes;
// - with --push, Claude Code channels: each new message for this session is sent as `notifications/claude/channel`
//   and so delivered (marked read). A loop guard caps pushes per minute; beyond it mail waits for a normal fetch.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import { uri as latestUri } from '../resources/latest.js';
import { unreadFor, uri as unreadUri } from '../resources/unread.js';
import { displayKind, LIMITS, type RelayMessage } from '../store/store.js';
import type { RelayDeps } from './deps.js';
import { readerOf } from './identity.js';

export const CHANNEL_CAPABILITY = 'claude/channel';
export const DEFAULT_PUSH_PER_MINUTE = 6;

export interface Push {
  /** Call once the client is initialized: channel push begins (with mail that is already waiting). */
  start(): void;
  /** Call when the session closes. */
  stop(): void;
}

/** Declares push's capabilities and handles subscriptions; call before connecting. */
export function setUpPush(server: McpServer, deps: RelayDeps): Push {
  server.server.registerCapabilities({
    resources: { subscribe: true },
    ...(deps.push?.channel ? { experimental: { [CHANNEL_CAPABILITY]: {} } } : {}),
  });
  const subscribed = new Set<string>();
  const seen = new Map<string, string>();
  const pushed: number[] = [];
  let unsubscribe: (() => void) | undefined;
  let running = false;
  let again = false;
  let warnedFull = false;

  const fingerprint = async (uri: string): Promise<string> => {
    const messages = uri === latestUri ? await deps.store.latest(LIMITS.latestCount) : await unreadFor(deps);
    return messages.map((m) => m.id).join(',');
  };

  const pushChannel = async () => {
    const reader = readerOf(deps.identity);
    const perMinute = deps.push?.perMinute ?? DEFAULT_PUSH_PER_MINUTE;
    if (reader === null) return;
    const now = Date.now();
    while (pushed.length > 0 && (pushed[0] as number) < now - 60_000) pushed.shift();
    const room = perMinute - pushed.length;
    if (room <= 0) {
      if (!warnedFull) {
        warnedFull = true;
        await sendChannel(
          server,
          `relay: more messages are waiting, but pushes are paused (over ${perMinute} a minute, a loop guard). The user can say "get" ` +
            `to fetch them.`,
          {},
        );
      }
      return;
    }
    warnedFull = false;
    const messages = await deps.store.fetch({ reader, limit: Math.min(room, LIMITS.maxFetchLimit), unreadOnly: true });
    for (const message of messages) {
      pushed.push(Date.now());
      await sendChannel(server, channelText(message), channelMeta(message));
    }
  };

  const onChange = async () => {
    for (const uri of subscribed) {
      const print = await fingerprint(uri);
      if (seen.get(uri) !== print) {
        seen.set(uri, print);
        await server.server.sendResourceUpdated({ uri });
      }
    }
    if (deps.push?.channel) await pushChannel();
  };

  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    onChange()
      .catch((error: unknown) => deps.log.warn(`push failed: ${String(error)}`))
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  };

  const ensureWatching = () => {
    if (unsubscribe === undefined && (subscribed.size > 0 || deps.push?.channel))
      unsubscribe = deps.store.onChange(run);
  };

  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    if (uri !== latestUri && uri !== unreadUri) return {};
    seen.set(uri, await fingerprint(uri));
    subscribed.add(uri);
    ensureWatching();
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  return {
    start: () => {
      if (!deps.push?.channel) return;
      ensureWatching();
      // Mail that arrived before this session started is pushed too.
      run();
    },
    stop: () => {
      unsubscribe?.();
      unsubscribe = undefined;
      subscribed.clear();
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
