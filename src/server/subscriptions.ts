// Resource subscriptions: `notifications/resources/updated` for messages://latest and messages://unread when what
// they show changes. Hangs off the store's change events only while a resource is subscribed.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import { coalescer } from '../lib/coalescer.js';
import { LIMITS } from '../store/store.js';
import type { RelayDeps } from './deps.js';
import { uri as latestUri } from './resources/latest.js';
import { unreadFor, uri as unreadUri } from './resources/unread.js';

export interface Subscriptions {
  /** Call when the session closes. */
  stop(): void;
}

/** Declares the subscribe capability and handles (un)subscribe requests; call before connecting. */
export function setUpSubscriptions(server: McpServer, deps: RelayDeps): Subscriptions {
  server.server.registerCapabilities({ resources: { subscribe: true } });
  /** What each subscribed resource showed when the client last heard of it: the ids it lists. */
  const seen = new Map<string, string>();
  let unsubscribe: (() => void) | undefined;

  const fingerprint = async (uri: string): Promise<string> => {
    const messages = uri === latestUri ? await deps.store.latest(LIMITS.latestCount) : await unreadFor(deps);
    return messages.map((m) => m.id).join(',');
  };

  const check = coalescer(
    async () => {
      for (const [uri, before] of seen) {
        const now = await fingerprint(uri);
        if (now === before || !seen.has(uri)) continue;
        seen.set(uri, now);
        await server.server.sendResourceUpdated({ uri });
      }
    },
    (error) => deps.log.warn(`resource update failed: ${String(error)}`),
  );

  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    if (uri !== latestUri && uri !== unreadUri) return {};
    seen.set(uri, await fingerprint(uri));
    unsubscribe ??= deps.store.onChange(() => check.run());
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    seen.delete(request.params.uri);
    if (seen.size === 0) {
      unsubscribe?.();
      unsubscribe = undefined;
    }
    return {};
  });

  return {
    stop: () => {
      unsubscribe?.();
      unsubscribe = undefined;
      seen.clear();
      void check.stop();
    },
  };
}
