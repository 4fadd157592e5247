// 16.6: every command lets its output drain before it exits. `mcp-relay fetch` marks what it prints as read, so
// output cut at the pipe's 64 KiB, or lost to a reader that went away, would lose messages: the first must not
// happen, the second is said on stderr with the ids it concerns.
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';

import { describe, expect, it, onTestFinished } from 'vitest';

import { flushed } from '../src/cli/flush.js';
import { cliPath, runCli, testEnv } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';

const big = (i: number) => `${i}`.padEnd(60_000, 'x');

async function sendFour(home: string): Promise<void> {
  for (let i = 1; i <= 4; i++) expect((await runCli(['send', '--as', 'desktop', big(i)], home)).code).toBe(0);
}

describe('output through a pipe', () => {
  it('four 60 KB messages through `fetch --json | cat` arrive whole, and what was printed is what was marked', async () => {
    const home = tempDir();
    await sendFour(home);
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn('sh', ['-c', `"$0" "$1" fetch --json --limit 4 | cat`, process.execPath, cliPath], {
        env: testEnv(home),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      onTestFinished(() => void child.kill('SIGKILL'));
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(0);
    const parsed = JSON.parse(out.stdout) as { messages: { message: string }[] };
    expect(parsed.messages.map((m) => m.message)).toEqual([1, 2, 3, 4].map(big));
    expect(JSON.parse((await runCli(['fetch', '--json'], home)).stdout)).toEqual({ ok: true, messages: [] });
  });

  it('says which messages were marked read when the reader goes away early, without a stack', async () => {
    const home = tempDir();
    await sendFour(home);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cliPath, 'fetch', '--limit', '4'], {
        env: testEnv(home),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      onTestFinished(() => void child.kill('SIGKILL'));
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      // `| head -c 100`: read a little, then close the pipe.
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'mcp-relay: the output was cut off (its reader went away), but #1, #2, #3, #4 are marked read now: ' +
        '`mcp-relay search WORDS` finds them again.\n',
    );
  });

  it('a command whose reader goes away ends quietly (fetch --peek | head -c 1): nothing was marked, nothing to say', async () => {
    const home = tempDir();
    await sendFour(home);
    const stderr = await new Promise<string>((resolve) => {
      const child = spawn(
        'sh',
        ['-c', `"$0" "$1" fetch --peek --limit 4 | head -c 1 >/dev/null`, process.execPath, cliPath],
        {
          env: testEnv(home),
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      onTestFinished(() => void child.kill('SIGKILL'));
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', () => resolve(err));
    });
    expect(stderr).toBe('');
  });

  it('knows why a stream failed even when it failed before anyone asked (the reader went away at once)', async () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const stream = new Writable({ write: (_chunk, _encoding, done) => done(epipe) });
    stream.on('error', () => {});
    stream.write('x');
    await new Promise((resolve) => stream.once('close', resolve));
    expect(await flushed(stream)).toBe(epipe);
    const fine = new Writable({ write: (_chunk, _encoding, done) => done() });
    fine.write('x');
    expect(await flushed(fine)).toBeUndefined();
  });
});
