// Idle and orphaned relays: a relay whose client went away (stdin closed) or whose parent died (SIGKILL, stdin
// still open through the grandparent) exits by itself and leaves no lock on the buffer. Exit times are asserted
// with a generous deadline only; the 2 s figure is measured by `npm run bench` (stdin-exit, orphan-exit).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { canWriteNow, fifo, killIfAlive, waitGone } from '../helpers/process.js';
import { cliPath, initialize, spawnRaw, testEnv } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

const send = (id: number, message: string) =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'relay_send', arguments: { message } } })}\n`;

describe('a relay whose client is gone', () => {
  it('exits when its stdin closes, with code 0, and leaves the buffer unlocked', async () => {
    const home = tempDir();
    const raw = spawnRaw(['--client', 'code'], home);
    raw.send(`${initialize}\n`);
    await raw.next();
    raw.send(send(1, 'before the client left'));
    expect(await raw.next()).toMatchObject({ id: 1, result: { structuredContent: { ok: true } } });
    raw.child.stdin.end();
    expect(await raw.exited).toBe(0);
    expect(canWriteNow(path.join(home, '.relay_buffer.db'))).toBe(true);
  });

  it('exits when its parent is SIGKILLed even though stdin stays open, and leaves the buffer unlocked', async () => {
    const home = tempDir();
    const stdin = fifo(path.join(home, 'stdin'));
    // The intermediate parent (like `npx`) starts relay with inherited stdio and reports its pid.
    const script = `const c = require('node:child_process').spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
      process.stderr.write('RELAY_PID ' + c.pid + '\\n'); setInterval(() => {}, 1 << 30);`;
    const parent = spawn(process.execPath, ['-e', script, cliPath, '--client', 'code'], {
      env: testEnv(home),
      stdio: [stdin.readFd, 'pipe', 'pipe'],
    });
    let relayPid: number | undefined;
    onTestFinished(() => {
      parent.kill('SIGKILL');
      killIfAlive(relayPid);
      stdin.close();
    });
    let stderr = '';
    const pidSeen = new Promise<number>((resolve) =>
      parent.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /RELAY_PID (\d+)\n/.exec(stderr);
        if (match) resolve(Number(match[1]));
      }),
    );
    let stdout = '';
    const answered = (id: number) =>
      new Promise<void>((resolve) =>
        parent.stdout!.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes(`"id":${id}`)) resolve();
        }),
      );
    relayPid = await pidSeen;
    const sent = answered(1);
    // The relay reads this pipe; we keep its write end open throughout, as a live client would.
    fs.writeSync(stdin.writeFd, `${initialize}\n${send(1, 'from an orphan-to-be')}`);
    await sent;
    expect(stdout).toContain('"ok":true');

    parent.kill('SIGKILL');
    await waitGone(relayPid);
    expect(canWriteNow(path.join(home, '.relay_buffer.db'))).toBe(true);
  });
});
