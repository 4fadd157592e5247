// messages://unread: this session's unread messages (up to 20, oldest first), without marking them read.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

import { LIMITS, type RelayMessage } from '../../store/store.js';
import type { RelayDeps } from '../deps.js';
import { readerOf } from '../identity.js';
import { formatMessages } from './latest.js';

export const uri = 'messages://unread';

export async function unreadFor(deps: RelayDeps): Promise<RelayMessage[]> {
  const reader = readerOf(deps.identity);
  if (reader === null) return [];
  return deps.store.fetch({ reader, limit: LIMITS.maxFetchLimit, unreadOnly: true, mark: false });
}

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerResource(
    'unread',
    uri,
    {
      title: 'Unread relay messages',
      description: "This session's unread messages, oldest first; reading it marks nothing read.",
      mimeType: 'text/plain',
    },
    async (href) => ({
      contents: [
        { uri: href.href, mimeType: 'text/plain', text: formatMessages(await unreadFor(deps), 'No unread messages.') },
      ],
    }),
  );
}
