// How a stdio process lives: until its client goes away (stdin ends, or the parent dies and the process is
// re-parented: a parent killed with SIGKILL may leave stdin open through a grandchild) or SIGINT/SIGTERM. Then
// `shutdown` runs once and the log is closed. Shared by `serve` and `connect`; the caller's `start` may end the
// life early through the `stop` it is given.
import type { Logger } from '../lib/log.js';

export function untilClientGone(
  log: Logger,
  shutdown: (why: string) => Promise<unknown>,
  start: (stop: (why: string) => void) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const parent = process.ppid;
    const stop = (why: string) => {
      if (done) return;
      done = true;
      log.debug(`shutting down: ${why}`);
      clearInterval(orphanCheck);
      void shutdown(why)
        .catch(() => {})
        .finally(() => {
          log.close();
          resolve();
        });
    };
    const orphanCheck = setInterval(() => {
      if (process.ppid !== parent) stop('parent process exited');
    }, 1_000);
    orphanCheck.unref();
    process.stdin.once('end', () => stop('stdin closed'));
    process.stdin.once('close', () => stop('stdin closed'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    start(stop);
  });
}
