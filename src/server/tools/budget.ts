// What relay costs in a model's context, measured the one way the budget test and `npm run bench` share: the tool
// definitions as a model receives them ({name, description, input_schema}: what Claude Code sends the Messages API
// for each MCP tool, under the name the client gives it), and a fetch result's bytes beyond the messages' text.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** Every schema loaded at start (Claude Desktop, clients without tool search): the six tools together. */
export const MAX_DEFINITION_BYTES = 2_500;
/** A fetch result's bytes per message beyond its text (ids, names, times, the JSON around them). */
export const MAX_FETCH_OVERHEAD_BYTES = 160;
/** How Claude Code names a tool of the MCP server it calls "relay" (a plugin's: mcp__plugin_relay_relay__). */
export const CLAUDE_CODE_PREFIX = 'mcp__relay__';

/** The bytes of the definitions a model receives for `tools`, each name under `prefix`. */
export function definitionBytes(
  tools: readonly Pick<Tool, 'name' | 'description' | 'inputSchema'>[],
  prefix = '',
): number {
  const definitions = tools.map((t) => ({
    name: `${prefix}${t.name}`,
    description: t.description,
    input_schema: t.inputSchema,
  }));
  return Buffer.byteLength(JSON.stringify(definitions));
}

/** A fetch result's text minus the messages' own text, per message. */
export function fetchOverheadBytes(resultText: string, messages: readonly { message: string }[]): number {
  if (messages.length === 0) return Buffer.byteLength(resultText);
  const own = messages.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m.message)) - 2, 0);
  return (Buffer.byteLength(resultText) - own) / messages.length;
}
