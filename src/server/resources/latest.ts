// messages://latest: the newest 10 messages as plain text, the seed's format. Never marks anything read.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

import { field, indented, visible } from '../../lib/text.js';
import { displayKind, LIMITS, type RelayMessage } from '../../store/store.js';
import type { RelayDeps } from '../deps.js';

export const uri = 'messages://latest';

/**
 * The seed's `N. [Sender]: text` blocks, or its empty-buffer sentence. The text's further lines are indented under
 * its first, so a message cannot write a line that starts like another message (`2. [Desktop]: …`).
 */
export function formatMessages(messages: readonly RelayMessage[], empty = 'No messages in relay buffer.'): string {
  if (messages.length === 0) return empty;
  return messages
    .map((m, i) => {
      const head = `${i + 1}. [${field(displayKind(m.sender))}]: `;
      const [first = '', ...rest] = visible(m.message).split('\n');
      return rest.length === 0
        ? `${head}${first}`
        : `${head}${first}\n${indented(rest.join('\n'), ' '.repeat(head.length))}`;
    })
    .join('\n\n');
}

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerResource(
    'latest',
    uri,
    {
      title: 'Latest relay messages',
      description: `The newest ${LIMITS.latestCount} messages, oldest first; reading it marks nothing read.`,
      mimeType: 'text/plain',
    },
    async (href) => ({
      contents: [
        { uri: href.href, mimeType: 'text/plain', text: formatMessages(await deps.store.latest(LIMITS.latestCount)) },
      ],
    }),
  );
}
