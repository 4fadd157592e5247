// The human CLI (send, fetch, status, clear, watch, preview) as built, against a temp HOME, crossing over with MCP
// clients on the same database: what a person types and what a Claude sees must agree.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { run as clearRun } from '../src/cli/clear.js';
import { previewText } from '../src/cli/preview.js';
import { which } from '../src/lib/which.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { fakeIo } from './helpers/io.js';
import { body } from './helpers/server.js';
import { cliPath, runCli, spawnClient, testEnv } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

type Messages = {
  ok: boolean;
  messages: { id: number; sender: string; message: string; read_by_code_at: string | null }[];
};

describe('send and fetch cross over with MCP clients', () => {
  it('a message sent from the CLI is fetched by Claude Code through MCP', async () => {
    const home = tempDir();
    const sent = await runCli(['send', '--as', 'desktop', 'Plan:', 'refactor', 'the', 'parser'], home);
    expect(sent).toMatchObject({ code: 0, stderr: '' });
    expect(sent.stdout).toBe("Sent #1 (25 bytes) to Code's shared mailbox (the next Code session to fetch gets it).\n");
    const code = await spawnClient(['--client', 'code'], home);
    const got = body((await code.client.callTool({ name: 'relay_fetch', arguments: {} })) as never) as Messages;
    expect(got.messages.map((m) => [m.sender, m.message])).toEqual([['desktop', 'Plan: refactor the parser']]);
  });

  it('a message Claude Desktop sends is read from the CLI, marked read, and --peek marks nothing', async () => {
    const home = tempDir();
    const desktop = await spawnClient(['--client', 'desktop'], home);
    await desktop.client.callTool({ name: 'relay_send', arguments: { message: 'first' } });
    await desktop.client.callTool({ name: 'relay_send', arguments: { message: 'second\n\x1b[31mred\x1b[0m' } });
    const peek = JSON.parse((await runCli(['fetch', '--peek', '--json'], home)).stdout) as Messages;
    expect(peek.messages.map((m) => m.message)).toEqual(['first', 'second\n\x1b[31mred\x1b[0m']);
    expect(peek.messages[0]!.read_by_code_at).toBeNull();
    const human = await runCli(['fetch', '--limit', '1'], home);
    expect(human.stdout).toMatch(/^#1 from Desktop, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\n {2}first\n$/);
    const rest = await runCli(['fetch', '--for', 'code'], home);
    // Terminal escapes in a message are shown, not obeyed.
    expect(rest.stdout).toContain('  second\n  \\u001b[31mred\\u001b[0m');
    expect((await runCli(['fetch'], home)).stdout).toMatch(/^No unread messages for \S+ \(Code\)\.\n$/);
    expect(JSON.parse((await runCli(['fetch', '--json'], home)).stdout)).toEqual({ ok: true, messages: [] });
  });

  it('pipes stdin unchanged (make 2>&1 | mcp-relay send --as code)', async () => {
    const home = tempDir();
    const log =
      'gcc -c parser.c\nparser.c:47:12: error: expected ‘;’ before ‘}’ token\n\tmake: *** [parser.o] Error 1\n';
    const sent = await runCli(['send', '--as', 'code', '--json'], home, {}, log);
    expect(JSON.parse(sent.stdout)).toEqual({ ok: true, id: 1, recipients: ['desktop (next to fetch)'] });
    const desktop = await spawnClient(['--client', 'desktop'], home);
    const got = body((await desktop.client.callTool({ name: 'relay_fetch', arguments: {} })) as never) as Messages;
    expect(got.messages[0]!.message).toBe(log);
  });

  it('sends a file with --file and refuses what the tools refuse, with exit code 1', async () => {
    const home = tempDir();
    const file = path.join(home, 'notes.md');
    fs.writeFileSync(file, '# Notes\nline two\n');
    expect((await runCli(['send', '--file', file], home)).code).toBe(0);
    fs.writeFileSync(path.join(home, 'big.log'), 'x'.repeat(70_000));
    const big = await runCli(['send', '--file', path.join(home, 'big.log')], home);
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('is 70,000 bytes; the limit is 65,536');
    const piped = await runCli(['send'], home, {}, 'y'.repeat(100_000));
    expect(piped.code).toBe(1);
    expect(piped.stderr).toContain('The input is 100,000 bytes; the limit is 65,536. Pipe it through `tail -c 60000`');
    expect((await runCli(['send'], home, {}, '')).stderr).toContain('Nothing to send');
    expect((await runCli(['send', '   '], home)).stderr).toContain('Nothing to send: the message is empty');
    fs.writeFileSync(path.join(home, 'image.bin'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    expect((await runCli(['send', '--file', path.join(home, 'image.bin')], home)).stderr).toContain(
      'is not UTF-8 text',
    );
    const peek = JSON.parse((await runCli(['fetch', '--for', 'desktop', '--peek', '--json'], home)).stdout) as Messages;
    expect(peek.messages.map((m) => m.message)).toEqual(['# Notes\nline two\n']);
  });

  it('answers bad flags with exit code 2 and a line naming the flag', async () => {
    const home = tempDir();
    const as = await runCli(['send', 'hi', '--as', 'Claude Code'], home);
    expect(as.code).toBe(2);
    expect(as.stderr.split('\n')[0]).toBe(
      "mcp-relay: --as must be desktop, code, or another client's lower-case name such as cursor (got 'Claude Code')",
    );
    expect((await runCli(['fetch', '--limit', 'lots'], home)).code).toBe(2);
    expect((await runCli(['status', '--verbose'], home)).code).toBe(2);
    expect(fs.existsSync(path.join(home, '.relay_buffer.db'))).toBe(false);
  });

  it('has --help for every command', async () => {
    const home = tempDir();
    for (const command of [
      'setup',
      'send',
      'fetch',
      'status',
      'sessions',
      'search',
      'clear',
      'watch',
      'preview',
      'doctor',
    ]) {
      const help = await runCli([command, '--help'], home);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^Usage: mcp-relay ${command}`));
    }
  });
});

describe('status', () => {
  it('reports totals, unread per side, last activity, path and size; --json for scripts', async () => {
    const home = tempDir();
    const db = path.join(home, '.relay_buffer.db');
    const none = JSON.parse((await runCli(['status', '--json'], home)).stdout);
    expect(none).toEqual({
      ok: true,
      database: db,
      total: 0,
      unread: { desktop: 0, code: 0 },
      lastActivity: null,
      exists: false,
      bytes: 0,
      sessions: [],
    });
    expect(fs.existsSync(db)).toBe(false);
    await runCli(['send', '--as', 'desktop', 'a'], home);
    await runCli(['send', '--as', 'desktop', 'b'], home);
    await runCli(['send', '--as', 'code', 'c'], home);
    const json = JSON.parse((await runCli(['status', '--json'], home)).stdout);
    expect(json).toMatchObject({ ok: true, database: db, total: 3, unread: { desktop: 1, code: 2 }, exists: true });
    expect(json.bytes).toBeGreaterThan(0);
    expect(json.lastActivity).toMatch(/^\d{4}-\d\d-\d\dT/);
    const human = (await runCli(['status'], home)).stdout.split('\n');
    expect(human[0]).toBe('3 messages in the relay; unread: 1 for Desktop, 2 for Code');
    expect(human[2]).toMatch(new RegExp(`^database: ${db} \\(\\d+\\.\\d KiB\\)$`));
  });
});

describe('clear', () => {
  it('refuses without a terminal and without --yes; clears with --yes', async () => {
    const home = tempDir();
    await runCli(['send', 'keep me'], home);
    const refused = await runCli(['clear'], home);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Refusing to clear without a terminal to ask on: add --yes');
    expect(JSON.parse((await runCli(['status', '--json'], home)).stdout).total).toBe(1);
    expect(JSON.parse((await runCli(['clear', '--yes', '--json'], home)).stdout)).toEqual({ ok: true, deleted: 1 });
  });

  it('asks on a terminal and does what the answer says', async () => {
    const home = tempDir();
    const db = path.join(home, 'relay.db');
    const store = openSqliteStore(db);
    await store.send({ sender: 'code', message: 'x' });
    await store.close();
    const no = fakeIo({ home, isTTY: true, stdin: 'n\n' });
    await expect(clearRun(['--db', db], no)).rejects.toThrow('Nothing was deleted.');
    expect(no.err()).toBe(`Delete all 1 messages in ${db}? [y/N] `);
    const yes = fakeIo({ home, isTTY: true, stdin: 'y\n' });
    await clearRun(['--db', db], yes);
    expect(yes.out()).toBe('Deleted 1 message.\n');
  });

  it.skipIf(which('script') === null)('asks on a real pseudo-terminal (util-linux script)', async () => {
    const home = tempDir();
    await runCli(['send', 'x'], home);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qec', `${process.execPath} ${cliPath} clear`, '/dev/null'], {
        env: testEnv(home),
      });
      onTestFinished(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      let out = '';
      let answered = false;
      // The answer goes once; a child that has already exited must not make the write fail the run (EPIPE).
      child.stdin.on('error', () => {});
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (!answered && out.includes('[y/N]')) {
          answered = true;
          child.stdin.write('y\n');
        }
      });
      child.on('exit', () => resolve(out));
      setTimeout(() => reject(new Error(`no answer: ${out}`)), 15_000).unref();
    });
    expect(output).toContain('Delete all 1 messages in');
    expect(output).toContain('Deleted 1 message.');
  });
});

describe('watch', () => {
  it('prints a message another process sends, and stops on SIGINT', async () => {
    const home = tempDir();
    await runCli(['send', 'old news'], home);
    const child = spawn(process.execPath, [cliPath, 'watch', '--json'], { env: testEnv(home) });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const until = (check: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const tick = setInterval(() => {
          if (check()) {
            clearInterval(tick);
            resolve();
          } else if (Date.now() - started > 15_000) {
            clearInterval(tick);
            reject(new Error(`no ${what}; stdout: ${out}; stderr: ${err}`));
          }
        }, 50);
      });
    await until(() => err.includes('Watching'), 'start');
    await runCli(['send', '--as', 'desktop', 'fresh from desktop'], home);
    await until(() => out.includes('\n'), 'message');
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { message: string; sender: string });
    expect(lines).toEqual([expect.objectContaining({ sender: 'desktop', message: 'fresh from desktop' })]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // Watching marks nothing read.
    expect(JSON.parse((await runCli(['status', '--json'], home)).stdout).unread.code).toBe(1);
  });
});

describe('preview (the SessionStart hook)', () => {
  it('prints nothing, creates nothing and exits 0 when there is no database', async () => {
    const home = tempDir();
    expect(await runCli(['preview', '--for', 'code'], home)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it('prints nothing when nothing is unread, and nothing loud for a broken database', async () => {
    const home = tempDir();
    await runCli(['send', '--as', 'code', 'to desktop'], home);
    expect(await runCli(['preview', '--for', 'code'], home)).toEqual({ code: 0, stdout: '', stderr: '' });
    fs.writeFileSync(path.join(home, 'garbage.db'), 'not sqlite at all'.repeat(100));
    expect(await runCli(['preview', '--db', path.join(home, 'garbage.db')], home)).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('shows how many wait for a session starting here and the first 3, within 400 bytes, marking nothing read', async () => {
    const home = tempDir();
    await runCli(['send', '--as', 'desktop', 'Please fix parser.py:\nline 47, the regex'], home);
    await runCli(['send', '--as', 'code', 'from code to desktop'], home);
    for (let i = 2; i <= 4; i++) await runCli(['send', '--as', 'desktop', `message ${i} ${'é'.repeat(300)}`], home);
    // Addressed to the kind itself: the shared mailbox the next Code session takes.
    await runCli(['send', '--as', 'desktop', '--to', 'code', 'shared'], home);
    const preview = await runCli(['preview', '--for', 'code'], home);
    expect(preview.code).toBe(0);
    expect(Buffer.byteLength(preview.stdout)).toBeLessThanOrEqual(400);
    const lines = preview.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('relay: 5 unread messages for this Code session (run /get to read them), the first 3:');
    expect(lines[1]).toBe('1. from Desktop: "Please fix parser.py: line 47, the regex"');
    expect(lines[2]).toMatch(/^2\. from Desktop: "message 2 é+…"$/);
    const peek = JSON.parse((await runCli(['fetch', '--peek', '--json', '--limit', '20'], home)).stdout) as Messages;
    expect(peek.messages).toHaveLength(5);
  });

  it('keeps every preview within 400 bytes, however long or many the messages', () => {
    const message = (i: number) => ({ from: 'desktop', sender: 'desktop', message: `${i}${'漢字'.repeat(500)}` });
    for (const count of [1, 3, 20]) {
      const text = previewText(
        'code',
        Array.from({ length: count }, (_, i) => message(i)),
      );
      expect(Buffer.byteLength(`${text}\n`)).toBeLessThanOrEqual(400);
      expect(text.startsWith(`relay: ${count === 20 ? '20 or more' : count} unread message`)).toBe(true);
      expect(text.split('\n').length).toBeGreaterThan(1);
    }
    expect(previewText('desktop', [])).toBe('');
    expect(previewText('desktop', [{ from: 'api', sender: 'code', message: 'hi' }])).toBe(
      'relay: 1 unread message for this Desktop session (say "get" to read them):\n1. from api (Code): "hi"',
    );
    // relay's Claude Code plugin names its namespaced command (--command /relay:get).
    expect(previewText('code', [{ from: 'desktop', sender: 'desktop', message: 'hi' }], '/relay:get')).toContain(
      '(run /relay:get to read them)',
    );
  });
});
