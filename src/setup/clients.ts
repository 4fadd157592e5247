// The MCP clients beside the two Claudes, by setup target name (also their --client kind). One line per client.
import { codex } from './codex.js';
import { cursor } from './cursor.js';
import { gemini } from './gemini.js';
import type { McpClient } from './mcp-client.js';

export const CLIENTS: Readonly<Record<string, McpClient>> = { codex, gemini, cursor };
