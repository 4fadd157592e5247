// createRelayServer: the MCP server with every tool, resource, prompt and push feature registered. No transport,
// no process, no argv: the same factory serves stdio, in-memory tests and HTTP.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

import { version } from '../lib/version.js';
import { setUpChannel } from './channel.js';
import type { RelayDeps } from './deps.js';
import { instructions } from './instructions.js';
import { setUpNotices } from './notices.js';
import * as getPrompt from './prompts/get.js';
import * as statusPrompt from './prompts/status.js';
import * as attachmentResource from './resources/attachment.js';
import * as latest from './resources/latest.js';
import * as unread from './resources/unread.js';
import { setUpSubscriptions } from './subscriptions.js';
import * as attachment from './tools/attachment.js';
import * as clear from './tools/clear.js';
import { serveSlimDefinitions } from './tools/definitions.js';
import * as fetch from './tools/fetch.js';
import { sdkToolError } from './tools/result.js';
import * as search from './tools/search.js';
import * as send from './tools/send.js';
import * as sessions from './tools/sessions.js';

export type { RelayDeps } from './deps.js';

export function createRelayServer(deps: RelayDeps): McpServer {
  const server = new McpServer(
    { name: 'relay', title: 'relay', version },
    { capabilities: { logging: {} }, instructions: instructions(deps) },
  );
  const tools = [send, fetch, clear, sessions, search, attachment];
  for (const tool of tools) tool.register(server, deps);
  serveSlimDefinitions(server, deps.identity.kind === null ? {} : { [send.name]: send.unlistedWithClient });
  // The SDK turns bad arguments and unknown tools into a plain-text error through this (private) method; give them
  // the relay's {ok:false, error} shape instead. Guarded: an SDK without it keeps its own wording. The SDK is pinned
  // to ^1 in package.json for this, and test/server.test.ts fails loudly if the method is gone.
  const sdk = server as unknown as { createToolError?: (message: string) => unknown };
  if (typeof sdk.createToolError === 'function') {
    sdk.createToolError = (message: string) =>
      sdkToolError(
        message,
        tools.map((t) => t.name),
      );
  }
  for (const resource of [latest, unread, attachmentResource]) resource.register(server, deps);
  for (const prompt of [getPrompt, statusPrompt]) prompt.register(server, deps);
  const subscriptions = setUpSubscriptions(server, deps);
  setUpNotices(server, deps);
  const channel = setUpChannel(server, deps);
  server.server.oninitialized = () => channel.start();
  const onclose = server.server.onclose;
  server.server.onclose = () => {
    subscriptions.stop();
    channel.stop();
    onclose?.();
  };
  return server;
}
