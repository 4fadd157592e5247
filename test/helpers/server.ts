// An in-memory relay: the server factory and an SDK Client joined by InMemoryTransport, on a temp database, with
// a registered session like the CLI's.
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { onTestFinished } from 'vitest';

import { silentLogger } from '../../src/lib/log.js';
import { noIdentity } from '../../src/server/identity.js';
import { createRelayServer, type RelayDeps } from '../../src/server/server.js';
import { openSession } from '../../src/server/session.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from './temp.js';

export interface Connected {
  client: Client;
  store: Store;
  dbFile: string;
  deps: RelayDeps;
  call(
    name: string,
    args?: Record<string, unknown>,
  ): Promise<CallToolResult & { structuredContent?: Record<string, unknown> }>;
}

export interface ConnectOptions {
  name?: string;
  observe?: boolean;
  push?: RelayDeps['push'];
  cwd?: string;
  client?: Client;
}

export async function connect(
  kind: string | null,
  dbFile = path.join(tempDir(), 'relay.db'),
  options: ConnectOptions = {},
): Promise<Connected> {
  const store = openSqliteStore(dbFile, { pollMs: 60_000 });
  const session =
    kind === null
      ? undefined
      : await openSession(store, {
          kind,
          name: options.name,
          cwd: options.cwd ?? process.cwd(),
          observe: options.observe ?? false,
          log: silentLogger,
        });
  const deps: RelayDeps = {
    store,
    identity: session?.identity ?? { ...noIdentity, observe: options.observe ?? false },
    log: silentLogger,
    files: { cwd: options.cwd ?? process.cwd() },
    ...(options.push ? { push: options.push } : {}),
  };
  const server = createRelayServer(deps);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = options.client ?? new Client({ name: 'test', version: '0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  onTestFinished(async () => {
    await client.close();
    await server.close();
    await session?.close();
    await store.close();
  });
  return {
    client,
    store,
    dbFile,
    deps,
    call: async (name, args = {}) =>
      (await client.callTool({ name, arguments: args })) as Awaited<ReturnType<Connected['call']>>,
  };
}

/** The JSON a tool returned as text; asserts it equals the structured content. */
export function body(result: CallToolResult): Record<string, unknown> {
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error('expected a text result');
  const parsed = JSON.parse(first.text) as Record<string, unknown>;
  if (result.structuredContent !== undefined && JSON.stringify(result.structuredContent) !== JSON.stringify(parsed)) {
    throw new Error('structuredContent and text differ');
  }
  return parsed;
}
