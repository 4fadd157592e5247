// The web server of `mcp-relay ui`: 127.0.0.1 only. Every request passes, in order: the HTTP relay's Host/Origin
// allow-list (DNS rebinding, cross-origin requests), a Fetch-Metadata check (nothing but a navigation to the page may
// come from another site or port), the cookie session (or the one-time link that makes one), and for state changes
// the CSRF token. Every response is no-store and nosniff; the page gets a strict CSP. It owns no process state, logs
// no secret and no message text, and marks nothing read unless the person asks (POST /api/read, their own mail only).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type AllowList, createAllowList } from '../http/allowlist.js';
import { DEFAULT_MAX_BODY_BYTES, readBody } from '../http/body.js';
import type { Logger } from '../lib/log.js';
import type { Store } from '../store/store.js';
import { createApi, UiError, USER_KIND } from './api.js';
import { createAuth, type UiSession } from './auth.js';
import { createFeed, type FeedEvent } from './feed.js';
import { attachmentHeaders } from './files.js';
import { clientScript, clientStyle, FAVICON, NONE_CSP, PAGE_CSP, pageHtml, refusalHtml } from './page.js';

export const UI_HOST = '127.0.0.1';
/** A page that reads its stream slower than this much backlog is cut off; it reconnects and starts from a snapshot. */
const MAX_STREAM_BACKLOG = 32 * 1024 * 1024;
const KEEPALIVE_MS = 25_000;
const ATTACHMENT_CHUNK = 1024 * 1024;
const SMALL_BODY = 64 * 1024;

export interface UiServerOptions {
  store: Store;
  log: Logger;
  /** The person's session name, read at each send (a re-registration may change it). */
  you: () => string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface UiServer {
  readonly port: number;
  readonly origin: string;
  readonly allowList: AllowList;
  /** A new one-time link to the page (the previous unused one stops working). */
  newLink(): string;
  close(): Promise<void>;
}

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, csp = NONE_CSP): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Security-Policy': csp,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
const refuse = (res: ServerResponse, status: number, title: string, text: string) =>
  send(res, status, 'text/html; charset=utf-8', refusalHtml(title, text));

/** Only the browser's own navigations and same-origin requests (or non-browser clients, which send no header). */
function fetchMetadataAllowed(req: IncomingMessage, path: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return true;
  return req.method === 'GET' && path === '/' && req.headers['sec-fetch-mode'] === 'navigate';
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const { store, log } = options;
  const api = createApi(store, options.you);
  const feed = createFeed(store, { onError: (error) => log.debug(`ui feed: ${String(error)}`) });
  const streams = new Set<ServerResponse>();
  let allowList: AllowList | undefined;
  let auth: ReturnType<typeof createAuth> | undefined;

  const stream = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Security-Policy': NONE_CSP,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    res.write(`event: hello\ndata: ${JSON.stringify({ type: 'hello', you: options.you(), kind: USER_KIND })}\n\n`);
    streams.add(res);
    const leave = feed.join((event: FeedEvent) => {
      if (res.destroyed) return;
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (res.writableLength > MAX_STREAM_BACKLOG) res.destroy();
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
    keepAlive.unref();
    res.once('close', () => {
      clearInterval(keepAlive);
      leave();
      streams.delete(res);
    });
  };

  const attachment = async (res: ServerResponse, id: number, download: boolean) => {
    const first = await store.attachment(id, 0, ATTACHMENT_CHUNK);
    if (first === null) return json(res, 404, { error: `There is no attachment #${id} (it may have been cleared).` });
    res.writeHead(200, { ...COMMON_HEADERS, ...attachmentHeaders(first.name, first.media_type, first.size, download) });
    let chunk = first.data;
    for (let offset = 0; ;) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      offset += chunk.length;
      if (offset >= first.size || chunk.length === 0 || res.destroyed) break;
      const next = await store.attachment(id, offset, ATTACHMENT_CHUNK);
      if (next === null) break;
      chunk = next.data;
    }
    res.end();
  };

  const body = async (req: IncomingMessage, limit: number): Promise<unknown> => {
    const read = await readBody(req, limit);
    if (read.tooLarge)
      throw new UiError(413, `Too large: the page sends at most ${limit.toLocaleString('en-US')} bytes at once.`);
    try {
      return JSON.parse(read.text === '' ? '{}' : read.text);
    } catch {
      throw new UiError(400, 'Bad request: the body is not JSON.');
    }
  };

  const post = async (req: IncomingMessage, res: ServerResponse, path: string, session: UiSession) => {
    if (!auth!.csrfValid(req, session))
      return json(res, 403, { error: 'Forbidden: reload the page (its CSRF token is missing or stale).' });
    if (path === '/api/send') return json(res, 200, await api.send(await body(req, DEFAULT_MAX_BODY_BYTES)));
    if (path === '/api/forward') return json(res, 200, await api.forward(await body(req, SMALL_BODY)));
    if (path === '/api/read') return json(res, 200, await api.markRead(await body(req, SMALL_BODY)));
    if (path === '/api/clear') {
      await body(req, SMALL_BODY);
      return json(res, 200, await api.clear());
    }
    return json(res, 404, { error: `Not found: ${path}.` });
  };

  const get = async (req: IncomingMessage, res: ServerResponse, url: URL, session: UiSession) => {
    const path = url.pathname;
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', pageHtml(session.csrf), PAGE_CSP);
    if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', clientScript);
    if (path === '/app.css') return send(res, 200, 'text/css; charset=utf-8', clientStyle);
    if (path === '/favicon.svg') return send(res, 200, 'image/svg+xml', FAVICON);
    if (path === '/api/events') return stream(req, res);
    if (path === '/api/history') return json(res, 200, await api.history(url.searchParams));
    if (path === '/api/search') return json(res, 200, await api.search(url.searchParams));
    const file = /^\/api\/attachments\/([1-9][0-9]{0,15})$/.exec(path);
    if (file !== null) return attachment(res, Number(file[1]), url.searchParams.has('download'));
    return json(res, 404, { error: `Not found: ${path}.` });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (allowList === undefined || auth === undefined) return json(res, 503, { error: 'Starting; try again.' });
    const url = new URL(req.url ?? '/', 'http://ui.invalid');
    const path = url.pathname;
    if (!allowList.hostAllowed(req.headers.host)) {
      log.warn(`ui: refused Host ${JSON.stringify(req.headers.host ?? null)}`);
      return refuse(
        res,
        403,
        'Forbidden',
        'This address is not a name of the relay page; open the link mcp-relay ui printed.',
      );
    }
    if (!allowList.originAllowed(req.headers.origin) || !fetchMetadataAllowed(req, path)) {
      log.warn(
        `ui: refused a request from another site (${JSON.stringify(req.headers.origin ?? req.headers['sec-fetch-site'] ?? '')})`,
      );
      return refuse(res, 403, 'Forbidden', 'Requests from other sites are refused.');
    }
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/' && url.searchParams.has('s')) {
      const redeemed = auth.redeem(url.searchParams.get('s') ?? '');
      if (redeemed === undefined) {
        return refuse(
          res,
          403,
          'This link was used already',
          'Each link works once. Press Enter in the terminal running mcp-relay ui for a new one.',
        );
      }
      // The secret leaves the address bar (and the history entry that follows) at once.
      res.writeHead(303, { ...COMMON_HEADERS, 'Set-Cookie': redeemed.cookie, Location: '/', 'Content-Length': 0 });
      return void res.end();
    }
    const session = auth.session(req);
    if (session === undefined) {
      if (path.startsWith('/api/'))
        return json(res, 401, { error: 'Not signed in: open the link mcp-relay ui printed.' });
      return refuse(
        res,
        401,
        'Open the link from your terminal',
        'This page opens only through the one-time link that mcp-relay ui printed. Press Enter in its terminal for a new one.',
      );
    }
    if (method === 'GET') return get(req, res, url, session);
    if (method === 'POST') return post(req, res, path, session);
    res.setHeader('Allow', 'GET, POST');
    return json(res, 405, { error: `Method ${method} is not allowed.` });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof UiError) {
        if (error.status === 413) res.setHeader('Connection', 'close');
        if (!res.headersSent) return json(res, error.status, { error: error.message });
      } else {
        log.error(
          `ui: ${req.method} ${new URL(req.url ?? '/', 'http://ui.invalid').pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        if (!res.headersSent) return json(res, 500, { error: 'The relay hit an internal error; see its log.' });
      }
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: UI_HOST, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error(`ui server: ${error.message}`));
  const port = (server.address() as AddressInfo).port;
  allowList = createAllowList({ host: UI_HOST, port });
  auth = createAuth(port);
  const origin = `http://${UI_HOST}:${port}`;
  const authority = auth;

  let closing: Promise<void> | undefined;
  return {
    port,
    origin,
    allowList,
    newLink: () => `${origin}/?s=${authority.newLinkSecret()}`,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const res of streams) res.end();
        server.closeAllConnections();
        await closed;
        await feed.idle();
      })();
      return closing;
    },
  };
}
