// Runs one notifier or sound command: an argument array (never a shell), stdout and stdin closed (our stdout is the
// MCP protocol), bounded in time, and never throwing. The outcome says what happened; callers decide what to log.
import { type ChildProcess, spawn } from 'node:child_process';

/** A program to run: what the platform builders return, so they can be tested without running anything. */
export interface Command {
  file: string;
  args: string[];
  /** Added to the environment the notifier was created with (Windows passes the text this way). */
  env: Record<string, string>;
}

export type RunOutcome =
  { status: 'ok' } | { status: 'missing' } | { status: 'failed'; detail: string } | { status: 'timeout' };

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

const MAX_STDERR_CHARS = 500;

export function runCommand(command: Command, options: RunOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    // The real OS decides how to kill, whatever platform the notifier was built for (tests force one).
    const posix = process.platform !== 'win32';
    let child: ChildProcess;
    try {
      child = spawn(command.file, command.args, {
        env: { ...options.env, ...command.env },
        stdio: ['ignore', 'ignore', 'pipe'],
        // Its own process group on POSIX, so a timeout kills whatever it started too.
        detached: posix,
        windowsHide: true,
        shell: false,
      });
    } catch (error) {
      resolve({ status: 'failed', detail: error instanceof Error ? error.message : String(error) });
      return;
    }

    let settled = false;
    let stderr = '';
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stderr?.destroy();
      resolve(outcome);
    };
    const failure = (): RunOutcome => {
      const how = exit?.signal != null ? `was killed by ${exit.signal}` : `exited with code ${exit?.code ?? '?'}`;
      const said = stderr.trim().split('\n')[0]?.trim();
      return { status: 'failed', detail: said ? `${how}: ${said}` : how };
    };
    const timer = setTimeout(() => {
      kill(child, posix);
      finish(exit === undefined ? { status: 'timeout' } : failure());
    }, options.timeoutMs);

    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.slice(0, MAX_STDERR_CHARS - stderr.length);
    });
    child.stderr?.on('error', () => {});
    child.once('error', (error: NodeJS.ErrnoException) => {
      finish(error.code === 'ENOENT' ? { status: 'missing' } : { status: 'failed', detail: error.message });
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      if (code === 0) finish({ status: 'ok' });
    });
    // For a failure, wait until stderr is drained so the log can say why (the timer still bounds this).
    child.once('close', () => {
      if (exit !== undefined) finish(exit.code === 0 ? { status: 'ok' } : failure());
    });
  });
}

function kill(child: ChildProcess, posix: boolean): void {
  try {
    if (posix && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
