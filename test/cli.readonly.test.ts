// 16.18 and 12.9: on a read-only file system (a read-only bind mount, made in a private user and mount namespace with
// `unshare -rm`, so no root is needed and nothing outside the test sees it) no command says "chmod …", which cannot
// fix a read-only mount, and status says that sending would fail there rather than "not created yet".
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { skipWithout } from './helpers/optional.js';
import { cliPath, runCli, testEnv } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

/** Whether this machine lets an unprivileged process make a read-only bind mount in its own namespaces. */
function canMountReadOnly(): boolean {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'relay-ro-probe-'));
  try {
    const probe = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && ! touch "$1/x" 2>/dev/null',
        '-',
        dir,
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
    return probe.status === 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const skip = skipWithout(
  'the read-only file system tests',
  canMountReadOnly() ? [] : ['unshare -rm with mount (util-linux; user namespaces enabled)'],
  'install util-linux and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)',
);

/** Runs the CLI with `dir` bind-mounted read-only onto itself, in a namespace of its own. */
function runReadOnly(
  dir: string,
  args: string[],
  home: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"';
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-rm', 'sh', '-c', script, '-', dir, process.execPath, cliPath, ...args], {
      env: testEnv(home),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe.skipIf(skip)('on a read-only file system', () => {
  it('status says a send would fail there, and send says why without chmod; nothing is created', async () => {
    const home = tempDir();
    const dir = path.join(home, 'mounted');
    fs.mkdirSync(dir);
    const db = path.join(dir, 'relay.db');
    const status = await runReadOnly(dir, ['status', '--db', db], home);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      `database: ${db} (its directory is on a read-only file system, so sending would fail: pass --db with another path)`,
    );
    expect(status.stdout).not.toContain('not created yet');
    const json = JSON.parse((await runReadOnly(dir, ['status', '--db', db, '--json'], home)).stdout);
    expect(json).toMatchObject({ exists: false, writable: false });
    expect(json).not.toHaveProperty('directoryExists');
    const send = await runReadOnly(dir, ['send', '--db', db, 'hello'], home);
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/read-only file system/);
    expect(send.stderr).not.toMatch(/chmod|permissions/);
    expect(fs.readdirSync(dir)).toEqual([]);
    // Outside the mount the same directory is writable, and status says so.
    expect((await runCli(['status', '--db', db], home)).stdout).toContain('(not created yet');
  });

  it('an existing buffer: writing commands name the read-only file system, never chmod', async () => {
    const home = tempDir();
    const dir = path.join(home, 'mounted');
    fs.mkdirSync(dir);
    const db = path.join(dir, 'relay.db');
    expect((await runCli(['send', '--db', db, '--as', 'desktop', 'for code'], home)).code).toBe(0);
    for (const args of [
      ['send', '--db', db, 'more'],
      ['fetch', '--db', db],
      ['clear', '--db', db, '--yes'],
    ]) {
      const result = await runReadOnly(dir, args, home);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toMatch(/read-only file system/);
      expect(result.stderr, args.join(' ')).not.toMatch(/chmod|fix its permissions/);
    }
    const json = JSON.parse((await runCli(['fetch', '--db', db, '--peek', '--json'], home)).stdout);
    expect(json.messages.map((m: { message: string }) => m.message)).toEqual(['for code']);
  });

  it('an existing buffer: the commands that only look just read it', async () => {
    const home = tempDir();
    const dir = path.join(home, 'mounted');
    fs.mkdirSync(dir);
    const db = path.join(dir, 'relay.db');
    expect((await runCli(['send', '--db', db, '--as', 'desktop', 'the plan'], home)).code).toBe(0);
    const before = fs.readdirSync(dir).sort();
    const look = async (args: string[]) => {
      const result = await runReadOnly(dir, [...args, '--db', db], home);
      expect(result, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
      return result.stdout;
    };
    const status = await look(['status']);
    expect(status).toMatch(/^1 message in the relay; unread: 0 for Desktop, 1 for Code\n/);
    expect(status).toContain('(it is on a read-only file system, so sending would fail: pass --db with another path)');
    expect(await look(['fetch', '--peek', '--as', 'code'])).toMatch(/^#1 from Desktop, .*:\n {2}the plan\n$/);
    expect(await look(['preview', '--for', 'code'])).toMatch(/^relay: 1 unread message for /);
    expect(await look(['sessions'])).toBe('No live sessions.\n');
    expect(await look(['search', 'plan'])).toMatch(/^#1 from Desktop to Code, .*:\n {2}the \[plan\]\n$/);
    expect(await look(['history'])).toMatch(/^#1 from Desktop to Code, .*:\n {2}the plan\nunread: Code \(shared\)\n$/);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });
});

describe('the commands that only look', () => {
  it('change nothing about a buffer the Python relay left world-readable: no chmod, no -wal or -shm', async () => {
    const home = tempDir();
    const db = path.join(home, 'relay.db');
    expect((await runCli(['send', '--db', db, '--as', 'desktop', 'hello'], home)).code).toBe(0);
    // As the seed leaves its file: the umask's mode, no WAL files beside it (the relay that wrote it has exited).
    fs.chmodSync(db, 0o644);
    for (const extra of [`${db}-wal`, `${db}-shm`]) fs.rmSync(extra, { force: true });
    const stat = fs.statSync(db);
    for (const args of [['status'], ['fetch', '--peek'], ['preview'], ['sessions'], ['search', 'hello'], ['history']]) {
      const result = await runCli([...args, '--db', db], home);
      expect(result.code, args.join(' ')).toBe(0);
    }
    expect(fs.statSync(db).mode & 0o777).toBe(0o644);
    expect(fs.statSync(db).mtimeMs).toBe(stat.mtimeMs);
    expect(fs.readdirSync(home).sort()).toEqual(['relay.db']);
  });
});
