// Watching processes from the outside (Linux /proc) and giving a child a stdin that outlives its parent.
// Nothing here kills anything: the caller registers the cleanup (onTestFinished) for what it spawns.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { rawDb } from './drivers.js';

/** True while the pid runs; a zombie waiting for its reaper counts as gone. */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once the pid is gone; rejects after a generous deadline (the 2 s figure belongs in the bench). */
export async function waitGone(pid: number, deadlineMs = 10_000): Promise<void> {
  const start = Date.now();
  while (alive(pid)) {
    if (Date.now() - start > deadlineMs) throw new Error(`process ${pid} still running after ${deadlineMs} ms`);
    await sleep(20);
  }
}

export function killIfAlive(pid: number | undefined): void {
  if (pid === undefined || !alive(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/**
 * A named pipe: `readFd` to hand to a child as stdin, `writeFd` for us. Unlike a spawn() pipe, Node does not close
 * it when the child exits, so a grandchild that inherited it keeps an open stdin after its parent dies.
 */
export function fifo(file: string): { readFd: number; writeFd: number; close(): void } {
  execFileSync('mkfifo', ['-m', '600', file]);
  const readFd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writeFd = fs.openSync(file, fs.constants.O_WRONLY);
  let open = [readFd, writeFd];
  return {
    readFd,
    writeFd,
    close: () => {
      for (const fd of open) fs.closeSync(fd);
      open = [];
    },
  };
}

/** True if another writer can take the write lock at once (no busy wait): nothing was left locked. */
export function canWriteNow(file: string): boolean {
  const db = rawDb(file, { busyTimeoutMs: 0 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('COMMIT');
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}
