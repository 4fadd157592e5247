// The relay over MCP Streamable HTTP: a node:http server with one endpoint, /mcp, where every MCP session gets its
// own server from the factory (its own identity) on the SDK's StreamableHTTPServerTransport, all sharing one Store.
// Every request passes, in order: the gate (gate.ts: Host/Origin allow-list 403, bearer token 401), the route
// (404/405), the body cap (413). It owns no process state (no signals, no exit, no argv) and never logs a
// token or a message body.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

import type { Logger } from '../lib/log.js';
import { version } from '../lib/version.js';
import { type Identity, noIdentity } from '../server/identity.js';
import { createRelayServer, type RelayDeps } from '../server/server.js';
import { openSession, type Session } from '../server/session.js';
import { RelayError, type Store } from '../store/store.js';
import { type AllowList, createAllowList, isLoopbackHost } from './allowlist.js';
import { DEFAULT_MAX_BODY_BYTES, readBody } from './body.js';
import { cancelOnClose } from './cancel.js';
import { DEFAULT_HOST, DEFAULT_PORT, HEALTH_PATH, MCP_PATH } from './defaults.js';
import { admitted } from './gate.js';
import { IdentityError, identityFromRequest, type RequestedIdentity } from './identity.js';
import { HttpConfigError, listen } from './listen.js';
import { json, reply } from './reply.js';
import { createSessionTable, type HttpSession, type HttpSessionInfo } from './sessions.js';
import { tokenChecker } from './token.js';

/**
 * Sessions with no open request or stream for this long are closed. A connected client keeps its GET stream open; a
 * client gone without DELETE (Claude Code over HTTP never sends one; a killed bridge) leaves none.
 */
export const DEFAULT_IDLE_MS = 5 * 60_000;
export const DEFAULT_MAX_SESSIONS = 256;

export interface HttpRelayOptions {
  store: Store;
  log: Logger;
  host?: string;
  /** 0 picks a free port; read it back from `port` / `url`. */
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. Required unless bound to loopback. */
  token?: string | undefined;
  allowHosts?: readonly string[];
  allowOrigins?: readonly string[];
  maxBodyBytes?: number;
  maxSessions?: number;
  idleMs?: number;
  /** The MCP server of one session; the relay's own factory unless a test says otherwise. */
  createServer?: (deps: RelayDeps) => McpServer;
}

export interface HttpRelay {
  readonly host: string;
  readonly port: number;
  /** The /mcp endpoint, e.g. http://127.0.0.1:8765/mcp. */
  readonly url: string;
  readonly allowList: AllowList;
  sessions(): HttpSessionInfo[];
  /** Closes sessions idle since before `now - idleMs`; runs by itself every minute. Returns how many it closed. */
  closeIdleSessions(now?: number): Promise<number>;
  /** Stops accepting requests, ends every session and stream. Leaves the store open (the caller owns it). */
  close(): Promise<void>;
}

export async function startHttpRelay(options: HttpRelayOptions): Promise<HttpRelay> {
  const host = options.host ?? DEFAULT_HOST;
  const { store, log } = options;
  if (options.token === undefined && !isLoopbackHost(host)) {
    throw new HttpConfigError(
      `binding to ${host} makes the relay reachable from other machines, so it needs a token: create one with ` +
        '`mcp-relay token --file PATH` and pass --token-file PATH (or set RELAY_TOKEN).',
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const makeServer = options.createServer ?? createRelayServer;
  const tokenMatches = options.token === undefined ? undefined : tokenChecker(options.token);
  const sessions = createSessionTable({ maxSessions, idleMs, log });
  /** Store sessions being ended, so close() can wait for them before the caller closes the store. */
  const endings = new Set<Promise<void>>();
  // Set once listening (the port is known only then); no request can arrive before.
  let allowList: AllowList | undefined;

  const startSession = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    let requested: RequestedIdentity;
    try {
      requested = identityFromRequest(req);
    } catch (error) {
      if (error instanceof IdentityError) return reply(res, 400, ErrorCode.InvalidRequest, error.message);
      throw error;
    }
    if (!(await sessions.makeRoom(requested))) {
      const why = `The relay already has ${maxSessions} sessions, all busy; close unused clients and try again.`;
      return reply(res, 503, ErrorCode.InternalError, why);
    }
    // With a kind, the HTTP session is a relay session in the store for as long as it lives (listed by
    // relay_sessions, addressable by name), exactly as a stdio process is.
    let registered: Session | undefined;
    if (requested.kind !== null) {
      try {
        registered = await openSession(store, {
          kind: requested.kind,
          name: requested.name ?? undefined,
          cwd: null,
          observe: requested.observe,
          log,
        });
      } catch (error) {
        if (error instanceof RelayError) return reply(res, 503, ErrorCode.InternalError, error.message);
        throw error;
      }
    }
    const identity: Identity = registered?.identity ?? { ...noIdentity, observe: requested.observe };
    // files: null: a remote client must not make the relay read files on this machine. notices: its bridge
    // (`mcp-relay connect`) shows arrival notices on the person's machine, claimed through the session.
    const server = makeServer({ store, identity, log, files: null, notices: true });
    let ending: Promise<void> | undefined;
    const endStoreSession = (): Promise<void> => {
      if (ending === undefined && registered !== undefined) {
        const done: Promise<void> = registered.close().finally(() => endings.delete(done));
        endings.add(done);
        ending = done;
      }
      return ending ?? Promise.resolve();
    };
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        const end = async () => {
          await transport.close().catch(() => {});
          await endStoreSession();
        };
        const session: HttpSession = {
          id,
          identity,
          requested,
          server,
          transport,
          open: 0,
          lastActive: Date.now(),
          end,
        };
        sessions.add(session);
        sessions.track(session, res);
        log.info(
          `session ${id} opened: client ${identity.kind ?? '(none)'}, name ` +
            `${identity.name ?? '(none)'}${identity.observe ? ', observing' : ''}`,
        );
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && sessions.remove(id)) log.info(`session ${id} closed`);
      void endStoreSession();
    };
    transport.onerror = (error) => log.debug(`session transport: ${error.message}`);
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    // An initialize the transport refused (bad protocol version, a batch) creates no session: drop the pair (closing
    // the transport ends the store session too, in onclose).
    if (transport.sessionId === undefined) await server.close().catch(() => {});
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') {
      res.setHeader('Allow', 'GET, POST, DELETE');
      return reply(
        res,
        405,
        ErrorCode.InvalidRequest,
        `Method ${method} is not allowed on ${MCP_PATH}; use POST, GET or DELETE.`,
      );
    }
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    const session = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId !== undefined && session === undefined) {
      return reply(
        res,
        404,
        -32001,
        'Session not found: it ended or the relay restarted; reconnect to start a new session.',
      );
    }
    if (method !== 'POST') {
      if (session === undefined)
        return reply(
          res,
          400,
          ErrorCode.InvalidRequest,
          `${method} needs an Mcp-Session-Id header; start with an initialize POST.`,
        );
      sessions.track(session, res);
      return session.transport.handleRequest(req, res);
    }
    const read = await readBody(req, maxBodyBytes);
    if (read.tooLarge) {
      log.warn(`refused a request body over ${maxBodyBytes} bytes`);
      res.setHeader('Connection', 'close');
      return reply(
        res,
        413,
        ErrorCode.InvalidRequest,
        `Request too large: the relay accepts at most ${maxBodyBytes.toLocaleString('en-US')} bytes per request; send less data in one ` +
          `call.`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(read.text);
    } catch {
      return reply(res, 400, ErrorCode.ParseError, 'Parse error: the request body is not valid JSON.');
    }
    if (session !== undefined) {
      sessions.track(session, res);
      cancelOnClose(session.transport, res, body);
      return session.transport.handleRequest(req, res, body);
    }
    if (!isInitializeRequest(body)) {
      return reply(
        res,
        400,
        ErrorCode.InvalidRequest,
        'Bad request: no Mcp-Session-Id header; a session starts with an initialize request.',
      );
    }
    return startSession(req, res, body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const allow = allowList;
    if (allow === undefined) return reply(res, 503, ErrorCode.InternalError, 'The relay is starting; try again.');
    if (!admitted(req, res, { allowList: allow, tokenMatches, log })) return;
    const path = new URL(req.url ?? '/', 'http://relay.invalid').pathname;
    if (path === MCP_PATH) return handleMcp(req, res);
    if (path === HEALTH_PATH && req.method === 'GET') {
      return json(res, 200, { ok: true, name: 'relay', version, sessions: sessions.size });
    }
    return reply(res, 404, -32000, `Not found: the relay serves MCP at ${MCP_PATH} only.`);
  };

  const onrequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      log.error(
        `HTTP ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) reply(res, 500, ErrorCode.InternalError, 'The relay hit an internal error; see its log.');
      else res.end();
    });
  };
  const httpServer = http.createServer(onrequest);
  // `Expect: 100-continue` (curl sends it for large bodies): let a client whose body is too large, or who is
  // refused anyway, stop before sending it. Everything else continues as a normal request.
  httpServer.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) > maxBodyBytes)) res.writeContinue();
    onrequest(req, res);
  });

  const port = await listen(httpServer, host, options.port ?? DEFAULT_PORT);
  httpServer.on('error', (error) => log.error(`HTTP server: ${error.message}`));
  allowList = createAllowList({
    host,
    port,
    allowHosts: options.allowHosts ?? [],
    allowOrigins: options.allowOrigins ?? [],
  });
  const urlHost = net.isIPv6(host) ? `[${host}]` : host;

  const closeIdleSessions = async (now = Date.now()): Promise<number> => {
    return sessions.closeIdle(now);
  };
  const sweeper = setInterval(() => void closeIdleSessions(), Math.min(60_000, idleMs));
  sweeper.unref();

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}${MCP_PATH}`,
    allowList,
    sessions: () =>
      sessions.list().map(({ id, identity, requested, server, open }) => ({ id, identity, requested, server, open })),
    closeIdleSessions,
    close: () => {
      closing ??= (async () => {
        clearInterval(sweeper);
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        const ended = sessions.closeAll();
        httpServer.closeAllConnections();
        await closed;
        await ended;
        await Promise.all([...endings]);
      })();
      return closing;
    },
  };
}
