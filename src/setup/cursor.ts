// Cursor: `mcpServers.relay` in ~/.cursor/mcp.json (every project). Cursor is a GUI app: the command it gets starts
// without a shell's PATH.
import path from 'node:path';

import { JSONC_SYNTAX } from './config-file.js';
import type { McpClient } from './mcp-client.js';

export const cursor: McpClient = {
  name: 'cursor',
  title: 'Cursor',
  file: (context) => path.join(context.home, '.cursor', 'mcp.json'),
  syntax: JSONC_SYNTAX,
  at: ['mcpServers', 'relay'],
  gui: true,
  restart: 'Restart Cursor (or reload its MCP servers in Settings > MCP).',
};
