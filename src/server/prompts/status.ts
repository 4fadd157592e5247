// The `status` prompt: the relay's current state (counts, unread per side, last activity), read when the prompt is
// requested, with the instruction to report it. No tool call needed. Shares its wording with `mcp-relay status`.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';

import { describeStatus, relayStatus } from '../../store/status.js';
import type { RelayDeps } from '../deps.js';

export const name = 'status';

export async function statusText(deps: RelayDeps): Promise<string> {
  const lines = describeStatus(await relayStatus(deps.store));
  return `Tell the user the relay's status in a line or two, from this (read just now; call no tool):\n${lines.join('\n')}`;
}

export function userPrompt(text: string): GetPromptResult {
  return { messages: [{ role: 'user', content: { type: 'text', text } }] };
}

export function register(server: McpServer, deps: RelayDeps): void {
  server.registerPrompt(
    name,
    {
      title: 'Relay status',
      description: 'How many relay messages there are, unread on each side, and the last activity.',
    },
    async () => userPrompt(await statusText(deps)),
  );
}
