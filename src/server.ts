// createRelayServer: the MCP server with every tool, resource and prompt registered. No transport, no process, no argv:
// the same factory serves stdio, in-memory tests and (later) HTTP.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as getPrompt from './prompts/get.js';
import * as statusPrompt from './prompts/status.js';
import * as latest from './resources/latest.js';
import * as clear from './tools/clear.js';
import type { RelayDeps } from './tools/deps.js';
import * as fetch from './tools/fetch.js';
import * as send from './tools/send.js';
import { version } from './version.js';

export type { RelayDeps } from './tools/deps.js';

export function instructions(deps: RelayDeps): string {
  const me = deps.identity.client;
  const who = me === null
    ? 'This relay process has no fixed side: pass sender/reader ("desktop" or "code").'
    : `You are ${me === 'desktop' ? 'Claude Desktop' : 'a Claude Code session'}; the other side is ${me === 'desktop' ? 'Claude Code' : 'Claude Desktop'}.`;
  return [
    'relay passes messages between Claude Desktop and Claude Code, unchanged.',
    who,
    'When the user says "get" or "/get", call relay_fetch and act on what it returns.',
    'When they say "ask Desktop ...", "tell Code ...", or "send this to Desktop/Code", call relay_send with the full text.',
    'Do not fetch or send in a loop on your own: the user decides when the two sides talk.',
  ].join(' ');
}

export function createRelayServer(deps: RelayDeps): McpServer {
  const server = new McpServer(
    { name: 'relay', title: 'relay', version },
    { capabilities: { logging: {} }, instructions: instructions(deps) },
  );
  for (const tool of [send, fetch, clear]) tool.register(server, deps);
  latest.register(server, deps);
  for (const prompt of [getPrompt, statusPrompt]) prompt.register(server, deps);
  return server;
}
