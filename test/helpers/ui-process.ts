// `mcp-relay ui` as a person runs it: the built CLI with a temp HOME, its one-time link read from stdout, a new link
// per line written to its stdin, ended (SIGINT, then SIGKILL if it lingers) when the test finishes.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

import { onTestFinished } from 'vitest';

import { killIfAlive, waitGone } from './process.js';
import { cliPath, testEnv } from './spawn.js';

export interface UiProcess {
  /** The first link it printed. */
  link: string;
  origin: string;
  /** Asks for a new one-time link (Enter in its terminal). */
  newLink(): Promise<string>;
  stderr(): string;
  /** SIGINT, and the exit code. */
  stop(): Promise<number | null>;
}

export async function startUiProcess(
  home: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<UiProcess> {
  const child = spawn(process.execPath, [cliPath, 'ui', ...args], {
    env: testEnv(home, env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(async () => {
    child.kill('SIGINT');
    await waitGone(child.pid!, 5_000).catch(() => killIfAlive(child.pid));
  });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    wake?.();
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const take = () => {
        const line = lines.shift();
        if (line === undefined) return false;
        resolve(line);
        return true;
      };
      if (take()) return;
      wake = () => void take();
      void exited.then((code) => reject(new Error(`mcp-relay ui exited (${code}): ${stderr}`)));
    });
  const link = await nextLine();
  return {
    link,
    origin: new URL(link).origin,
    newLink: () => {
      child.stdin.write('\n');
      return nextLine();
    },
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}
