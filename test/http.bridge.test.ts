// 16.16: when the HTTP relay dies, `mcp-relay connect` answers every request in flight at once with an error that
// says the connection was lost, instead of leaving the client to its own timeout. And the bridge's own requests
// (for helpers such as its notices) go through the same session and are given up the same way.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ResultSchema, type ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, onTestFinished } from 'vitest';

import { startBridge } from '../src/http/bridge.js';
import { silentLogger } from '../src/lib/log.js';
import { spawnHttpServe, startRelay } from './helpers/http.js';
import { spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

describe('the bridge when the relay dies', () => {
  it('answers a waiting fetch at once with "the connection to the relay was lost"', async () => {
    const home = tempDir();
    const served = await spawnHttpServe([], home);
    const bridged = await spawnClient(['connect', served.url, '--client', 'code', '--name', 'waiting'], home);
    let waiting!: () => void;
    const inFlight = new Promise<void>((resolve) => (waiting = resolve));
    const fetch = bridged.client.callTool(
      { name: 'relay_fetch', arguments: { wait_seconds: 300 } },
      undefined,
      // The relay reports progress while it waits: that is when the request is surely in flight there.
      { onprogress: () => waiting(), timeout: 600_000 },
    );
    await inFlight;
    process.kill(served.pid, 'SIGKILL');
    await expect(fetch).rejects.toThrow(/the connection to the relay at .* was lost before it answered/);
    // The bridge itself carries on, and says the relay is unreachable to the next request.
    await expect(bridged.client.callTool({ name: 'relay_sessions', arguments: {} })).rejects.toThrow(
      /cannot reach the relay/,
    );
  });
});

describe("the bridge's own requests", () => {
  it('go through the session, are answered to the bridge only, and taps see both directions', async () => {
    const relay = await startRelay();
    const [local, remoteEnd] = InMemoryTransport.createLinkedPair();
    const fromRelay: string[] = [];
    const fromClient: string[] = [];
    let sessions = 0;
    let offered: ServerCapabilities | undefined;
    let ready!: () => void;
    const sessionReady = new Promise<void>((resolve) => (ready = resolve));
    const bridge = await startBridge({
      url: new URL(relay.url),
      client: 'desktop',
      local,
      log: silentLogger,
      onRelayMessage: (message) => {
        fromRelay.push('method' in message ? message.method : 'response');
        return false;
      },
      onClientMessage: (message) => {
        fromClient.push('method' in message ? message.method : 'response');
        // A ping is answered by the tap, never forwarded.
        return 'method' in message && message.method === 'ping' && 'id' in message
          ? { jsonrpc: '2.0', id: message.id, result: { answeredBy: 'tap' } }
          : undefined;
      },
      onSession: (capabilities) => {
        sessions++;
        offered = capabilities;
        ready();
      },
    });
    onTestFinished(() => bridge.close());
    const client = new Client({ name: 'desktop', version: '0' });
    await client.connect(remoteEnd);
    await sessionReady;
    expect(sessions).toBe(1);
    expect(offered).toMatchObject({ tools: expect.anything(), resources: expect.anything() });
    expect(await client.request({ method: 'ping' }, ResultSchema.passthrough())).toEqual({ answeredBy: 'tap' });
    const seen = fromRelay.length;
    const answer = await bridge.request('tools/list');
    expect(answer).toMatchObject({
      result: { tools: expect.arrayContaining([expect.objectContaining({ name: 'relay_send' })]) },
    });
    expect(fromClient).toEqual(['initialize', 'notifications/initialized', 'ping']);
    // The initialize response went by the tap to the client; the answer to the bridge's own request did not.
    expect(fromRelay.slice(0, seen)).toContain('response');
    expect(fromRelay.slice(seen)).toEqual([]);
    await relay.close();
    await expect(bridge.request('tools/list')).rejects.toThrow(/cannot reach the relay/);
  });
});
