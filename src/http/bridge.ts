// The stdio <-> Streamable HTTP bridge behind `mcp-relay connect`: every JSON-RPC message from the local client
// (Claude Desktop on stdio) goes to the remote relay over the SDK's StreamableHTTPClientTransport, and every message
// from the relay (responses, requests, notifications on the GET stream) comes back, unchanged. What it adds:
//  - the token and the identity headers on every request;
//  - the protocol version header once the initialize response passes by, as the SDK's Client would set it;
//  - a request that cannot be delivered is answered with a JSON-RPC error saying why, so the client never hangs;
//  - when the relay has forgotten the session (it restarted), the client's initialize is replayed on a new session
//    and the message is sent again, so a restarted relay does not mean restarting Claude Desktop.
// It never writes to stdout itself (the local transport does) and never logs a token or a message body.
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  InitializeResultSchema,
  isInitializeRequest,
  isJSONRPCRequest,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';

import type { Logger } from '../lib/log.js';
import { inFlight } from './bridge-inflight.js';
import { CLIENT_HEADER, NAME_HEADER, OBSERVE_HEADER } from './identity.js';

export interface BridgeOptions {
  /** The relay's /mcp endpoint. */
  url: URL;
  token?: string | undefined;
  /** Sent as X-Relay-Client / X-Relay-Name. */
  client?: string | null | undefined;
  name?: string | null | undefined;
  /** Sent as X-Relay-Observe: 1. */
  observe?: boolean | undefined;
  /** The client's side, already constructed (stdio in the CLI, in-memory in tests); the bridge starts it. */
  local: Transport;
  log: Logger;
  /** For tests. */
  fetch?: FetchLike;
  /** How long a replayed initialize may take before the message it was for fails. */
  reconnectTimeoutMs?: number;
  /** Sees every message from the relay that is not an answer to the bridge's own request; true keeps it from the client. */
  onRelayMessage?: (message: JSONRPCMessage) => boolean;
  /**
   * Sees every message from the client before it goes to the relay; when it returns a message, that goes back to the
   * client instead and `message` is not forwarded.
   */
  onClientMessage?: (message: JSONRPCMessage) => JSONRPCMessage | undefined;
  /** When a session is ready (after the client's handshake, and after each replay), with the relay's capabilities. */
  onSession?: (capabilities: ServerCapabilities) => void;
}

export interface Bridge {
  /** Resolves when the local side has closed and the remote session is ended. */
  readonly done: Promise<void>;
  /**
   * Sends a request of the bridge's own through the current session and resolves with the relay's answer (a result
   * or an error response); rejects when it cannot be sent, the connection is lost, or `timeoutMs` passes first.
   */
  request(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<JSONRPCMessage>;
  /** Ends the remote session (DELETE, best effort) and closes both sides. */
  close(): Promise<void>;
}

/** JSON-RPC "server error" range: the bridge's own failures. */
const BRIDGE_ERROR = -32000;
const OWN_PREFIX = 'relay-bridge-';

type OwnRequest = Pick<JSONRPCRequest, 'method' | 'params'>;

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const { url, local, log } = options;
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.client != null) headers[CLIENT_HEADER] = options.client;
  if (options.name != null) headers[NAME_HEADER] = options.name;
  if (options.observe === true) headers[OBSERVE_HEADER] = '1';

  /** The client's own initialize request and whether it finished the handshake: what a replay needs. */
  let initialize: JSONRPCRequest | undefined;
  let initialized = false;
  /** What the relay offers, from the last initialize response. */
  let capabilities: ServerCapabilities = {};
  let ownRequests = 0;
  /** The bridge's own requests (replayed initialize, onSession helpers) waiting for their answers. */
  const own = new Map<RequestId, { resolve: (message: JSONRPCMessage) => void; reject: (error: Error) => void }>();
  let closed = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  // One message at a time, in order: the relay must see initialize before anything else of the session.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>) => {
    queue = queue.then(task).catch((error: unknown) => log.error(`bridge: ${describe(error, url)}`));
  };

  // A response stream that ends before it answered (the relay died, the network dropped) gives its requests up.
  const flights = inFlight(options.fetch ?? fetch, (ids) => {
    if (closed) return;
    const why = `the connection to the relay at ${url.href} was lost before it answered (did the relay stop?); try again`;
    log.warn(`bridge: ${ids.length} request${ids.length === 1 ? '' : 's'} in flight lost: the relay connection broke`);
    for (const id of ids) {
      const waiter = own.get(id);
      if (waiter !== undefined) waiter.reject(new Error(why));
      else answerError(id, why);
    }
  });

  const answerError = (id: RequestId, why: string) => {
    local
      .send({ jsonrpc: '2.0', id, error: { code: BRIDGE_ERROR, message: why } })
      .catch((error: unknown) => log.warn(`bridge: cannot write to the client: ${String(error)}`));
  };

  const connectRemote = (): StreamableHTTPClientTransport => {
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers }, fetch: flights.fetch });
    transport.onmessage = (message) => {
      const id = 'id' in message ? message.id : undefined;
      const response = id !== undefined && ('result' in message || 'error' in message);
      // An answer to a request already given up (its stream broke, but the relay resumed it) was answered already.
      if (response && !flights.answered(id)) return log.debug(`bridge: dropped a late answer to ${String(id)}`);
      const waiter = id === undefined ? undefined : own.get(id);
      if (response && waiter !== undefined) return waiter.resolve(message);
      if (options.onRelayMessage?.(message) === true) return;
      if (initialize !== undefined && id === initialize.id) capabilities = setProtocolVersion(transport, message);
      local.send(message).catch((error: unknown) => log.warn(`bridge: cannot write to the client: ${String(error)}`));
    };
    transport.onerror = (error) => {
      const text = `bridge: ${describe(error, url)}`;
      // A replaced transport's last reconnection attempts are expected to fail.
      if (transport !== remote || closed) return log.debug(text);
      // The GET stream of server notifications was refused: the relay no longer knows this session.
      if (error instanceof StreamableHTTPError && error.code === 404) {
        enqueue(() => replay(transport));
        return log.debug(text);
      }
      // Failed sends are reported where they are answered (fail); the GET stream's troubles show up only here.
      if (/SSE stream|reconnection/i.test(error.message)) log.warn(text);
      else log.debug(text);
    };
    return transport;
  };

  let remote = connectRemote();
  await remote.start();

  /** A new id for a request of the bridge's own, and the promise of its answer (given up after `timeoutMs`). */
  const expectAnswer = (what: string, timeoutMs: number): { id: string; answered: Promise<JSONRPCMessage> } => {
    const id = `${OWN_PREFIX}${++ownRequests}`;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the relay did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
      own.set(id, { resolve, reject });
    }).finally(() => {
      clearTimeout(timer);
      own.delete(id);
      flights.answered(id);
    });
    return { id, answered };
  };

  /** Sends a request of the bridge's own; a failure to send rejects its answer. */
  const sendOwn = async (transport: StreamableHTTPClientTransport, id: string, request: OwnRequest): Promise<void> => {
    flights.sent(id);
    try {
      await transport.send({ ...request, jsonrpc: '2.0', id });
    } catch (error) {
      own.get(id)?.reject(new Error(describe(error, url)));
    }
  };

  /** True from a replay's start to its success: until then the next message first tries again. */
  let lost = false;

  /** Opens a new session with the client's initialize, unless `stale` was already replaced. */
  const replay = async (stale: StreamableHTTPClientTransport): Promise<void> => {
    if (stale !== remote || closed || initialize === undefined || !initialized) return;
    if (!lost) {
      log.warn(`bridge: the relay at ${url.href} no longer knows our session (it restarted?); opening a new one`);
    }
    lost = true;
    const fresh = connectRemote();
    remote = fresh;
    await stale.close().catch(() => {});
    await fresh.start();
    const { id, answered } = expectAnswer('a new initialize', options.reconnectTimeoutMs ?? 30_000);
    await sendOwn(fresh, id, initialize);
    const response = await answered;
    if ('error' in response) throw new Error(`the relay refused a new session: ${response.error.message}`);
    capabilities = setProtocolVersion(fresh, response);
    await fresh.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    lost = false;
    options.onSession?.(capabilities);
  };

  const forward = async (message: JSONRPCMessage): Promise<void> => {
    if (isInitializeRequest(message)) initialize = message as JSONRPCRequest;
    if (lost && message !== initialize) {
      try {
        await replay(remote);
      } catch (error) {
        return fail(message, error);
      }
    }
    if (isJSONRPCRequest(message)) flights.sent(message.id);
    try {
      await remote.send(message);
    } catch (error) {
      if (
        error instanceof StreamableHTTPError &&
        error.code === 404 &&
        initialize !== undefined &&
        message !== initialize
      ) {
        try {
          await replay(remote);
          await remote.send(message);
          return;
        } catch (again) {
          return fail(message, again);
        }
      }
      return fail(message, error);
    }
    if ('method' in message && message.method === 'notifications/initialized') {
      initialized = true;
      options.onSession?.(capabilities);
    }
  };

  const fail = async (message: JSONRPCMessage, error: unknown): Promise<void> => {
    const why = describe(error, url);
    log.error(`bridge: ${'method' in message ? message.method : 'a response'} not delivered: ${why}`);
    // Answered here, once: a broken stream reported for the same request finds it no longer in flight.
    if (isJSONRPCRequest(message) && flights.answered(message.id)) answerError(message.id, why);
  };

  const close = async (): Promise<void> => {
    if (closed) return done;
    closed = true;
    await queue;
    for (const waiter of own.values()) waiter.reject(new Error('the bridge is closing'));
    // Tell the relay the session is over, but do not let an unreachable relay keep the process alive.
    await Promise.race([
      remote.terminateSession().catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
    await remote.close().catch(() => {});
    await local.close().catch(() => {});
    resolveDone();
    return done;
  };

  const request = (method: string, params?: Record<string, unknown>, timeoutMs = 30_000): Promise<JSONRPCMessage> => {
    if (closed) return Promise.reject(new Error('the bridge is closed'));
    const { id, answered } = expectAnswer(method, timeoutMs);
    // In the queue, so it follows the handshake and whatever the client sent before; the answer is awaited outside it.
    enqueue(() => sendOwn(remote, id, params === undefined ? { method } : { method, params }));
    return answered;
  };

  local.onmessage = (message) => {
    const answer = options.onClientMessage?.(message);
    if (answer === undefined) enqueue(() => forward(message));
    else local.send(answer).catch((error: unknown) => log.warn(`bridge: cannot write to the client: ${String(error)}`));
  };
  local.onerror = (error) => log.warn(`bridge: client side: ${error.message}`);
  local.onclose = () => void close();
  await local.start();
  return { done, request, close };
}

/** Takes the protocol version of an initialize response for the transport's header; returns its capabilities. */
function setProtocolVersion(transport: StreamableHTTPClientTransport, message: JSONRPCMessage): ServerCapabilities {
  if (!('result' in message)) return {};
  const result = InitializeResultSchema.safeParse(message.result);
  if (!result.success) return {};
  transport.setProtocolVersion(result.data.protocolVersion);
  return result.data.capabilities;
}

/** One sentence for the person reading Claude's error or the log: what failed and what to check. */
export function describe(error: unknown, url: URL): string {
  if (error instanceof StreamableHTTPError) {
    switch (error.code) {
      case 401:
        return (
          `the relay at ${url.href} refused the token (HTTP 401); give \`mcp-relay connect\` the same token as the server ` +
          `(--token-file or RELAY_TOKEN).`
        );
      case 403:
        return (
          `the relay at ${url.href} refused this request (HTTP 403: ${error.message}); start the server with --allow-host ` +
          `${url.hostname}.`
        );
      case 404:
        return `the relay at ${url.href} does not know this session or path (HTTP 404); check the URL ends in /mcp.`;
      case 413:
        return `the relay at ${url.href} refused a request as too large (HTTP 413); send less data in one call.`;
      default:
        return `the relay at ${url.href} answered: ${error.message}`;
    }
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as TypeError & { cause?: { code?: string; message?: string } }).cause;
    return (
      `cannot reach the relay at ${url.href} (${cause?.code ?? cause?.message ?? 'network error'}); is \`mcp-relay serve --http\` ` +
      `running there, and the URL right?`
    );
  }
  return error instanceof Error ? error.message : String(error);
}
