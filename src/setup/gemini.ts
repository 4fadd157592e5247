// Gemini CLI: `mcpServers.relay` in $GEMINI_CLI_HOME/.gemini/settings.json (~/.gemini/settings.json), which Gemini
// reads as JSON with comments: edits keep them. Gemini starts MCP servers only in folders the person trusted.
import path from 'node:path';

import { JSONC_SYNTAX } from './config-file.js';
import type { McpClient } from './mcp-client.js';

export const gemini: McpClient = {
  name: 'gemini',
  title: 'Gemini CLI',
  file: (context) => path.join(context.env.GEMINI_CLI_HOME || context.home, '.gemini', 'settings.json'),
  syntax: JSONC_SYNTAX,
  at: ['mcpServers', 'relay'],
  gui: false,
  restart: 'Start a new Gemini CLI session in a trusted folder (`gemini mcp list` shows relay).',
};
