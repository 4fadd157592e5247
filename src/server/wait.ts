// Waiting for mail without polling: run an attempt now and again after each "store changed" event, until it yields
// something, the time is up, or the caller gives up. Used by relay_fetch's wait_seconds and `mcp-relay watch`.
// An attempt marks what it returns read, so the wait never ends while one is in flight: a timeout or an abort waits
// for it and returns what it got (an aborted caller's attempt sees the signal and marks nothing).
import { coalescer } from '../lib/coalescer.js';
import type { Store } from '../store/store.js';

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Called every `tickMs` while waiting (progress notifications). */
  onTick?: ((elapsedMs: number) => void) | undefined;
  tickMs?: number;
}

/**
 * Resolves with the first non-empty result of `attempt`, or [] on timeout or abort when no attempt in flight brought
 * anything. Rejects if an attempt fails. `attempt` is given the caller's signal to pass on to the store.
 */
export function waitFor<T>(
  store: Store,
  attempt: (signal: AbortSignal | undefined) => Promise<T[]>,
  options: WaitOptions,
): Promise<T[]> {
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve([]);
  return new Promise<T[]>((resolve, reject) => {
    const started = Date.now();
    let settled = false;
    const settle = (error: unknown, value: T[]) => {
      if (settled) return;
      settled = true;
      stopListening();
      if (error !== undefined) reject(error);
      else resolve(value);
    };
    const attempts = coalescer(
      async () => {
        // Checked right before: an attempt marks mail read, which must not happen for a caller that has gone.
        if (signal?.aborted || settled) return;
        const got = await attempt(signal);
        if (got.length > 0) settle(undefined, got);
      },
      (error) => settle(error, []),
    );
    let listening = true;
    const stopListening = () => {
      if (!listening) return;
      listening = false;
      unsubscribe();
      clearTimeout(timer);
      if (ticker !== undefined) clearInterval(ticker);
      signal?.removeEventListener('abort', end);
      void attempts.stop();
    };
    /** Time is up or the caller is gone: no new attempt, but the one in flight is waited for and its result kept. */
    function end(): void {
      stopListening();
      void attempts.stop().then(() => settle(undefined, []));
    }
    const unsubscribe = store.onChange(() => attempts.run());
    signal?.addEventListener('abort', end, { once: true });
    const timer = setTimeout(end, options.timeoutMs);
    const ticker =
      options.onTick === undefined
        ? undefined
        : setInterval(() => options.onTick?.(Date.now() - started), options.tickMs ?? 5_000);
    // A message may have arrived between the caller's last look and the subscription.
    attempts.run();
  });
}
