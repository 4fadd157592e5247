// 16.5: HTTP sessions that are never ended (Claude Code over HTTP never sends DELETE; a bridge killed with its
// Desktop cannot) must not keep their names or the relay: an explicit name is taken back from an older session of
// the relay, with its mail; idle sessions expire soon; at the cap the idlest makes room for the newcomer.
import { describe, expect, it, vi } from 'vitest';

import { DEFAULT_IDLE_MS } from '../src/http/server.js';
import { httpClient, initializeBody, postHeaders, rawRequest, startRelay } from './helpers/http.js';
import { spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

/** A client that initializes and goes away without DELETE and without a stream: a ghost session. */
async function ghost(url: string, headers: Record<string, string>): Promise<number> {
  const response = await rawRequest(url, {
    method: 'POST',
    headers: { ...postHeaders, ...headers },
    body: initializeBody,
  });
  return response.status;
}

type Fetched = { messages: { message: string }[] };

describe('sessions that are never ended', () => {
  it('gives an explicit name back to the newest client, with the mail sent to it meanwhile', async () => {
    const relay = await startRelay();
    const named = { 'X-Relay-Client': 'code', 'X-Relay-Name': 'devbox' };
    for (let i = 0; i < 20; i++) {
      expect(await ghost(relay.url, named)).toBe(200);
      await relay.store.send({ sender: 'desktop', to: 'devbox', message: `while away ${i}` });
      expect(relay.sessions().map((s) => s.identity.name)).toEqual(['devbox']);
    }
    expect((await relay.store.sessions()).map((s) => s.name)).toEqual(['devbox']);
    const { call } = await httpClient(relay.url, { client: 'code', name: 'devbox' });
    const fetched = (await call('relay_fetch', { limit: 20 })).body as Fetched;
    expect(fetched.messages.map((m) => m.message)).toEqual(Array.from({ length: 20 }, (_, i) => `while away ${i}`));
  });

  it('does not take a name from a live relay process on this machine: the newcomer gets NAME-2', async () => {
    const relay = await startRelay();
    const home = tempDir();
    await spawnClient(['--client', 'code', '--name', 'devbox', '--db', relay.store.location], home);
    expect(await ghost(relay.url, { 'X-Relay-Client': 'code', 'X-Relay-Name': 'devbox' })).toBe(200);
    expect(relay.sessions().map((s) => s.identity.name)).toEqual(['devbox-2']);
    // A reconnect that asks for the same name replaces its own ghost, rather than becoming devbox-3.
    expect(await ghost(relay.url, { 'X-Relay-Client': 'code', 'X-Relay-Name': 'devbox' })).toBe(200);
    expect(relay.sessions().map((s) => s.identity.name)).toEqual(['devbox-2']);
  });

  it('expires a session with no open request or stream within minutes, and keeps one whose client listens', async () => {
    const relay = await startRelay();
    expect(DEFAULT_IDLE_MS).toBeLessThanOrEqual(5 * 60_000);
    expect(await ghost(relay.url, { 'X-Relay-Client': 'code', 'X-Relay-Name': 'gone' })).toBe(200);
    const listening = await httpClient(relay.url, { client: 'desktop' });
    await listening.call('relay_sessions');
    // Its GET stream opens right after the handshake.
    await vi.waitFor(() => expect(relay.sessions().find((s) => s.identity.kind === 'desktop')?.open).toBe(1));
    expect(await relay.closeIdleSessions(Date.now() + DEFAULT_IDLE_MS + 1_000)).toBe(1);
    expect(relay.sessions().map((s) => s.identity.name)).toEqual(['desktop']);
    expect((await relay.store.sessions()).map((s) => s.name)).toEqual(['desktop']);
  });

  it('at the cap, closes the idlest session for a newcomer, in a churn of many clients; refuses only when all are busy', async () => {
    const relay = await startRelay({ maxSessions: 8 });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push(await ghost(relay.url, { 'X-Relay-Client': 'code' }));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(relay.sessions()).toHaveLength(8);
    expect((await relay.store.sessions()).length).toBe(8);

    // Eight clients that keep their GET stream open are busy: a ninth is refused, with a sentence.
    const busy = await startRelay({ maxSessions: 8 });
    for (let i = 0; i < 8; i++) await httpClient(busy.url, { client: 'code', name: `busy-${i}` });
    await vi.waitFor(() => expect(busy.sessions().filter((s) => s.open > 0)).toHaveLength(8));
    const refused = await rawRequest(busy.url, {
      method: 'POST',
      headers: { ...postHeaders, 'X-Relay-Client': 'code' },
      body: initializeBody,
    });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text).error.message).toMatch(/already has 8 sessions, all busy/);
  });
});
