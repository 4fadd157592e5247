// Files, through the built CLI: private modes whatever the umask, and files that cannot be used (corrupt, a
// directory, read-only, a full disk) each give a clear error naming the path, with nothing overwritten.
// The store-level checks of the same cases are in test/store.sqlite.test.ts; these add what the user sees.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

import { describe, expect, it, onTestFinished } from 'vitest';

import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { drain } from '../helpers/drain.js';
import { rawDb } from '../helpers/drivers.js';
import { killIfAlive } from '../helpers/process.js';
import { cliPath, initialize, root, runCli, testEnv } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

interface Relay {
  child: ChildProcessWithoutNullStreams;
  call(
    name: string,
    args?: Record<string, unknown>,
  ): Promise<{ ok: boolean; error?: string; id?: number; messages?: { id: number; message: string }[] }>;
  stop(): Promise<number | null>;
}

/** The CLI started through `sh -c '<shell>; exec node cli.js ...'` (for umask and ulimit), initialized. */
async function startRelay(shell: string, args: string[], home: string): Promise<Relay> {
  const child = spawn('sh', ['-c', `${shell}; exec "$0" "$@"`, process.execPath, cliPath, ...args], {
    env: testEnv(home),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onTestFinished(() => killIfAlive(child.pid));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let id = 0;
  const request = async (method: string, params: unknown) => {
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params })}\n`);
    const next = await lines.next();
    if (next.done === true) throw new Error(`relay exited: ${stderr}`);
    return JSON.parse(next.value as string) as { result: { structuredContent: Awaited<ReturnType<Relay['call']>> } };
  };
  child.stdin.write(`${initialize}\n`);
  await lines.next();
  return {
    child,
    call: async (name, args = {}) => (await request('tools/call', { name, arguments: args })).result.structuredContent,
    stop: () => {
      child.stdin.end();
      return exited;
    },
  };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('file modes', () => {
  it('keeps the database, WAL, SHM and debug log 0600 after creation and after a restart, even with umask 000', async () => {
    const home = tempDir();
    const db = path.join(home, '.relay_buffer.db');
    const files = [db, `${db}-wal`, `${db}-shm`, path.join(home, '.relay_debug.log')];
    for (const round of ['created', 'restarted']) {
      const relay = await startRelay('umask 000', ['--client', 'code', '--debug'], home);
      expect((await relay.call('relay_send', { message: `after being ${round}` })).ok).toBe(true);
      for (const file of files) expect(mode(file), `${path.basename(file)} ${round}`).toBe(0o600);
      expect(await relay.stop()).toBe(0);
    }
  });
});

describe('files relay cannot use: a clear error naming the path, and nothing overwritten', () => {
  const refuses = async (dbPath: string, home: string, error: RegExp, options: { asNobody?: boolean } = {}) => {
    const before = fs.statSync(dbPath).isFile() ? fs.readFileSync(dbPath) : undefined;
    const result =
      options.asNobody === true
        ? await runAsNobody(['--client', 'code', '--db', dbPath], home)
        : await runCli(['--client', 'code', '--db', dbPath], home, {}, `${initialize}\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(dbPath);
    expect(result.stderr).toMatch(error);
    if (before !== undefined) expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
  };

  it('refuses a corrupt database', async () => {
    const home = tempDir();
    const file = path.join(home, 'relay.db');
    const store = openSqliteStore(file);
    await store.send({ sender: 'code', message: 'x' });
    await store.close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, 100, 4096);
    fs.writeFileSync(file, bytes);
    await refuses(file, home, /is corrupt .* move it away/);
  });

  it('refuses a directory in place of the database', async () => {
    const home = tempDir();
    const dir = path.join(home, 'relay.db');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'keep'), 'mine');
    await refuses(dir, home, /is a directory, not a relay database/);
    expect(fs.readFileSync(path.join(dir, 'keep'), 'utf8')).toBe('mine');
  });

  it('refuses a read-only database file', async () => {
    const home = tempDir();
    const file = path.join(home, 'relay.db');
    const store = openSqliteStore(file);
    await store.send({ sender: 'code', message: 'kept' });
    await store.close();
    fs.chmodSync(file, 0o400);
    // root may write any file: as root, run the relay as an unprivileged user who owns the read-only file.
    const asNobody = process.getuid?.() === 0;
    if (asNobody) {
      fs.chmodSync(home, 0o755);
      fs.chownSync(file, NOBODY, NOBODY);
    }
    await refuses(file, home, /not writable by this user; fix its permissions/, { asNobody });
  });

  it('reports a full disk as an error naming the path, keeps what it acknowledged, and carries on once there is room', async () => {
    const home = tempDir();
    const disk = smallDisk();
    const file = path.join(disk.dir, 'relay.db');
    const relay = await startRelay(disk.shell, ['--client', 'desktop', '--no-notify', '--db', file], home);
    const acknowledged: string[] = [];
    let refusal: string | undefined;
    for (let i = 0; i < 200 && refusal === undefined; i++) {
      const message = `${i} `.padEnd(30_000, 'x');
      const reply = await relay.call('relay_send', { message });
      if (reply.ok) acknowledged.push(message);
      else refusal = reply.error;
    }
    expect(acknowledged.length).toBeGreaterThan(2);
    expect(refusal).toBe(`The disk holding ${file} is full; free some space and try again.`);
    expect(relay.child.exitCode).toBeNull();
    expect(await relay.stop()).toBe(0);

    disk.makeRoom();
    const again = await startRelay('true', ['--client', 'code', '--db', file], home);
    const fetched = await drain(async () => (await again.call('relay_fetch', { limit: 20 })).messages ?? []);
    expect(fetched.map((m) => m.message)).toEqual(acknowledged);
    expect((await again.call('relay_send', { message: 'room again' })).ok).toBe(true);
    expect(await again.stop()).toBe(0);
    const db = rawDb(file, { readOnly: true });
    expect(db.pragma('integrity_check')).toBe('ok');
    db.close();
  });
});

const NOBODY = 65534;

/** True when every directory above `file` lets others through and others have `mode` on it (0o4 read, 0o1 run). */
function othersReach(file: string, mode: number): boolean {
  if ((fs.statSync(file).mode & mode) !== mode) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/**
 * Node and the built CLI where the unprivileged user can run them: in place when it can reach them, else a copy
 * (a clone in a `mktemp -d` directory, 0700, is out of its reach): node, package.json, dist/ and the one runtime
 * dependency with its own.
 */
function runnableByNobody(): { node: string; cli: string } {
  const nodeOk = othersReach(process.execPath, 0o005);
  if (nodeOk && othersReach(cliPath, 0o004)) return { node: process.execPath, cli: cliPath };
  const copy = tempDir('relay-nobody-');
  fs.chmodSync(copy, 0o755);
  for (const part of [
    'package.json',
    'dist',
    ...['better-sqlite3', 'bindings', 'file-uri-to-path'].map((m) => `node_modules/${m}`),
  ]) {
    fs.cpSync(path.join(root, part), path.join(copy, part), { recursive: true });
  }
  let node = process.execPath;
  if (!nodeOk) {
    node = path.join(copy, 'node');
    fs.copyFileSync(process.execPath, node);
    fs.chmodSync(node, 0o755);
  }
  return { node, cli: path.join(copy, 'dist', 'cli.js') };
}

function runAsNobody(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { node, cli } = runnableByNobody();
  return new Promise((resolve) => {
    const child = spawn(node, [cli, ...args], {
      env: testEnv(home),
      uid: NOBODY,
      gid: NOBODY,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => killIfAlive(child.pid));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(`${initialize}\n`);
  });
}

/**
 * A place that fills up: a 2 MiB tmpfs (half taken by a filler file) where mounting is allowed, otherwise a
 * directory in which the relay runs under `ulimit -f` (a write past the size limit fails with EFBIG, much as on a
 * full disk; Node ignores SIGXFSZ).
 */
function smallDisk(): { dir: string; shell: string; makeRoom(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    return { dir, shell: 'ulimit -f 2048', makeRoom: () => {} };
  }
  onTestFinished(() => {
    execFileSync('umount', ['-l', dir]);
    fs.rmdirSync(dir);
  });
  const filler = path.join(dir, 'filler');
  fs.writeFileSync(filler, Buffer.alloc(1024 * 1024));
  return { dir, shell: 'true', makeRoom: () => fs.rmSync(filler) };
}
