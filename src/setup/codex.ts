// Codex CLI: `[mcp_servers.relay]` in $CODEX_HOME/config.toml (~/.codex/config.toml), edited as text so comments,
// order and every other table stay as they were (toml-edit.ts). Codex starts MCP servers with a short list of
// environment variables (RELAY_DB is not among them), so the command carries everything it needs.
import path from 'node:path';

import { TOML_SYNTAX } from './config-file.js';
import type { McpClient } from './mcp-client.js';

export const codex: McpClient = {
  name: 'codex',
  title: 'Codex CLI',
  file: (context) => path.join(context.env.CODEX_HOME || path.join(context.home, '.codex'), 'config.toml'),
  syntax: TOML_SYNTAX,
  at: ['mcp_servers', 'relay'],
  gui: false,
  restart: 'Start a new Codex session (`codex mcp list` shows relay).',
  mode: 0o600,
};
