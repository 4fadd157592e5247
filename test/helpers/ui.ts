// The `ui` web server for tests: started in-process on a store (with the person's session registered, as the
// command does), raw HTTP requests with full control of Host/Origin/cookies, a signed-in cookie, and a reader of
// its server-sent events. Everything is closed when the test ends.
import http from 'node:http';
import os from 'node:os';

import { onTestFinished } from 'vitest';

import { silentLogger } from '../../src/lib/log.js';
import { openSession } from '../../src/server/session.js';
import type { Store } from '../../src/store/store.js';
import { USER_KIND } from '../../src/ui/api.js';
import { CSRF_HEADER } from '../../src/ui/auth.js';
import { startUiServer, type UiServer } from '../../src/ui/server.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json(): Record<string, unknown>;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function request(port: number, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SignedIn {
  cookie: string;
  csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply>;
}

export interface UiWorld {
  server: UiServer;
  port: number;
  you: string;
  signIn(): Promise<SignedIn>;
}

/** A ui server on `store`, with the person's session registered as `mcp-relay ui` does. */
export async function uiWorld(store: Store): Promise<UiWorld> {
  const session = await openSession(store, {
    kind: USER_KIND,
    name: 'user',
    cwd: null,
    observe: false,
    log: silentLogger,
  });
  const server = await startUiServer({ store, log: silentLogger, you: () => session.identity.name ?? 'user' });
  onTestFinished(async () => {
    await server.close();
    await session.close();
  });
  const port = server.port;
  return {
    server,
    port,
    you: session.identity.name ?? 'user',
    async signIn() {
      const link = new URL(server.newLink());
      const redeemed = await request(port, `${link.pathname}${link.search}`);
      const cookie = String(redeemed.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
      const page = await request(port, '/', { headers: { cookie } });
      const csrf = /<meta name="relay-csrf" content="([^"]+)">/.exec(page.text)?.[1] ?? '';
      return {
        cookie,
        csrf,
        get: (path, headers = {}) => request(port, path, { headers: { cookie, ...headers } }),
        post: (path, body, headers = {}) =>
          request(port, path, {
            method: 'POST',
            headers: { cookie, [CSRF_HEADER]: csrf, 'content-type': 'application/json', ...headers },
            body: JSON.stringify(body),
          }),
      };
    },
  };
}

export interface EventStream {
  /** The next event of this type that `until` accepts (others are dropped; other types are kept). */
  next<T = Record<string, unknown>>(type: string, until?: (data: T) => boolean): Promise<T>;
  close(): void;
}

/** Reads /api/events as a browser's EventSource would. */
export function events(port: number, cookie: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const queue: { type: string; data: Record<string, unknown> }[] = [];
    let waiting:
      | {
          type: string;
          until: (data: Record<string, unknown>) => boolean;
          resolve: (data: Record<string, unknown>) => void;
        }
      | undefined;
    let buffer = '';
    const deliver = () => {
      while (waiting !== undefined) {
        const index = queue.findIndex((e) => e.type === waiting!.type);
        if (index === -1) return;
        const [event] = queue.splice(index, 1);
        if (!waiting.until(event!.data)) continue;
        const wake = waiting.resolve;
        waiting = undefined;
        wake(event!.data);
      }
    };
    const req = http.get(
      { host: '127.0.0.1', port, path: '/api/events', headers: { host: `127.0.0.1:${port}`, cookie } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`events: HTTP ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const type = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (type !== undefined && data !== undefined)
              queue.push({ type, data: JSON.parse(data) as Record<string, unknown> });
          }
          deliver();
        });
        const stream: EventStream = {
          next: <T>(type: string, until: (data: T) => boolean = () => true) =>
            new Promise<T>((wake) => {
              waiting = {
                type,
                until: until as unknown as (data: Record<string, unknown>) => boolean,
                resolve: wake as (data: Record<string, unknown>) => void,
              };
              deliver();
            }),
          close: () => req.destroy(),
        };
        onTestFinished(() => stream.close());
        resolve(stream);
      },
    );
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
  });
}

/** Registers a live session (this test process stands in for its relay) on `store`. */
export function liveSession(store: Store, kind: string, name: string, cwd: string | null = null) {
  return store.registerSession({ kind, name, cwd, host: os.hostname(), pid: process.pid, observer: false });
}
