// The `get` prompt (Claude Code: /mcp__relay__get; Desktop: its prompt menu), the seed's /get in four variants:
// no argument fetches, `status` reports, `clear` clears, anything else is sent. The text only tells the model which
// tool to call with which arguments; the tools do the work.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

import type { RelayDeps } from '../deps.js';
import { statusText, userPrompt } from './status.js';

export const name = 'get';

// No argument completion: with SDK 1.32 and zod 4 a completable *optional* prompt argument never completes
// (the capability check and the handler look at different layers of the schema).
export const argsSchema = {
  request: z.string().optional().describe('Empty to fetch your messages; "status"; "clear"; or a message to send'),
};

export async function getText(request: string | undefined, deps: RelayDeps): Promise<string> {
  const text = (request ?? '').trim();
  const keyword = text.toLowerCase();
  if (keyword === '') {
    const reader = deps.identity.kind === null ? ' (pass reader "desktop" or "code": whichever you are)' : '';
    return (
      `Call the relay_fetch tool with no arguments${reader} to get the messages the other Claude sent you, oldest first. ` +
      "Act on them as the user's request; if several ask different things, the newest wins. If there are none, say so in one line."
    );
  }
  if (keyword === 'status') return statusText(deps);
  if (keyword === 'clear')
    return 'Call the relay_clear tool (no arguments) to delete every relay message, then say how many were deleted.';
  return (
    `Call the relay_send tool with "message" set to exactly the text below (nothing added or changed), then confirm in one ` +
    `line.\n\n${text}`
  );
}

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerPrompt(
    name,
    {
      title: 'Get relay messages',
      description: 'Fetch messages from the other Claude; or "status", "clear", or a message to send.',
      argsSchema,
    },
    async ({ request }) => userPrompt(await getText(request, deps)),
  );
}
