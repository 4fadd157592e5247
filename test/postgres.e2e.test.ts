// End to end on PostgreSQL: two relay processes started as Claude starts them (stdio), one with --db URL and one
// with RELAY_DB, exchange messages through the SDK client; the reader's resource subscription hears the other
// process's send through LISTEN/NOTIFY. And a relay on SQLite never loads node-postgres.
import path from 'node:path';

import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import { postgres, testDatabase } from './helpers/postgres.js';
import { root, runCli, spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const forbidPg = { NODE_OPTIONS: `--import=${path.join(root, 'test', 'fixtures', 'forbid-pg.mjs')}` };

type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean };

describe('choosing the store at start-up', () => {
  it('serves from SQLite without ever loading node-postgres', async () => {
    const { client } = await spawnClient(['--client', 'code'], tempDir(), forbidPg);
    const sent = (await client.callTool({ name: 'relay_send', arguments: { message: 'sqlite only' } })) as ToolResult;
    expect(sent.structuredContent).toMatchObject({ ok: true });
  });

  it('loads node-postgres for a postgres:// URL (the check above can fail)', async () => {
    const result = await runCli(
      ['--client', 'code', '--db', 'postgres://relay@127.0.0.1:1/relay'],
      tempDir(),
      forbidPg,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/forbidden module loaded: .*\/(pg\/|dist\/chunks\/)/);
  });
});

describe.skipIf(postgres.adminUrl === null)('two relay processes on one PostgreSQL store', () => {
  it('exchange messages, and the reader hears of new mail through NOTIFY', async () => {
    const db = await testDatabase();
    const desktop = await spawnClient(['--client', 'desktop', '--no-notify', '--db', db.url], tempDir());
    const code = await spawnClient(['--client', 'code', '--name', 'api'], tempDir(), { RELAY_DB: db.url });

    let updated: () => void = () => {};
    const heard = new Promise<void>((resolve) => (updated = resolve));
    code.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      if (notification.params.uri === 'messages://unread') updated();
    });
    // A round trip first: the server registers resources/subscribe when `initialized` is handled, which the SDK
    // does a tick after the request that may follow it in the same chunk (see the report on push.ts).
    await code.client.ping();
    await code.client.subscribeResource({ uri: 'messages://unread' });

    const sent = (await desktop.client.callTool({
      name: 'relay_send',
      arguments: { message: 'plan v3, over PostgreSQL' },
    })) as ToolResult;
    expect(sent.structuredContent).toMatchObject({ ok: true, recipients: ['api'] });
    await heard;

    const fetched = (await code.client.callTool({ name: 'relay_fetch', arguments: {} })) as ToolResult;
    const [message] = fetched.structuredContent?.messages as { id: number; message: string; from: string }[];
    expect(message).toMatchObject({ message: 'plan v3, over PostgreSQL', from: 'desktop' });

    await code.client.callTool({ name: 'relay_send', arguments: { message: 'looks good', reply_to: message!.id } });
    const answer = (await desktop.client.callTool({ name: 'relay_fetch', arguments: {} })) as ToolResult;
    expect(answer.structuredContent?.messages).toEqual([
      expect.objectContaining({ message: 'looks good', from: 'api', reply_to: message!.id }),
    ]);
    expect(desktop.stderr() + code.stderr()).toBe('');
  });

  it('serves the terminal commands too: send, status, fetch, doctor, without showing the password', async () => {
    const db = await testDatabase();
    const url = new URL(db.url);
    url.password = 'pw-not-shown';
    const home = tempDir();
    const cli = (...args: string[]) => runCli([...args, '--db', url.toString()], home);
    expect(await cli('send', '--as', 'desktop', 'from the terminal')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Sent #1 \(\d+ bytes\) to Code/),
    });
    const status = await cli('status');
    expect(status).toMatchObject({ code: 0, stdout: expect.stringContaining(`database: ${db.url}\n`) });
    const fetched = await cli('fetch', '--for', 'code', '--json');
    expect(JSON.parse(fetched.stdout)).toMatchObject({
      ok: true,
      messages: [{ message: 'from the terminal', from: 'desktop' }],
    });
    const doctor = await cli('doctor', '--json');
    const database = (
      JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] }
    ).checks.find((c) => c.name === 'database');
    // The database line names the backend (PostgreSQL and its version) before the counts.
    expect(database).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/: PostgreSQL \d+(\.\d+)*, 1 message/),
    });
    expect(database?.detail.startsWith(`${db.url}: `)).toBe(true);
    for (const out of [status, fetched, doctor]) expect(out.stdout + out.stderr).not.toContain('pw-not-shown');
  });

  it('exits with a sentence, not a stack, when PostgreSQL cannot be reached', async () => {
    const result = await runCli(['--client', 'code', '--db', 'postgres://relay:pw@127.0.0.1:1/relay'], tempDir());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^mcp-relay: Cannot use PostgreSQL at postgres:\/\/relay@127\.0\.0\.1:1\/relay \(.*\); check the URL/,
    );
    expect(result.stderr).not.toContain('pw');
  });
});
