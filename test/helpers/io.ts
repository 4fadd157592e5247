// A CliIo for running a command in-process: captured stdout/stderr, a chosen environment, HOME and stdin.
import { PassThrough, Readable } from 'node:stream';

import type { CliIo } from '../../src/cli/io.js';

export interface FakeIo extends CliIo {
  out(): string;
  err(): string;
}

export interface FakeIoOptions {
  home: string;
  cwd?: string;
  env?: Record<string, string>;
  platform?: NodeJS.Platform;
  stdin?: string;
  isTTY?: boolean;
  now?: Date;
}

export function fakeIo(options: FakeIoOptions): FakeIo {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as Readable & {
    isTTY?: boolean;
  };
  if (options.isTTY === true) stdin.isTTY = true;
  return {
    stdout,
    stderr,
    stdin,
    // An empty PATH unless given: no real `claude`, notifier or anything else leaks in. USERPROFILE too: with
    // platform 'win32' the home is read from it, and without it a test would write into the real home directory.
    env: { HOME: options.home, USERPROFILE: options.home, PATH: '', ...options.env },
    cwd: options.cwd ?? options.home,
    platform: options.platform ?? 'linux',
    now: () => options.now ?? new Date('2026-11-25T09:30:00Z'),
    out: () => out,
    err: () => err,
  };
}
