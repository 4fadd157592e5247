// End to end over HTTP: the built CLI's `serve --http`, `token` and `connect` (the stdio bridge), spawned with a temp
// HOME and driven by SDK clients, as Claude Desktop would drive the bridge.
import fs from 'node:fs';
import path from 'node:path';

import {
  type LoggingMessageNotification,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import { httpClient, rawRequest, spawnHttpServe, startRelay } from './helpers/http.js';
import { body } from './helpers/server.js';
import { initialize, runCli, spawnClient, spawnRaw } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

/** A token file as `mcp-relay token` writes it. */
async function makeToken(home: string): Promise<{ file: string; token: string }> {
  const file = path.join(home, 'relay.token');
  const made = await runCli(['token', '--file', file], home);
  expect(made.code).toBe(0);
  return { file, token: made.stdout.trim() };
}

type Fetched = { messages: { sender: string; message: string }[] };

describe('mcp-relay token', () => {
  it('writes a 0600 file, prints the token once, and never overwrites without --force', async () => {
    const home = tempDir();
    const { file, token } = await makeToken(home);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${token}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = await runCli(['token', '--file', file], home);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    expect(again.stdout).toBe('');
    fs.chmodSync(file, 0o644);
    const forced = await runCli(['token', '--file', file, '--force'], home);
    expect(forced.code).toBe(0);
    expect(forced.stdout.trim()).not.toBe(token);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const byDefault = await runCli(['token'], home);
    expect(fs.readFileSync(path.join(home, '.relay_token'), 'utf8').trim()).toBe(byDefault.stdout.trim());
  });
});

describe('mcp-relay serve --http', () => {
  it('refuses what would be unsafe or wrong, with one line saying what to do', async () => {
    const home = tempDir();
    const open = await runCli(['serve', '--http', '--host', '0.0.0.0', '--port', '0'], home);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/needs a token: create one with `mcp-relay token --file PATH`/);
    const { file } = await makeToken(home);
    fs.chmodSync(file, 0o640);
    const readable = await runCli(['serve', '--http', '--port', '0', '--token-file', file], home);
    expect(readable.code).toBe(1);
    expect(readable.stderr).toContain(`run \`chmod 600 ${file}\``);
    const shortEnv = await runCli(['serve', '--http', '--port', '0'], home, { RELAY_TOKEN: 'short' });
    expect(shortEnv.code).toBe(1);
    expect(shortEnv.stderr).toMatch(/RELAY_TOKEN holds a token of 5 characters/);
    expect((await runCli(['serve', '--port', '8765'], home)).stderr).toMatch(/--port needs --http/);
    expect((await runCli(['serve', '--http', '--port', 'eighty'], home)).code).toBe(2);
    expect((await runCli(['serve', '--http', '--client', 'code'], home)).stderr).toMatch(/X-Relay-Client/);
  });

  it('serves with a token file: SDK clients over HTTP and over the stdio bridge exchange messages', async () => {
    const home = tempDir();
    const { file, token } = await makeToken(home);
    const server = await spawnHttpServe(['--token-file', file], home);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect((await rawRequest(server.url.replace('/mcp', '/health'))).status).toBe(401);

    const bridged = await spawnClient(
      ['connect', server.url, '--token-file', file, '--client', 'desktop', '--name', 'laptop'],
      home,
    );
    const code = await httpClient(server.url, { token, client: 'code', name: 'devbox' });
    expect(bridged.client.getServerVersion()?.name).toBe('relay');
    expect(bridged.client.getInstructions()).toContain('You are Claude Desktop');
    const sent = await bridged.client.callTool({ name: 'relay_send', arguments: { message: 'Plan from the laptop' } });
    expect(body(sent as never)).toMatchObject({ ok: true });
    const got = (await code.call('relay_fetch')).body as Fetched;
    expect(got.messages).toEqual([expect.objectContaining({ sender: 'desktop', message: 'Plan from the laptop' })]);
    await code.call('relay_send', { message: 'Done on the devbox' });
    const back = body((await bridged.client.callTool({ name: 'relay_fetch', arguments: {} })) as never) as Fetched;
    expect(back.messages.map((m) => [m.sender, m.message])).toEqual([['code', 'Done on the devbox']]);
    const resource = await bridged.client.readResource({ uri: 'messages://latest' });
    expect(resource.contents[0]).toMatchObject({ text: expect.stringContaining('1. [Desktop]: Plan from the laptop') });
    // The server's stdout stays empty: logs go to stderr.
    expect(server.stderr()).not.toContain('[stdout!]');
  });
});

describe('mcp-relay connect (the stdio bridge)', () => {
  it('passes server notifications from the HTTP session to the stdio client', async () => {
    const relay = await startRelay();
    const bridged = await spawnClient(['connect', relay.url, '--client', 'code'], tempDir());
    const received: LoggingMessageNotification['params'][] = [];
    const arrived = new Promise<void>((resolve) => {
      bridged.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        received.push(n.params);
        resolve();
      });
    });
    const [session] = relay.sessions();
    expect(session?.identity.kind).toBe('code');
    // The GET stream opens right after the handshake; a notification sent before it is up would wait in no queue.
    await expect
      .poll(
        async () => {
          await session!.server.sendLoggingMessage({ level: 'info', data: 'relay says hi' });
          return received.length;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBeGreaterThan(0);
    await arrived;
    expect(received[0]).toEqual({ level: 'info', data: 'relay says hi' });
  });

  it("passes the relay's resource-update notifications to the stdio client", async () => {
    const relay = await startRelay();
    const bridged = await spawnClient(['connect', relay.url, '--client', 'code', '--name', 'devbox'], tempDir());
    const updated: string[] = [];
    bridged.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    await bridged.client.subscribeResource({ uri: 'messages://unread' });
    const desktop = await httpClient(relay.url, { client: 'desktop', name: 'laptop' });
    // Each send changes the unread list; the first ones may beat the bridge's notification stream.
    let sent = 0;
    await expect
      .poll(
        async () => {
          await desktop.call('relay_send', { message: `news ${++sent}`, to: 'devbox' });
          return updated;
        },
        { timeout: 10_000, interval: 300 },
      )
      .toContain('messages://unread');
  });

  it('opens a new session when the relay forgot the old one, so the client keeps working', async () => {
    const relay = await startRelay();
    const bridged = await spawnClient(['connect', relay.url, '--client', 'desktop', '--name', 'laptop'], tempDir());
    await bridged.client.callTool({ name: 'relay_send', arguments: { message: 'before' } });
    const before = relay.sessions().map((s) => s.id);
    await relay.sessions()[0]!.server.close();
    expect(relay.sessions()).toEqual([]);
    const after = await bridged.client.callTool({ name: 'relay_send', arguments: { message: 'after' } });
    expect(body(after as never)).toMatchObject({ ok: true });
    const now = relay.sessions();
    expect(now).toHaveLength(1);
    expect(now[0]!.id).not.toBe(before[0]);
    expect(now[0]!.identity).toEqual({ kind: 'desktop', name: 'laptop', observe: false });
    expect((await relay.store.latest(5)).map((m) => m.message)).toEqual(['before', 'after']);
    expect(bridged.stderr()).toMatch(/no longer knows our session/);
  });

  it('says the relay is unreachable while it is down, and carries on when it is back on the same port', async () => {
    const first = await startRelay();
    const bridged = await spawnClient(['connect', first.url, '--client', 'desktop', '--name', 'laptop'], tempDir());
    await bridged.client.callTool({ name: 'relay_send', arguments: { message: 'before' } });
    await first.close();
    await expect(bridged.client.callTool({ name: 'relay_send', arguments: { message: 'while down' } })).rejects.toThrow(
      /cannot reach the relay/,
    );
    const second = await startRelay({ port: first.port });
    const after = await bridged.client.callTool({ name: 'relay_send', arguments: { message: 'after the restart' } });
    expect(body(after as never)).toMatchObject({ ok: true });
    expect(second.sessions().map((s) => s.identity)).toEqual([{ kind: 'desktop', name: 'laptop', observe: false }]);
    expect((await second.store.latest(5)).map((m) => m.message)).toEqual(['after the restart']);
  });

  it('answers with an error that names the problem when the token is wrong or the relay is down', async () => {
    const home = tempDir();
    const relay = await startRelay({ token: 'the-right-token-0123456789' });
    const wrong = path.join(home, 'wrong.token');
    fs.writeFileSync(wrong, 'a-wrong-token-0123456789\n', { mode: 0o600 });
    await expect(spawnClient(['connect', relay.url, '--token-file', wrong], home)).rejects.toThrow(
      /refused the token \(HTTP 401\)/,
    );
    const gone = await startRelay();
    await gone.close();
    await expect(spawnClient(['connect', gone.url], home)).rejects.toThrow(
      /cannot reach the relay at .* \(ECONNREFUSED\)/,
    );
  });

  it('ends the remote session and exits 0 when the client closes stdin', async () => {
    const relay = await startRelay();
    const raw = spawnRaw(['connect', relay.url, '--client', 'code'], tempDir());
    raw.send(`${initialize}\n`);
    expect(await raw.next()).toMatchObject({ id: 0, result: { serverInfo: { name: 'relay' } } });
    raw.send('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    await expect.poll(() => relay.sessions().length).toBe(1);
    raw.child.stdin.end();
    expect(await raw.exited).toBe(0);
    expect(relay.sessions()).toEqual([]);
  });

  it('rejects a bad URL or flag with one line, exit 2', async () => {
    const home = tempDir();
    expect((await runCli(['connect'], home)).stderr).toMatch(/connect takes one URL/);
    const notUrl = await runCli(['connect', 'devbox:8765'], home);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/must start with http:\/\/ or https:\/\//);
    expect((await runCli(['connect', 'http://127.0.0.1:8765/mcp', '--name', 'a b'], home)).stderr).toMatch(
      /--name must be/,
    );
  });
});
