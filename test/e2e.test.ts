// End to end: the built CLI spawned over stdio exactly as Claude starts it, with a temp HOME.
// Bad input, crashes and files that go wrong are in test/reliability/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { body } from './helpers/server.js';
import { cliPath, initialize, root, runCli, spawnClient, spawnRaw, testEnv } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

describe('two processes over stdio', () => {
  it('Desktop sends, Code fetches, and back, through ~/.relay_buffer.db under HOME', async () => {
    const home = tempDir();
    const desktop = await spawnClient(['--client', 'desktop'], home);
    const code = await spawnClient(['--client', 'code'], home);
    expect(desktop.client.getServerVersion()?.name).toBe('relay');
    const sent = await desktop.client.callTool({
      name: 'relay_send',
      arguments: { message: 'Plan: refactor the parser' },
    });
    expect(body(sent as never)).toMatchObject({ ok: true });
    const got = body((await code.client.callTool({ name: 'relay_fetch', arguments: {} })) as never) as {
      messages: { message: string; sender: string }[];
    };
    expect(got.messages).toEqual([
      expect.objectContaining({ sender: 'desktop', message: 'Plan: refactor the parser' }),
    ]);
    await code.client.callTool({ name: 'relay_send', arguments: { message: 'Done, tests pass' } });
    const back = body((await desktop.client.callTool({ name: 'relay_fetch', arguments: {} })) as never) as {
      messages: { message: string }[];
    };
    expect(back.messages.map((m) => m.message)).toEqual(['Done, tests pass']);
    expect(fs.statSync(path.join(home, '.relay_buffer.db')).mode & 0o777).toBe(0o600);
  });

  it('uses --db, else RELAY_DB', async () => {
    const home = tempDir();
    const viaFlag = path.join(home, 'flag.db');
    const viaEnv = path.join(home, 'env.db');
    const a = await spawnClient(['--client', 'desktop', '--db', viaFlag], home);
    await a.client.callTool({ name: 'relay_send', arguments: { message: 'x' } });
    const b = await spawnClient(['--client', 'code'], home, { RELAY_DB: viaEnv });
    await b.client.callTool({ name: 'relay_send', arguments: { message: 'y' } });
    expect(fs.existsSync(viaFlag)).toBe(true);
    expect(fs.existsSync(viaEnv)).toBe(true);
    expect(fs.existsSync(path.join(home, '.relay_buffer.db'))).toBe(false);
  });
});

describe('a client nobody here wrote: @modelcontextprotocol/inspector-cli', () => {
  // The inspector looks for its own package.json relative to the working directory, so run it from its build folder.
  const inspectorDir = path.join(root, 'node_modules', '@modelcontextprotocol', 'inspector-cli', 'build');
  const inspect = (home: string, args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [path.join(inspectorDir, 'cli.js'), '--cli', process.execPath, cliPath, ...args],
        {
          cwd: inspectorDir,
          env: testEnv(home),
        },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        // It exits 0 even when a tool fails: the output is what is checked.
        if (code === 0) resolve(out);
        else reject(new Error(`inspector exited ${code}: ${out}`));
      });
    });

  it('lists the tools, sends as desktop and fetches as code', async () => {
    const home = tempDir();
    const list = await inspect(home, ['--client', 'code', '--method', 'tools/list']);
    expect(list).toContain('"relay_send"');
    expect(list).toContain('"relay_fetch"');
    const sent = await inspect(home, [
      '--client',
      'desktop',
      '--method',
      'tools/call',
      '--tool-name',
      'relay_send',
      '--tool-arg',
      'message=hello from the inspector',
    ]);
    expect(sent).toMatch(/"ok": true/);
    const fetched = await inspect(home, ['--client', 'code', '--method', 'tools/call', '--tool-name', 'relay_fetch']);
    expect(fetched).toContain('hello from the inspector');
    expect(fetched).not.toMatch(/"isError": true/);
    const resource = await inspect(home, [
      '--client',
      'code',
      '--method',
      'resources/read',
      '--uri',
      'messages://latest',
    ]);
    expect(resource).toContain('1. [Desktop]: hello from the inspector');
  });
});

describe('command line', () => {
  it('rejects an unknown flag with one line naming it, exit 2', async () => {
    const result = await runCli(['--client', 'code', '--colour'], tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/--colour/);
    expect(result.stdout).toBe('');
  });

  it('rejects a bad --client value naming the choices, exit 2', async () => {
    const result = await runCli(['--client', 'Claude Desktop'], tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      "mcp-relay: --client must be desktop, code, or another client's lower-case name such as cursor (got 'Claude Desktop')",
    );
  });

  it('prints --version and --help to stdout', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect((await runCli(['--version'], tempDir())).stdout.trim()).toBe(pkg.version);
    const help = await runCli(['--help'], tempDir());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--client');
    const serveHelp = await runCli(['serve', '--help'], tempDir());
    expect(serveHelp.stdout).toContain('--db PATH');
  });

  it('says clearly when the database is not a relay database, exit 1', async () => {
    const home = tempDir();
    const file = path.join(home, 'notes.txt');
    fs.writeFileSync(file, 'not a database at all\n'.repeat(100));
    const result = await runCli(['--client', 'code', '--db', file], home);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file} is not an SQLite database`);
    expect(fs.readFileSync(file, 'utf8')).toBe('not a database at all\n'.repeat(100));
  });
});

describe('process hygiene', () => {
  it('exits cleanly when stdin closes', async () => {
    const home = tempDir();
    const result = await runCli(['--client', 'code'], home, {}, `${initialize}\n`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.split('\n')[0]!)).toMatchObject({
      id: 0,
      result: { serverInfo: { name: 'relay' } },
    });
  });

  it('exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const raw = spawnRaw(['--client', 'code'], tempDir());
      raw.send(`${initialize}\n`);
      await raw.next();
      raw.child.kill(signal);
      expect(await raw.exited).toBe(0);
    }
  });

  it('writes stdout only as protocol, and --debug logs to ~/.relay_debug.log (0600, appended)', async () => {
    const home = tempDir();
    const log = path.join(home, '.relay_debug.log');
    fs.writeFileSync(log, 'earlier line\n', { mode: 0o644 });
    const first = await runCli(['--client', 'code', '--debug'], home, {}, `${initialize}\n`);
    for (const line of first.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    const text = fs.readFileSync(log, 'utf8');
    expect(text.startsWith('earlier line\n')).toBe(true);
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] relay debug: relay .* serving as code/m);
    expect(fs.statSync(log).mode & 0o777).toBe(0o600);
  });
});
