// `mcp-relay ui` as a command: the link it prints (one per Enter, each good once), --open, the person's session on
// the bus while it runs (ended when it stops), its flags and their errors. In-process with a fake terminal.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { describe, expect, it, onTestFinished } from 'vitest';

import { UsageError, UserError } from '../src/cli/errors.js';
import { run } from '../src/cli/ui.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { fakeIo } from './helpers/io.js';
import { runCli } from './helpers/spawn.js';
import { tempDir } from './helpers/temp.js';
import { request } from './helpers/ui.js';

function terminal() {
  const home = tempDir();
  const db = path.join(home, 'relay.db');
  const io = fakeIo({ home });
  const stdin = new PassThrough();
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  io.stdout.on('data', (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    wake?.();
  });
  const nextLink = async (): Promise<string> => {
    while (lines.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return lines.shift()!;
  };
  return { home, db, io: { ...io, stdin }, stdin, nextLink };
}

describe('mcp-relay ui', () => {
  it('prints a one-time link, a new one at each Enter, joins the bus as "user" while it runs, and stops cleanly', async () => {
    const { db, io, stdin, nextLink } = terminal();
    const controller = new AbortController();
    const opened: string[] = [];
    const running = run(['--db', db, '--open'], io, {
      signal: controller.signal,
      openBrowser: (url, _platform, onError) => {
        opened.push(url);
        onError(new Error('spawn xdg-open ENOENT'));
      },
    });
    onTestFinished(() => controller.abort());
    const link = await nextLink();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?s=[A-Za-z0-9_-]{43}$/);
    expect(opened).toEqual([link]);
    expect(io.err()).toContain('could not open a browser (spawn xdg-open ENOENT); press Enter for a link');
    expect(io.err()).toContain('works once');
    const port = Number(new URL(link).port);

    const store = openSqliteStore(db);
    onTestFinished(() => store.close());
    expect((await store.directory()).sessions).toEqual([
      expect.objectContaining({ name: 'user', kind: 'user', live: true }),
    ]);

    stdin.write('\n');
    const second = await nextLink();
    expect(second).not.toBe(link);
    expect((await request(port, new URL(link).pathname + new URL(link).search)).status).toBe(403);
    expect((await request(port, new URL(second).pathname + new URL(second).search)).status).toBe(303);

    controller.abort();
    await running;
    expect((await store.directory()).sessions).toEqual([expect.objectContaining({ name: 'user', live: false })]);
    await expect(request(port, '/')).rejects.toThrow();
  });

  it('takes --name for the person’s session and refuses bad flags and a taken port with what to do', async () => {
    const { db, io, nextLink } = terminal();
    const controller = new AbortController();
    const running = run(['--db', db, '--name', 'mh'], io, { signal: controller.signal });
    onTestFinished(() => controller.abort());
    await nextLink();
    const store = openSqliteStore(db);
    onTestFinished(() => store.close());
    expect((await store.directory()).sessions.map((s) => s.name)).toEqual(['mh']);
    controller.abort();
    await running;

    await expect(run(['--db', db, '--port', 'x'], io)).rejects.toThrow(UsageError);
    await expect(run(['--db', db, '--name', '-bad'], io)).rejects.toThrow(UsageError);
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as AddressInfo).port;
    const refused = run(['--db', db, '--port', String(port)], io);
    await expect(refused).rejects.toThrow(UserError);
    await expect(refused).rejects.toThrow(`port ${port} on 127.0.0.1 is in use`);
  });

  it('is in the CLI: --help prints its usage', async () => {
    const home = tempDir();
    const help = await runCli(['ui', '--help'], home);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: mcp-relay ui [--port N] [--open]');
    expect((await runCli(['--help'], home)).stdout).toMatch(/\n {2}ui {14}a live web page/);
  });
});
