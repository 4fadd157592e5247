// The HTTP relay in tests: started in-process on an ephemeral port with a temp database, SDK clients over
// Streamable HTTP, raw requests with any headers (fetch cannot set Host), and the CLI spawned with --http.
// Everything started here is closed or killed in onTestFinished, also when an assertion fails.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { onTestFinished } from 'vitest';

import { type HttpRelay, type HttpRelayOptions, startHttpRelay } from '../../src/http/server.js';
import { silentLogger } from '../../src/lib/log.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { body } from './server.js';
import { cliPath, testEnv } from './spawn.js';
import { tempDir } from './temp.js';

export async function startRelay(options: Partial<HttpRelayOptions> = {}): Promise<HttpRelay & { store: Store }> {
  const store = options.store ?? openSqliteStore(path.join(tempDir(), 'relay.db'));
  const relay = await startHttpRelay({ log: silentLogger, port: 0, ...options, store });
  onTestFinished(async () => {
    await relay.close();
    await store.close();
  });
  return Object.assign(relay, { store });
}

export interface HttpClientOptions {
  token?: string;
  client?: string;
  name?: string;
  url?: string;
}

export async function httpClient(relayUrl: string, options: HttpClientOptions = {}) {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.client !== undefined) headers['X-Relay-Client'] = options.client;
  if (options.name !== undefined) headers['X-Relay-Name'] = options.name;
  const transport = new StreamableHTTPClientTransport(new URL(options.url ?? relayUrl), { requestInit: { headers } });
  const client = new Client({ name: 'http-test', version: '0' });
  onTestFinished(async () => {
    await transport.terminateSession().catch(() => {});
    await client.close().catch(() => {});
  });
  await client.connect(transport);
  return {
    client,
    transport,
    call: async (name: string, args: Record<string, unknown> = {}) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      return { result, body: body(result) };
    },
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One HTTP request with exactly these headers (Host included), answered or failed; never left open. */
export function rawRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

export const initializeBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

/** Headers of a Streamable HTTP POST: JSON in, JSON or SSE out. */
export const postHeaders = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

/** `mcp-relay serve --http --port 0 ...` spawned; resolves with its URL once it says it listens. Killed afterwards. */
export function spawnHttpServe(
  args: string[],
  home: string,
  extra: Record<string, string> = {},
): Promise<{ url: string; stderr: () => string; pid: number }> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--http', '--port', '0', ...args], {
    env: testEnv(home, extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve --http did not start: ${stderr}`)), 15_000);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          stderr: () => stderr + (stdout === '' ? '' : `\n[stdout!] ${stdout}`),
          pid: child.pid!,
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve --http exited ${code}: ${stderr}`));
    });
  });
}
