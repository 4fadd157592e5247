// Requests whose client went away: a POST whose response closes before it finished has its JSON-RPC requests
// cancelled, so the session's server stops working for nobody.
import type { ServerResponse } from 'node:http';

import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';

/**
 * A client that drops the connection (proxy timeout, network loss, a laptop going to sleep) can no longer receive the
 * answers to the requests of that POST: cancel them, as if it had sent `notifications/cancelled`, so a waiting
 * relay_fetch ends and marks nothing read for nobody.
 */
export function cancelOnClose(transport: StreamableHTTPServerTransport, res: ServerResponse, body: unknown): void {
  const ids = (Array.isArray(body) ? body : [body]).filter(isJSONRPCRequest).map((request) => request.id);
  if (ids.length === 0) return;
  res.once('close', () => {
    if (res.writableFinished) return;
    for (const requestId of ids) {
      transport.onmessage?.({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId, reason: 'the client closed the connection' },
      });
    }
  });
}
