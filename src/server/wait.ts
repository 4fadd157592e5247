// Waiting for mail without polling: run an attempt now and again after each "store changed" event, until it yields
// something, the time is up, or the caller gives up. Used by relay_fetch's wait_seconds and `mcp-relay watch`.
import type { Store } from '../store/store.js';

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Called every `tickMs` while waiting (progress notifications). */
  onTick?: ((elapsedMs: number) => void) | undefined;
  tickMs?: number;
}

/** Resolves with the first non-empty result of `attempt`, or [] on timeout or abort. Rejects if an attempt fails. */
export function waitFor<T>(store: Store, attempt: () => Promise<T[]>, options: WaitOptions): Promise<T[]> {
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve([]);
  return new Promise<T[]>((resolve, reject) => {
    const started = Date.now();
    let running = false;
    let again = false;
    let done = false;
    const finish = (error: unknown, value: T[]) => {
      if (done) return;
      done = true;
      unsubscribe();
      clearTimeout(timer);
      if (ticker !== undefined) clearInterval(ticker);
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) reject(error);
      else resolve(value);
    };
    const run = () => {
      if (done) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      // Checked right before: an attempt marks mail read, which must not happen for a caller that has gone.
      if (signal?.aborted) return finish(undefined, []);
      attempt().then(
        (got) => {
          running = false;
          if (got.length > 0) finish(undefined, got);
          else if (again) {
            again = false;
            run();
          }
        },
        (error: unknown) => finish(error, []),
      );
    };
    const onAbort = () => finish(undefined, []);
    const unsubscribe = store.onChange(run);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(undefined, []), options.timeoutMs);
    const ticker =
      options.onTick === undefined
        ? undefined
        : setInterval(() => options.onTick?.(Date.now() - started), options.tickMs ?? 5_000);
    // A message may have arrived between the caller's last look and the subscription.
    run();
  });
}
