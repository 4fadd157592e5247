// An in-memory relay: the server factory and an SDK Client joined by InMemoryTransport, on a temp database.
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { onTestFinished } from 'vitest';
import { createRelayServer } from '../../src/server.js';
import { silentLogger } from '../../src/log.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { ClientKind, Store } from '../../src/store/store.js';
import { tempDir } from './temp.js';

export interface Connected {
  client: Client;
  store: Store;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent?: Record<string, unknown> }>;
}

export async function connect(clientKind: ClientKind | null, dbFile = path.join(tempDir(), 'relay.db')): Promise<Connected & { dbFile: string }> {
  const store = openSqliteStore(dbFile);
  const server = createRelayServer({ store, identity: { client: clientKind }, log: silentLogger });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  onTestFinished(async () => {
    await client.close();
    await server.close();
    await store.close();
  });
  return {
    client,
    store,
    dbFile,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as Awaited<ReturnType<Connected['call']>>,
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
