// One file, two drivers: relays on node:sqlite and on better-sqlite3 (each in its own process, on a Node binary
// that has it) create, upgrade and read the same buffer: schema, WAL, 0600 modes, the seed's file upgraded in place,
// and change events across them. Both ways round. (The concurrency test runs senders on one driver and fetchers on
// the other; the contract and the properties run on each driver in-process.)
import fs from 'node:fs';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type CallToolResult, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import type { DriverName } from '../src/store/sqlite/connection.js';
import { schemaVersion } from '../src/store/sqlite/migrations/index.js';
import { crossDriverRunners, DRIVERS, FORCE, rawDb } from './helpers/drivers.js';
import { body } from './helpers/server.js';
import { runCli, spawnClient } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const runners = crossDriverRunners();
const pairs = DRIVERS.map((creator) => ({ creator, reader: DRIVERS.find((d) => d !== creator) as DriverName }));

/** The seed's schema and two unread rows, written as it writes them (rollback journal, the umask's mode). */
function writeSeedFile(file: string): void {
  const db = rawDb(file);
  db.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, message TEXT NOT NULL,
    timestamp TEXT NOT NULL, read_by_desktop_at TEXT, read_by_code_at TEXT)`);
  const insert = db.prepare<[string, string, string]>(
    'INSERT INTO messages (sender, message, timestamp) VALUES (?, ?, ?)',
  );
  insert.run('desktop', 'seed: for code', '2026-11-21T10:00:00.123456+00:00');
  insert.run('code', 'seed: for desktop', '2026-11-22T10:00:00.654321+00:00');
  db.close();
  fs.chmodSync(file, 0o644);
}

function modes(file: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) found[path.basename(f)] = fs.statSync(f).mode & 0o777;
  }
  return found;
}

if ('missing' in runners) {
  describe('one file, two SQLite drivers', () => {
    it.skip(`SKIPPED: ${runners.missing}`, () => {});
  });
} else {
  const { node } = runners;
  const relay = (driver: DriverName, args: string[], home: string, client?: Client) =>
    spawnClient(
      [...args, '--no-notify'],
      home,
      { RELAY_SQLITE_DRIVER: FORCE[driver] },
      {
        node: node[driver],
        ...(client !== undefined ? { client } : {}),
      },
    );
  const cli = (driver: DriverName, args: string[], home: string) =>
    runCli(args, home, { RELAY_SQLITE_DRIVER: FORCE[driver] }, undefined, { node: node[driver] });
  const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
    body((await client.callTool({ name, arguments: args })) as CallToolResult);

  describe.each(pairs)('one file: created by $creator, read by $reader', ({ creator, reader }) => {
    it('exchanges messages both ways, each side woken by the other’s writes, on one WAL file kept 0600', async () => {
      const home = tempDir();
      const file = path.join(home, 'relay.db');
      const db = ['--db', file];
      const desktop = await relay(creator, ['--client', 'desktop', ...db], home);

      const wakes: string[] = [];
      let woken: () => void = () => {};
      const subscriber = new Client({ name: 'subscriber', version: '0' });
      subscriber.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        wakes.push(n.params.uri);
        woken();
      });
      const code = await relay(reader, ['--client', 'code', '--name', 'api', ...db], home, subscriber);
      await subscriber.subscribeResource({ uri: 'messages://unread' });

      const text = `from ${creator}: ünïcødé 🚀, "quotes", NUL\u0000inside`;
      const arrived = new Promise<void>((resolve) => (woken = resolve));
      expect(await call(desktop.client, 'relay_send', { message: text })).toMatchObject({
        ok: true,
        recipients: ['api'],
      });
      await arrived;
      expect(wakes).toContain('messages://unread');
      const got = (await call(subscriber, 'relay_fetch')).messages as { id: number; message: string }[];
      expect(got.map((m) => m.message)).toEqual([text]);

      const reply = `from ${reader}: ok`;
      expect(await call(subscriber, 'relay_send', { message: reply, reply_to: got[0]!.id })).toMatchObject({
        ok: true,
      });
      const back = (await call(desktop.client, 'relay_fetch')).messages as { message: string; reply_to: number }[];
      expect(back).toMatchObject([{ message: reply, reply_to: got[0]!.id }]);

      // Both relays hold the file open: the WAL and its index exist, private like the file.
      expect(modes(file)).toEqual({ 'relay.db': 0o600, 'relay.db-wal': 0o600, 'relay.db-shm': 0o600 });
      const raw = rawDb(file, { readOnly: true });
      try {
        expect(raw.pragma('journal_mode')).toBe('wal');
        expect(raw.pragma('user_version')).toBe(schemaVersion);
      } finally {
        raw.close();
      }
      expect(code.stderr()).not.toMatch(/ExperimentalWarning/);
      expect(desktop.stderr()).not.toMatch(/ExperimentalWarning/);
    });

    it('reads what the other driver upgraded from the seed’s file, with its read state', async () => {
      const home = tempDir();
      const file = path.join(home, '.relay_buffer.db');
      writeSeedFile(file);
      // The creator's relay upgrades the file (a fetch is a write) and reads Desktop's mail.
      const first = await cli(creator, ['fetch', '--db', file, '--for', 'desktop', '--json'], home);
      expect(first.code).toBe(0);
      expect(first.stderr).toBe('');
      expect((JSON.parse(first.stdout) as { messages: { message: string }[] }).messages.map((m) => m.message)).toEqual([
        'seed: for desktop',
      ]);
      expect(modes(file)).toEqual({ '.relay_buffer.db': 0o600 });
      const second = await cli(reader, ['fetch', '--db', file, '--for', 'code', '--json'], home);
      expect(second.code).toBe(0);
      expect((JSON.parse(second.stdout) as { messages: { message: string }[] }).messages.map((m) => m.message)).toEqual(
        ['seed: for code'],
      );
      // What the creator marked read stays read for the reader.
      const again = await cli(reader, ['fetch', '--db', file, '--for', 'desktop', '--json'], home);
      expect((JSON.parse(again.stdout) as { messages: unknown[] }).messages).toEqual([]);
    });
  });
}
