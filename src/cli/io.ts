// The outside world a CLI command sees: streams, environment, working directory, platform, clock. Commands take it
// as an argument so tests can run them in-process against a temp HOME; cli/index.ts passes the real process.
import os from 'node:os';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  platform: NodeJS.Platform;
  now(): Date;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    platform: process.platform,
    now: () => new Date(),
  };
}

/** The home directory as the given environment says (tests set HOME), else the OS's answer. */
export function homeOf(io: Pick<CliIo, 'env' | 'platform'>): string {
  const fromEnv = io.platform === 'win32' ? io.env.USERPROFILE : io.env.HOME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : os.homedir();
}

/** Writes text and a final newline to a stream. */
export function println(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
