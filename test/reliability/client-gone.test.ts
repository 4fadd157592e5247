// A wait ends when its client goes away (16.3): a relay_fetch {wait_seconds} whose HTTP connection drops, whose stdio
// client closes, or whose bridge dies must stop waiting and take nothing: the next message stays unread for the
// session's next fetch, over stdio, HTTP and the `connect` bridge alike.
import http from 'node:http';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { initializeBody, postHeaders, rawRequest, startRelay } from '../helpers/http.js';
import { initialize, spawnClient, spawnRaw } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

/** A store whose change listeners can be counted: a waiting fetch is one listener, and ends by unsubscribing. */
function listenedStore(store: Store) {
  let listeners = 0;
  const watchers = new Set<() => void>();
  const changed = () => watchers.forEach((w) => w());
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'onChange') {
        return (listener: () => void) => {
          const unsubscribe = target.onChange(listener);
          listeners++;
          changed();
          let done = false;
          return () => {
            unsubscribe();
            if (!done) listeners--;
            done = true;
            changed();
          };
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  /** Resolves once exactly `n` listeners are subscribed; fails the test after 10 s instead of hanging it. */
  const listening = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still ${listeners} change listeners, expected ${n}`)), 10_000);
      const check = () => {
        if (listeners !== n) return;
        clearTimeout(timer);
        watchers.delete(check);
        resolve();
      };
      watchers.add(check);
      check();
    });
  return { store: proxy, listening };
}

const waitCall = (id: number, seconds = 20) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'relay_fetch', arguments: { wait_seconds: seconds } },
  });

describe('a waiting relay_fetch whose client goes away', () => {
  it('over HTTP: ends when the connection drops, and the next message stays unread', async () => {
    const watched = listenedStore(openSqliteStore(path.join(tempDir(), 'relay.db')));
    const relay = await startRelay({ store: watched.store });
    const headers = { ...postHeaders, 'X-Relay-Client': 'code', 'X-Relay-Name': 'api' };
    const opened = await rawRequest(relay.url, { method: 'POST', headers, body: initializeBody });
    const session = {
      ...headers,
      'Mcp-Session-Id': String(opened.headers['mcp-session-id']),
      'Mcp-Protocol-Version': '2025-06-18',
    };
    await rawRequest(relay.url, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });

    // The waiting call: its response stream opens, then the client vanishes (proxy timeout, network loss, sleep).
    const request = http.request(relay.url, { method: 'POST', headers: session, agent: false });
    request.on('error', () => {});
    const responding = new Promise<void>((resolve) => request.once('response', () => resolve()));
    request.end(waitCall(7));
    await responding;
    await watched.listening(1);
    request.destroy();
    await watched.listening(0);

    await relay.store.send({ sender: 'desktop', to: 'api', message: 'for the next fetch' });
    const next = await rawRequest(relay.url, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 8,
        method: 'tools/call',
        params: { name: 'relay_fetch', arguments: {} },
      }),
    });
    expect(next.text).toContain('for the next fetch');
  });

  for (const how of ['its client closes stdin', 'it is killed'] as const) {
    it(`through the bridge: ends when ${how}, and the next message stays unread`, async () => {
      const watched = listenedStore(openSqliteStore(path.join(tempDir(), 'relay.db')));
      const relay = await startRelay({ store: watched.store });
      const bridged = await spawnClient(['connect', relay.url, '--client', 'code', '--name', 'api'], tempDir());
      const waiting = bridged.client
        .callTool({ name: 'relay_fetch', arguments: { wait_seconds: 20 } })
        .catch(() => undefined);
      await watched.listening(1);
      if (how === 'it is killed') process.kill(bridged.transport.pid!, 'SIGKILL');
      else await bridged.client.close();
      await watched.listening(0);
      await waiting;

      await relay.store.send({ sender: 'desktop', to: 'api', message: 'after the bridge left' });
      // Still in api's mailbox (a killed bridge's session lingers until it expires; its mail waits for the name).
      const unread = await relay.store.fetch({ reader: { kind: 'code', name: 'api' }, limit: 5, unreadOnly: true });
      expect(unread.map((m) => m.message)).toEqual(['after the bridge left']);
    });
  }

  it('over stdio: ends when stdin closes, and the next message waits for the session', async () => {
    const home = tempDir();
    const raw = spawnRaw(['--client', 'code', '--name', 'api'], home);
    raw.send(`${initialize}\n`);
    await raw.next();
    raw.send(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    raw.send(`${waitCall(1)}\n`);
    // A call answered after the wait began: the server is reading and the wait is in place.
    raw.send(
      `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'relay_sessions', arguments: {} } })}\n`,
    );
    expect(await raw.next()).toMatchObject({ id: 2 });
    raw.child.stdin.end();
    expect(await raw.exited).toBe(0);

    const store = openSqliteStore(path.join(home, '.relay_buffer.db'));
    try {
      await store.send({ sender: 'desktop', to: 'api', message: 'after the client left' });
      const got = await store.fetch({ reader: { kind: 'code', name: 'api' }, limit: 5, unreadOnly: true });
      expect(got.map((m) => m.message)).toEqual(['after the client left']);
    } finally {
      await store.close();
    }
  });
});
