// The floor for bench/startup.mjs: the smallest useful MCP SDK stdio server (one tool), unbundled, as the SDK's
// README writes it. It must stay trivial: it is the yardstick relay's start-up is measured against.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'trivial', version: '0.0.0' });
server.registerTool('echo', { description: 'Echo the text', inputSchema: { text: z.string().describe('text') } }, ({ text }) => ({
  content: [{ type: 'text', text }],
}));
await server.connect(new StdioServerTransport());
