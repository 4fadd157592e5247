// Answers the HTTP relay writes itself (health, refusals), in the shapes clients expect: JSON, and for refusals a
// JSON-RPC error body with a null id, as the SDK's transport answers its own errors.
import type { ServerResponse } from 'node:http';

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An HTTP error with a JSON-RPC error body whose message says what to do. */
export function reply(res: ServerResponse, status: number, code: number, message: string): void {
  json(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
