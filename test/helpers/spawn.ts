// Spawning the built CLI the way Claude does (stdio, temp HOME), and making sure every child dies with the test.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { onTestFinished } from 'vitest';

import { lineReader } from './lines.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(root, 'dist', 'cli.js');

/**
 * Programs that would reach the person's desktop (notifiers, sound players), as scripts that do nothing: first on
 * every spawned relay's PATH, so a `--client desktop` process (notifications on by default) never shows a real
 * notification. Tests about notices put their recording fakes (fakes.ts) first instead, through `extra.PATH`.
 */
export const quietNotifiers: string = (() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-quiet-notifiers-'));
  for (const name of ['notify-send', 'osascript', 'powershell.exe', 'paplay', 'pw-play', 'canberra-gtk-play']) {
    fs.writeFileSync(path.join(dir, name), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
})();

/** A minimal environment: the temp HOME, PATH (quiet notifiers first), and nothing of the developer's relay set-up. */
export function testEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: home, PATH: `${quietNotifiers}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`, ...extra };
}

export async function spawnClient(
  args: string[],
  home: string,
  extra: Record<string, string> = {},
  options: { cwd?: string; client?: Client; /** Another Node binary (see helpers/drivers.ts). */ node?: string } = {},
): Promise<StartedClient> {
  return startClient({
    command: options.node ?? process.execPath,
    args: [cliPath, ...args],
    env: testEnv(home, extra),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.client !== undefined ? { client: options.client } : {}),
  });
}

export interface StartedClient {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
}

/**
 * An SDK client connected over stdio to any command (a relay as a client config starts it), killed when the test
 * ends even if it failed; a server that does not start fails with what it wrote on stderr.
 */
export async function startClient(start: {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  client?: Client;
}): Promise<StartedClient> {
  const transport = new StdioClientTransport({
    command: start.command,
    args: start.args,
    env: start.env,
    stderr: 'pipe',
    ...(start.cwd !== undefined ? { cwd: start.cwd } : {}),
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = start.client ?? new Client({ name: 'e2e', version: '0' });
  onTestFinished(async () => {
    await client.close().catch(() => {});
    const pid = transport.pid;
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  await client.connect(transport).catch((error: unknown) => {
    throw new Error(`${start.command} ${start.args.join(' ')} did not start: ${String(error)}\n${stderr}`, {
      cause: error,
    });
  });
  return { client, transport, stderr: () => stderr };
}

export interface RawProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the next JSON line on stdout. */
  next(): Promise<Record<string, unknown>>;
  send(line: string | Buffer): void;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** The CLI with its stdio in our hands, for writing raw bytes at it. Killed when the test ends. */
export function spawnRaw(args: string[], home: string, extra: Record<string, string> = {}): RawProcess {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: testEnv(home, extra),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const stdout = lineReader(child.stdout);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    next: () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no output; stderr: ${stderr}`)), 10_000);
      });
      return Promise.race([stdout.next(), timeout])
        .then((line) => JSON.parse(line) as Record<string, unknown>)
        .finally(() => clearTimeout(timer));
    },
    send: (line) => {
      child.stdin.write(line);
    },
    exited,
    stderr: () => stderr,
  };
}

export const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

/** Runs the CLI to completion and returns its exit code and output. */
export function runCli(
  args: string[],
  home: string,
  extra: Record<string, string> = {},
  input?: string,
  options: { cwd?: string; /** Another Node binary (see helpers/drivers.ts). */ node?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [cliPath, ...args], {
      env: testEnv(home, extra),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-relay ${args.join(' ')} did not exit`));
    }, 20_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
