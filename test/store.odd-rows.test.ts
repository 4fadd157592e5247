// 16.7: rows another writer (the seed, a script) stored oddly — a BLOB, a number or NULL where text belongs — never
// poison a fetch: each is returned converted (a BLOB as its text), and nothing is marked read that is not returned,
// through the store and through relay_fetch's output validation.
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DriverName } from '../src/store/sqlite/connection.js';
import { loadDriver } from '../src/store/sqlite/driver.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Reader } from '../src/store/store.js';
import { inProcessDrivers, skipMissingDrivers } from './helpers/drivers.js';
import { body, connect } from './helpers/server.js';
import { closedAfterTest, tempDir } from './helpers/temp.js';

const CODE: Reader = { kind: 'code', name: null };
const DESKTOP: Reader = { kind: 'desktop', name: null };
const drivers = inProcessDrivers();
skipMissingDrivers('odd rows from another writer');

/** A messages table as a script might make it (the seed's columns, no NOT NULL), then upgraded by a relay. */
const LAX_TABLE =
  'CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT, message TEXT, timestamp TEXT, ' +
  'read_by_desktop_at TEXT, read_by_code_at TEXT)';
const AT = "'2026-11-24T09:00:00.000000+00:00'";

/** Good rows around odd ones, for Code to read, written the way another program would. */
function writeOddRows(file: string, driver: DriverName): void {
  const raw = loadDriver(driver).open(file);
  raw.exec(LAX_TABLE);
  raw.exec(`
    INSERT INTO messages (sender, message, timestamp) VALUES ('desktop', 'first good one', ${AT});
    INSERT INTO messages (sender, message, timestamp) VALUES ('desktop', X'68656c6c6f20626c6f62', ${AT});
    INSERT INTO messages (sender, message, timestamp) VALUES ('desktop', NULL, ${AT});
    INSERT INTO messages (sender, message, timestamp) VALUES ('desktop', X'ff00fe', ${AT});
    INSERT INTO messages (sender, message, timestamp) VALUES (X'636f6465', 'blob sender', X'3230323621');
    INSERT INTO messages (sender, message, timestamp) VALUES ('desktop', 'blob time', X'323032362d31312d3234');
    INSERT INTO messages (sender, message, timestamp) VALUES ('desktop', 'last good one', ${AT});`);
  raw.close();
}

describe.each(drivers)('odd rows from another writer (%s)', (driver: DriverName) => {
  it('fetches every row, odd ones converted, and marks read only what it returned', async () => {
    const file = path.join(tempDir(), 'relay.db');
    writeOddRows(file, driver);
    const store = openSqliteStore(file, { driver });
    closedAfterTest(store);
    const got = await store.fetch({ reader: CODE, limit: 20, unreadOnly: true });
    expect(got.map((m) => m.message)).toEqual([
      'first good one',
      'hello blob',
      '',
      '\ufffd\u0000\ufffd',
      'blob time',
      'last good one',
    ]);
    expect(got[4]!.timestamp).toBe('2026-11-24');
    for (const m of got) {
      expect(typeof m.sender).toBe('string');
      expect(typeof m.timestamp).toBe('string');
    }
    expect(await store.fetch({ reader: CODE, limit: 20, unreadOnly: true })).toEqual([]);
    // Not 'desktop' (the seed's comparison), so the seed's route sends it to Desktop; its columns come back as text.
    const forDesktop = await store.fetch({ reader: DESKTOP, limit: 20, unreadOnly: true });
    expect(forDesktop).toEqual([
      expect.objectContaining({ message: 'blob sender', sender: 'code', from: 'code', timestamp: '2026!' }),
    ]);
  });

  it('relay_fetch returns them all through its output schema, and nothing stays behind unread', async () => {
    const file = path.join(tempDir(), 'relay.db');
    writeOddRows(file, driver);
    // The relay's own open upgrades the file; the server then reads it as Code.
    await openSqliteStore(file, { driver }).close();
    const code = await connect('code', file);
    const first = await code.call('relay_fetch', { limit: 20 });
    expect(first.isError).toBeFalsy();
    const { messages } = body(first) as { messages: { message: string }[] };
    expect(messages.map((m) => m.message)).toContain('hello blob');
    expect(messages).toHaveLength(6);
    expect((body(await code.call('relay_fetch', { limit: 20 })) as { messages: unknown[] }).messages).toEqual([]);
  });
});
