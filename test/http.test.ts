// The relay over Streamable HTTP, in-process on an ephemeral port: token, Host/Origin allow-list, body cap, routing,
// sessions with their own identities, and the pure pieces (allow-list, token checks, identity parsing) beside them.
import { describe, expect, it } from 'vitest';

import { createAllowList, isLoopbackHost, normalizeHostname, normalizeOrigin } from '../src/http/allowlist.js';
import { DEFAULT_MAX_BODY_BYTES } from '../src/http/body.js';
import { identityFromRequest } from '../src/http/identity.js';
import { HttpConfigError } from '../src/http/listen.js';
import { bearerToken, checkToken, generateToken, tokenChecker } from '../src/http/token.js';
import { httpClient, initializeBody, postHeaders, rawRequest, startRelay } from './helpers/http.js';

const TOKEN = 'test-token-0123456789abcdef';
const health = (url: string) => url.replace(/\/mcp$/, '/health');

describe('bearer token', () => {
  it('answers 401 with WWW-Authenticate without or with a wrong token, 200 with the right one', async () => {
    const relay = await startRelay({ token: TOKEN });
    const none = await rawRequest(health(relay.url));
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="relay"');
    expect(JSON.parse(none.text)).toMatchObject({ error: { message: expect.stringMatching(/Authorization: Bearer/) } });
    const wrong = await rawRequest(health(relay.url), { headers: { Authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="relay", error="invalid_token"');
    const basic = await rawRequest(health(relay.url), { headers: { Authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
    const right = await rawRequest(health(relay.url), { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(JSON.parse(right.text)).toMatchObject({ ok: true, name: 'relay', sessions: 0 });
  });

  it('checks every request: an initialize without the token opens no session; an SDK client with it works', async () => {
    const relay = await startRelay({ token: TOKEN });
    const refused = await rawRequest(relay.url, { method: 'POST', headers: postHeaders, body: initializeBody });
    expect(refused.status).toBe(401);
    expect(relay.sessions()).toHaveLength(0);
    const { call } = await httpClient(relay.url, { token: TOKEN, client: 'code' });
    expect((await call('relay_send', { message: 'with token' })).body).toMatchObject({ ok: true });
    await expect(httpClient(relay.url, { token: 'a-wrong-token-of-some-length', client: 'code' })).rejects.toThrow(
      /Unauthorized/,
    );
  });

  it('refuses to bind beyond loopback without a token', async () => {
    await expect(startRelay({ host: '0.0.0.0' })).rejects.toThrow(HttpConfigError);
    await expect(startRelay({ host: '0.0.0.0' })).rejects.toThrow(/needs a token/);
  });

  it('compares digests, accepts only Bearer, and refuses short or unprintable tokens', () => {
    const matches = tokenChecker(TOKEN);
    expect(matches(TOKEN)).toBe(true);
    expect(matches(`${TOKEN}x`)).toBe(false);
    expect(matches(TOKEN.slice(0, -1))).toBe(false);
    expect(matches(undefined)).toBe(false);
    expect(matches('')).toBe(false);
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer   ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`Basic ${TOKEN}`)).toBeUndefined();
    expect(bearerToken('Bearer two words')).toBeUndefined();
    expect(generateToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(generateToken());
    expect(() => checkToken('short', 'RELAY_TOKEN')).toThrow(/at least 16/);
    expect(() => checkToken('has a space in the middle', 'RELAY_TOKEN')).toThrow(/spaces/);
  });
});

describe('Host and Origin (DNS rebinding)', () => {
  it('answers 403 to a foreign Host or Origin, before the token is even looked at', async () => {
    const relay = await startRelay({ token: TOKEN });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const evilHost = await rawRequest(health(relay.url), {
      headers: { ...auth, Host: `evil.example.com:${relay.port}` },
    });
    expect(evilHost.status).toBe(403);
    expect(JSON.parse(evilHost.text).error.message).toMatch(/--allow-host/);
    const evilOrigin = await rawRequest(health(relay.url), { headers: { ...auth, Origin: 'http://evil.example.com' } });
    expect(evilOrigin.status).toBe(403);
    expect((await rawRequest(health(relay.url), { headers: { Host: 'evil.example.com' } })).status).toBe(403);
    // Another local port is another origin: a page served there may not drive the relay.
    expect(
      (await rawRequest(health(relay.url), { headers: { ...auth, Origin: `http://localhost:${relay.port + 1}` } }))
        .status,
    ).toBe(403);
    expect((await rawRequest(health(relay.url), { headers: { ...auth, Origin: 'null' } })).status).toBe(403);
    for (const host of [`localhost:${relay.port}`, `127.0.0.1:${relay.port}`, `LOCALHOST:${relay.port}`, '[::1]']) {
      expect((await rawRequest(health(relay.url), { headers: { ...auth, Host: host } })).status, host).toBe(200);
    }
    expect(
      (await rawRequest(health(relay.url), { headers: { ...auth, Origin: `http://localhost:${relay.port}` } })).status,
    ).toBe(200);
  });

  it('accepts the names and origins given with --allow-host and --allow-origin', async () => {
    const relay = await startRelay({ allowHosts: ['relay.example.com'], allowOrigins: ['https://relay.example.com'] });
    const asProxied = await rawRequest(relay.url, {
      method: 'POST',
      headers: { ...postHeaders, Host: 'relay.example.com', Origin: 'https://relay.example.com' },
      body: initializeBody,
    });
    expect(asProxied.status).toBe(200);
    expect(asProxied.headers['mcp-session-id']).toEqual(expect.any(String));
    expect((await rawRequest(health(relay.url), { headers: { Host: 'other.example.com' } })).status).toBe(403);
  });

  it('normalizes names and origins before comparing', () => {
    const list = createAllowList({
      host: '0.0.0.0',
      port: 8765,
      allowHosts: ['Relay.Example.com'],
      machineNames: ['devbox', '10.0.0.7', 'fe80::1'],
    });
    for (const ok of ['devbox:8765', '10.0.0.7', '[fe80::1]:8765', 'relay.example.com', 'localhost', '[::1]:8765'])
      expect(list.hostAllowed(ok), ok).toBe(true);
    for (const bad of [undefined, '', 'evil.com', 'devbox.evil.com', 'user@devbox', 'devbox/x'])
      expect(list.hostAllowed(bad), String(bad)).toBe(false);
    expect(list.originAllowed(undefined)).toBe(true);
    expect(list.originAllowed('http://devbox:8765')).toBe(true);
    expect(list.originAllowed('http://devbox')).toBe(false);
    expect(list.originAllowed('http://devbox:8765/path')).toBe(false);
    expect(list.originAllowed('file://')).toBe(false);
    const bound = createAllowList({ host: '192.168.1.5', port: 80 });
    expect(bound.hosts).toEqual(['localhost', '127.0.0.1', '[::1]', '192.168.1.5']);
    expect(bound.originAllowed('http://192.168.1.5')).toBe(true);
    expect(normalizeHostname('::1')).toBe('[::1]');
    expect(normalizeOrigin('HTTPS://Relay.Example.com:443/')).toBe('https://relay.example.com');
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});

describe('request body cap', () => {
  it('answers 413 to a body over the cap, declared or streamed, and keeps serving', async () => {
    const relay = await startRelay();
    // Declared too large: refused from the headers alone, nothing read (so nothing sent here).
    const declared = await rawRequest(relay.url, {
      method: 'POST',
      headers: { ...postHeaders, 'Content-Length': String(DEFAULT_MAX_BODY_BYTES + 1) },
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text).error.message).toMatch(/at most 67,108,864 bytes per request/);
    // Streamed without a length: read until the cap is passed (a small cap keeps the test light).
    const small = await startRelay({ maxBodyBytes: 1024 * 1024 });
    const streamed = await rawRequest(small.url, {
      method: 'POST',
      headers: { ...postHeaders, 'Transfer-Encoding': 'chunked' },
      body: Buffer.alloc(1024 * 1024 + 1, 0x20),
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text).error.message).toMatch(/at most 1,048,576 bytes/);
    for (const url of [relay.url, small.url]) {
      const { call } = await httpClient(url, { client: 'code' });
      expect((await call('relay_send', { message: 'still serving' })).body).toMatchObject({ ok: true });
    }
  });

  it('accepts a body just under the cap', async () => {
    const relay = await startRelay({ maxBodyBytes: 64 * 1024 });
    const { call } = await httpClient(relay.url, { client: 'desktop' });
    const message = 'x'.repeat(60 * 1024);
    expect((await call('relay_send', { message })).body).toMatchObject({ ok: true });
  });
});

describe('routing', () => {
  it('serves /mcp only, with JSON-RPC errors for everything else', async () => {
    const relay = await startRelay();
    const base = relay.url.replace(/\/mcp$/, '');
    expect((await rawRequest(`${base}/`)).status).toBe(404);
    expect((await rawRequest(`${base}/mcp/extra`)).status).toBe(404);
    expect((await rawRequest(`${base}/.well-known/oauth-protected-resource`)).status).toBe(404);
    const put = await rawRequest(relay.url, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST, DELETE');
    expect((await rawRequest(relay.url, { headers: { Accept: 'text/event-stream' } })).status).toBe(400);
    const unknown = await rawRequest(relay.url, {
      method: 'POST',
      headers: { ...postHeaders, 'Mcp-Session-Id': 'no-such-session' },
      body: initializeBody,
    });
    expect(unknown.status).toBe(404);
    const garbage = await rawRequest(relay.url, { method: 'POST', headers: postHeaders, body: '{"jsonrpc":' });
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.text)).toMatchObject({ error: { code: -32700 } });
    const notInit = await rawRequest(relay.url, {
      method: 'POST',
      headers: postHeaders,
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(notInit.status).toBe(400);
    expect(JSON.parse(notInit.text).error.message).toMatch(/initialize/);
  });
});

describe('sessions and identities', () => {
  it('two SDK clients on two sessions with different identities exchange messages through one store', async () => {
    const relay = await startRelay();
    const desktop = await httpClient(relay.url, { client: 'desktop', name: 'laptop' });
    const code = await httpClient(relay.url, { client: 'code', name: 'devbox' });
    expect(desktop.client.getInstructions()).toContain('You are Claude Desktop');
    expect(code.client.getInstructions()).toContain('You are Claude Code session');
    expect(desktop.transport.sessionId).not.toBe(code.transport.sessionId);
    expect(
      relay
        .sessions()
        .map((s) => [s.identity.kind, s.identity.name])
        .sort(),
    ).toEqual([
      ['code', 'devbox'],
      ['desktop', 'laptop'],
    ]);
    // Each HTTP session is a relay session in the store, listed and addressable by name like a stdio process.
    const listed = (await code.call('relay_sessions')).body as {
      sessions: { name: string; kind: string; you?: boolean }[];
    };
    expect(listed.sessions.map((s) => [s.name, s.kind, s.you ?? false]).sort()).toEqual([
      ['devbox', 'code', true],
      ['laptop', 'desktop', false],
    ]);

    expect((await desktop.call('relay_send', { message: 'Plan: split the parser' })).body).toMatchObject({ ok: true });
    const got = (await code.call('relay_fetch')).body as { messages: { sender: string; message: string }[] };
    expect(got.messages).toEqual([expect.objectContaining({ sender: 'desktop', message: 'Plan: split the parser' })]);
    await code.call('relay_send', { message: 'Done' });
    const back = (await desktop.call('relay_fetch')).body as { messages: { sender: string; message: string }[] };
    expect(back.messages.map((m) => [m.sender, m.message])).toEqual([['code', 'Done']]);
    expect((await code.call('relay_fetch')).body).toEqual({ ok: true, messages: [] });
    await desktop.transport.terminateSession();
    expect((await relay.store.sessions()).map((s) => s.name)).toEqual(['devbox']);
  });

  it('takes the identity from the query when there are no headers, and refuses a bad one with 400', async () => {
    const relay = await startRelay();
    const viaQuery = await httpClient(relay.url, { url: `${relay.url}?client=desktop&name=tablet` });
    expect(viaQuery.client.getInstructions()).toContain('You are Claude Desktop');
    expect(relay.sessions()[0]?.identity).toEqual({ kind: 'desktop', name: 'tablet', observe: false });
    const bad = await rawRequest(relay.url, {
      method: 'POST',
      headers: { ...postHeaders, 'X-Relay-Client': 'Not A Kind' },
      body: initializeBody,
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.message).toMatch(
      /^X-Relay-Client \(or \?client=\) must be desktop, code, or another client's lower-case name .*\(got 'Not A Kind'\)/,
    );
    const badName = await rawRequest(`${relay.url}?name=${encodeURIComponent('../etc')}`, {
      method: 'POST',
      headers: postHeaders,
      body: initializeBody,
    });
    expect(badName.status).toBe(400);
    expect(
      identityFromRequest({ headers: { 'x-relay-client': 'code' }, url: '/mcp?client=desktop&observe=1' }),
    ).toEqual({ kind: 'code', name: null, observe: true });
    expect(
      identityFromRequest({ headers: { 'x-relay-client': 'cursor', 'x-relay-observe': 'no' }, url: '/mcp' }),
    ).toEqual({ kind: 'cursor', name: null, observe: false });
    expect(identityFromRequest({ headers: {}, url: '/mcp' })).toEqual({ kind: null, name: null, observe: false });
    expect(() => identityFromRequest({ headers: {}, url: '/mcp?name=laptop' })).toThrow(/needs X-Relay-Client/);
    expect(() => identityFromRequest({ headers: {}, url: '/mcp?client=code&observe=maybe' })).toThrow(/must be 1 or 0/);
  });

  it('answers an expected failure as a tool result with isError over HTTP, as over stdio', async () => {
    const relay = await startRelay();
    const anonymous = await httpClient(relay.url);
    const { result, body } = await anonymous.call('relay_send', { message: 'who am I?' });
    expect(result.isError).toBe(true);
    expect(body).toEqual({ ok: false, error: expect.stringMatching(/pass sender "desktop" or "code"/) });
  });

  it('ends a session on DELETE and closes idle ones', async () => {
    const relay = await startRelay();
    const open = async () => {
      const res = await rawRequest(relay.url, { method: 'POST', headers: postHeaders, body: initializeBody });
      expect(res.status).toBe(200);
      return res.headers['mcp-session-id'] as string;
    };
    const deleted = await open();
    expect((await rawRequest(relay.url, { method: 'DELETE', headers: { 'Mcp-Session-Id': deleted } })).status).toBe(
      200,
    );
    expect((await rawRequest(relay.url, { method: 'DELETE', headers: { 'Mcp-Session-Id': deleted } })).status).toBe(
      404,
    );
    const idle = await open();
    expect(relay.sessions().map((s) => s.id)).toEqual([idle]);
    expect(await relay.closeIdleSessions(Date.now())).toBe(0);
    expect(await relay.closeIdleSessions(Date.now() + 31 * 60_000)).toBe(1);
    expect(relay.sessions()).toEqual([]);
    const after = await rawRequest(relay.url, {
      method: 'POST',
      headers: { ...postHeaders, 'Mcp-Session-Id': idle },
      body: '{"jsonrpc":"2.0","id":2,"method":"ping"}',
    });
    expect(after.status).toBe(404);
  });
});
