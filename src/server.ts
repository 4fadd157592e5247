// createRelayServer: the MCP server with every tool, resource, prompt and push feature registered. No transport,
// no process, no argv: the same factory serves stdio, in-memory tests and HTTP.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as getPrompt from './prompts/get.js';
import * as statusPrompt from './prompts/status.js';
import { setUpPush } from './push.js';
import * as attachmentResource from './resources/attachment.js';
import * as latest from './resources/latest.js';
import * as unread from './resources/unread.js';
import { displayKind } from './store/store.js';
import * as attachment from './tools/attachment.js';
import * as clear from './tools/clear.js';
import type { RelayDeps } from './tools/deps.js';
import * as fetch from './tools/fetch.js';
import * as search from './tools/search.js';
import * as send from './tools/send.js';
import { sdkToolError } from './tools/result.js';
import * as sessions from './tools/sessions.js';
import { version } from './version.js';

export type { RelayDeps } from './tools/deps.js';

export function instructions(deps: RelayDeps): string {
  const { kind, name, observe } = deps.identity;
  const who =
    kind === null ? 'This relay process has no fixed side: pass sender/reader ("desktop" or "code").'
    : kind === 'desktop' ? 'You are Claude Desktop; the other side is Claude Code (one or more sessions).'
    : kind === 'code' ? 'You are a Claude Code session; the other side is Claude Desktop.'
    : `You are ${displayKind(kind)}; by default you send to Claude Desktop.`;
  return [
    'relay passes messages between Claude Desktop and Claude Code sessions, unchanged.',
    who,
    name === null ? '' : `Your session name is "${name}".`,
    observe ? 'This session only observes: it cannot send and marks nothing read.' : '',
    'When the user says "get" or "/get", call relay_fetch and act on what it returns.',
    'When they say "ask Desktop ...", "tell Code ...", or "send this to Desktop/Code", call relay_send with the full text;',
    'to reach one Code session among several, pass its name as `to` (relay_sessions lists them), and answer with reply_to.',
    deps.push?.channel ? 'New messages may also arrive by themselves as channel events from relay; they are then already marked read.' : '',
    'Do not fetch or send in a loop on your own: the user decides when the two sides talk.',
  ]
    .filter((line) => line !== '')
    .join(' ');
}

export function createRelayServer(deps: RelayDeps): McpServer {
  const server = new McpServer(
    { name: 'relay', title: 'relay', version },
    { capabilities: { logging: {} }, instructions: instructions(deps) },
  );
  const tools = [send, fetch, clear, sessions, search, attachment];
  for (const tool of tools) tool.register(server, deps);
  // The SDK turns bad arguments and unknown tools into a plain-text error through this (private) method; give them
  // the relay's {ok:false, error} shape instead. Guarded: an SDK without it keeps its own wording.
  const sdk = server as unknown as { createToolError?: (message: string) => unknown };
  if (typeof sdk.createToolError === 'function') {
    sdk.createToolError = (message: string) => sdkToolError(message, tools.map((t) => t.name));
  }
  for (const resource of [latest, unread, attachmentResource]) resource.register(server, deps);
  for (const prompt of [getPrompt, statusPrompt]) prompt.register(server, deps);
  const push = setUpPush(server, deps);
  server.server.oninitialized = () => push.start();
  const onclose = server.server.onclose;
  server.server.onclose = () => {
    push.stop();
    onclose?.();
  };
  return server;
}
