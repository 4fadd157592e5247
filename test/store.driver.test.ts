// Choosing the SQLite driver: node:sqlite where Node has it without a flag, else better-sqlite3, else one sentence
// naming the Node version and what to install; RELAY_SQLITE_DRIVER forces one; exactly node:sqlite's one
// ExperimentalWarning is swallowed. The built CLI is also run from a copy of dist/ that cannot reach better-sqlite3,
// as the Claude Code plugin and the Desktop extension run it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { chooseDriver, hasUnflaggedNodeSqlite, loadDriver, sqliteCode } from '../src/store/sqlite/driver.js';
import { RelayError } from '../src/store/store.js';
import { driverMissing, nodeFor, rawDb } from './helpers/drivers.js';
import { isCI, repeatPass, requireNode } from './helpers/node-versions.js';
import { root } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

describe('the SQLite driver choice', () => {
  it('knows which Node versions have node:sqlite without a flag', () => {
    const unflagged = ['22.13.0', '22.23.5', '23.4.0', '24.0.0', '25.1.0'];
    const flagged = ['20.20.2', '22.5.0', '22.12.0', '23.0.0', '23.3.0', '18.20.0'];
    expect(unflagged.filter((v) => !hasUnflaggedNodeSqlite(v))).toEqual([]);
    expect(flagged.filter((v) => hasUnflaggedNodeSqlite(v))).toEqual([]);
  });

  it('refuses an unknown RELAY_SQLITE_DRIVER with the values it takes', () => {
    const error = (() => {
      try {
        chooseDriver('sqlite3', process.versions.node);
      } catch (e) {
        return e as RelayError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toBeInstanceOf(RelayError);
    expect(error.message).toMatch(/RELAY_SQLITE_DRIVER=sqlite3 .*"node" \(node:sqlite\) or "better-sqlite3"/);
  });

  it('takes the forced driver when it loads, and says why when it does not', () => {
    for (const [value, name] of [
      ['node', 'node:sqlite'],
      ['better-sqlite3', 'better-sqlite3'],
    ] as const) {
      if (driverMissing(name) === null) expect(chooseDriver(value, process.versions.node).name).toBe(name);
      else expect(() => chooseDriver(value, process.versions.node)).toThrow(`RELAY_SQLITE_DRIVER=${value}: `);
    }
  });

  it('prefers node:sqlite where Node has it unflagged, better-sqlite3 before that', () => {
    const expected = hasUnflaggedNodeSqlite() ? 'node:sqlite' : 'better-sqlite3';
    expect(chooseDriver(undefined, process.versions.node).name).toBe(expected);
  });

  it('names SQLite result codes the same way whichever driver threw', () => {
    for (const name of ['node:sqlite', 'better-sqlite3'] as const) {
      if (driverMissing(name) !== null) continue;
      const db = loadDriver(name).open(':memory:');
      try {
        db.exec('CREATE TABLE t (x PRIMARY KEY)');
        db.exec('INSERT INTO t VALUES (1)');
        expect(() => db.exec('INSERT INTO t VALUES (1)')).toThrow();
        try {
          db.exec('INSERT INTO t VALUES (1)');
        } catch (error) {
          expect(sqliteCode(error)).toMatch(/^SQLITE_CONSTRAINT/);
        }
        expect(() => db.exec('SELECT * FROM nowhere')).toThrow(/no such table/);
      } finally {
        db.close();
      }
    }
  });
});

describe.skipIf(!hasUnflaggedNodeSqlite())('node:sqlite’s ExperimentalWarning', () => {
  it('is swallowed, and only it: other warnings, experimental ones included, still show', async () => {
    const seen: string[] = [];
    const listener = (warning: Error) => seen.push(`${warning.name}: ${warning.message}`);
    process.on('warning', listener);
    try {
      loadDriver('node:sqlite');
      process.emitWarning('something else is experimental', 'ExperimentalWarning');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    expect(seen).toEqual(['ExperimentalWarning: something else is experimental']);
  });
});
if (!hasUnflaggedNodeSqlite()) {
  describe('node:sqlite’s ExperimentalWarning', () => {
    it.skip(`SKIPPED on Node ${process.versions.node}: no node:sqlite here (CI runs it on Node 22 and 24)`, () => {});
  });
}

/** Node 20, where only better-sqlite3 can serve; and a Node with node:sqlite. Both picked here, so once per CI run. */
const again = repeatPass('the built relay without better-sqlite3');
const node20 = again ? null : requireNode(20, 'the built relay on Node 20 without better-sqlite3');
const node22 = again ? null : nodeFor('node:sqlite');
if (!again && isCI() && node22 === null) throw new Error('CI needs a Node 22.13+ binary for the bare-dist tests');

describe('the built relay where better-sqlite3 cannot be reached', () => {
  /** dist/ alone in a temp folder: no node_modules anywhere above it, as in the plugin and the extension. */
  function bareDist(): string {
    const dir = tempDir();
    fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    return dir;
  }

  it.skipIf(node20 === null)(
    'on Node 20 says in one sentence that it needs Node 22.13+ or better-sqlite3, and changes nothing (SKIPPED without Node 20)',
    () => {
      const dir = bareDist();
      const file = path.join(dir, 'relay.db');
      let stderr = '';
      try {
        execFileSync(node20!.path, [path.join(dir, 'dist', 'cli.js'), 'send', '--db', file, 'hello'], {
          encoding: 'utf8',
          env: { HOME: dir, PATH: process.env.PATH ?? '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (error) {
        stderr = (error as { stderr: string }).stderr;
      }
      expect(stderr).toMatch(/relay needs SQLite: Node 20\.\d+\.\d+ has no built-in SQLite/);
      expect(stderr).toMatch(/Install Node 22\.13 or later, or install relay with npm/);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(file)).toBe(false);
    },
  );

  it.skipIf(node22 === null)(
    'on Node 22.13+ serves from node:sqlite alone (SKIPPED without a Node 22.13+ binary)',
    () => {
      const dir = bareDist();
      const file = path.join(dir, 'relay.db');
      const cli = path.join(dir, 'dist', 'cli.js');
      const env = { HOME: dir, PATH: process.env.PATH ?? '' };
      execFileSync(node22 as string, [cli, 'send', '--db', file, '--as', 'desktop', 'hello from node:sqlite'], { env });
      const out = execFileSync(node22 as string, [cli, 'fetch', '--db', file, '--for', 'code', '--json'], {
        env,
        encoding: 'utf8',
      });
      expect((JSON.parse(out) as { messages: { message: string }[] }).messages.map((m) => m.message)).toEqual([
        'hello from node:sqlite',
      ]);
      const db = rawDb(file, { readOnly: true });
      expect(db.pragma('journal_mode')).toBe('wal');
      db.close();
    },
  );
});
