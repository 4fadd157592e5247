// Running a real client program (Claude Code, Codex, Gemini CLI) in a temp HOME, offline, the way a person would:
// both streams collected, killed with the test, and a timeout that fails loudly instead of hanging the suite.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { onTestFinished } from 'vitest';

/** A PATH with node and the system's basic tools, nothing of the developer's own set-up. */
export const basePath = (...first: string[]) =>
  [...first, path.dirname(process.execPath), '/usr/bin', '/bin'].join(':');

export function runProgram(
  command: string,
  args: string[],
  options: { home: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? options.home,
      env: { HOME: options.home, PATH: basePath(), NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in time: ${out}`));
    }, options.timeoutMs ?? 90_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}
