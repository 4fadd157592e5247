// Search without an index (14.4, 16.19): files with the old FTS5 index (schema 3) and the Python relay's files are
// upgraded in place, keep every message, and find what people wrote: a Chinese word inside a phrase, `strasse` for
// `Straße`, text after a NUL. The contract holds both backends to the same results; this is what only a file has.
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DriverName } from '../src/store/sqlite/connection.js';
import { migrations, schemaVersion } from '../src/store/sqlite/migrations/index.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { inProcessDrivers, rawDb, skipMissingDrivers } from './helpers/drivers.js';
import { closedAfterTest, tempDir } from './helpers/temp.js';

const tables = (file: string) => {
  const db = rawDb(file);
  try {
    return db.pluck<void, string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  } finally {
    db.close();
  }
};

const PYTHON_INSERT = 'INSERT INTO messages (sender, message, timestamp) VALUES (?, ?, ?)';

skipMissingDrivers('search upgrades');
describe.each(inProcessDrivers().map((driver) => ({ driver })))('search on upgraded files ($driver)', ({ driver }) => {
  const store = (file: string) => {
    const opened = openSqliteStore(file, { driver: driver as DriverName, pollMs: 60_000 });
    closedAfterTest(opened);
    return opened;
  };

  it('drops the FTS5 index of a schema-3 file and keeps every message, all found', async () => {
    const file = path.join(tempDir(), '.relay_buffer.db');
    const db = rawDb(file);
    for (const sql of migrations.slice(0, 3)) db.exec(sql);
    db.exec('PRAGMA user_version = 3');
    const insert = db.prepare<[string, string, string]>(PYTHON_INSERT);
    insert.run('desktop', 'Treffpunkt: Straße 5', '2026-11-20T10:00:00.000000+00:00');
    insert.run('code', '请查看中文消息测试结果', '2026-11-20T10:01:00.000000+00:00');
    insert.run('desktop', 'café au lait', '2026-11-20T10:02:00.000000+00:00');
    db.exec('INSERT INTO messages_fts (rowid, message) SELECT id, message FROM messages');
    db.close();
    expect(tables(file)).toContain('messages_fts');

    const upgraded = store(file);
    expect(tables(file)).not.toContain('messages_fts');
    const raw = rawDb(file);
    expect(raw.pragma('user_version')).toBe(schemaVersion);
    raw.close();
    expect((await upgraded.latest(10)).map((m) => m.message)).toEqual([
      'Treffpunkt: Straße 5',
      '请查看中文消息测试结果',
      'café au lait',
    ]);
    expect((await upgraded.search('strasse', 5)).map((h) => h.snippet)).toEqual(['Treffpunkt: [Straße] 5']);
    expect((await upgraded.search('消息', 5)).map((h) => h.snippet)).toEqual(['请查看中文[消息]测试结果']);
    expect((await upgraded.search('CAFE', 5)).map((h) => h.snippet)).toEqual(['[café] au lait']);
    await upgraded.send({ sender: 'code', message: 'sent after: 消息 again' });
    expect((await upgraded.search('消息', 5)).map((h) => h.id)).toHaveLength(2);
  });

  it('upgrades a Python relay file, whose rows (and the ones it adds later) are all found', async () => {
    const file = path.join(tempDir(), '.relay_buffer.db');
    const py = rawDb(file);
    py.exec(migrations[0]!);
    py.prepare<[string, string, string]>(PYTHON_INSERT).run(
      'code',
      'Grüße aus der Straße',
      '2026-11-20T10:00:00.000000+00:00',
    );
    const upgraded = store(file);
    expect(tables(file)).not.toContain('messages_fts');
    py.prepare<[string, string, string]>(PYTHON_INSERT).run(
      'desktop',
      'before\u0000after: GRÜSSE',
      '2026-11-20T11:00:00.000000+00:00',
    );
    py.close();
    const hits = await upgraded.search('grüsse', 5);
    expect(hits.map((h) => [h.to, h.snippet])).toEqual([
      ['code', 'before\u0000after: [GRÜSSE]'],
      ['desktop', '[Grüße] aus der Straße'],
    ]);
  });

  it('finds a match in the oldest of more messages than one batch holds, newest first', async () => {
    const s = store(path.join(tempDir(), 'relay.db'));
    await s.send({ sender: 'desktop', message: 'the very first: needle' });
    for (let i = 0; i < 600; i++) await s.send({ sender: 'desktop', message: `filler ${i}` });
    await s.send({ sender: 'desktop', message: 'the last: needle' });
    expect((await s.search('needle', 10)).map((h) => h.snippet)).toEqual([
      'the last: [needle]',
      'the very first: [needle]',
    ]);
  });
});
