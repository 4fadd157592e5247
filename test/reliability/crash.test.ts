// Crash safety: a relay killed with SIGKILL in the middle of a stream of sends loses none that it acknowledged, and
// leaves a file that passes PRAGMA integrity_check and opens again at once.
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { drain } from '../helpers/drain.js';
import { rawDb } from '../helpers/drivers.js';
import { canWriteNow } from '../helpers/process.js';
import { body } from '../helpers/server.js';
import { spawnClient } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

describe('kill -9 during a stream of sends', () => {
  it('keeps every acknowledged message, and the file passes integrity_check', async () => {
    const home = tempDir();
    const dbFile = path.join(home, '.relay_buffer.db');
    const { client, transport } = await spawnClient(['--client', 'desktop', '--no-notify'], home);
    const pid = transport.pid!;
    const acknowledged = new Map<number, string>();
    let killedAfter = 0;
    let refused = 0;
    // Eight streams of sequential sends (600 in all); the relay is killed once 150 are acknowledged.
    const stream = async (worker: number) => {
      for (let n = 0; n < 75; n++) {
        const message = `crash test message ${worker}.${n}`;
        let result;
        try {
          result = await client.callTool({ name: 'relay_send', arguments: { message } });
        } catch {
          return; // the connection closed under it: not acknowledged, so no promise was made
        }
        const reply = body(result as never) as { ok: boolean; id: number };
        if (!reply.ok) {
          refused++;
          continue;
        }
        acknowledged.set(reply.id, message);
        if (acknowledged.size === 150) {
          killedAfter = acknowledged.size;
          process.kill(pid, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, worker) => stream(worker)));
    expect(killedAfter).toBe(150);
    expect(refused).toBe(0);
    expect(acknowledged.size).toBeLessThan(600);

    expect(canWriteNow(dbFile)).toBe(true);
    const db = rawDb(dbFile);
    try {
      expect(db.pragma('integrity_check')).toBe('ok');
      const stored = new Map(
        (db.prepare('SELECT id, message FROM messages').all() as { id: number; message: string }[]).map((r) => [
          r.id,
          r.message,
        ]),
      );
      for (const [id, message] of acknowledged) expect(stored.get(id), `message #${id}`).toBe(message);
    } finally {
      db.close();
    }
    // The relay's own store opens it and the messages are there to fetch, oldest first.
    const store = openSqliteStore(dbFile);
    try {
      const fetched = await drain(() =>
        store.fetch({ reader: { kind: 'code', name: null }, limit: 20, unreadOnly: true }),
      );
      expect(fetched.map((m) => m.id)).toEqual([...fetched.map((m) => m.id)].sort((a, b) => a - b));
      const texts = new Set(fetched.map((m) => m.message));
      for (const message of acknowledged.values()) expect(texts.has(message), message).toBe(true);
    } finally {
      await store.close();
    }
  });
});
