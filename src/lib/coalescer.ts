// The one "run now, or once more when the current run ends" state machine: whatever reacts to change events
// (a waiting fetch, push, arrival notices, the session heartbeat, `watch`) runs its task through it, so events that
// arrive during a run collapse into a single follow-up run and no two runs ever overlap. It never throws.

export interface Coalescer {
  /** Starts a run now, or, while one is in progress, asks for one more when it ends. Ignored once stopped. */
  run(): void;
  /** Resolves when nothing is running and no follow-up is due (at once when idle). */
  idle(): Promise<void>;
  /** No run starts after this (a due follow-up is dropped); resolves when the run in progress has ended. */
  stop(): Promise<void>;
  readonly stopped: boolean;
}

/** `onError` receives whatever a run threw or rejected with; the next run still happens. */
export function coalescer(task: () => Promise<void>, onError: (error: unknown) => void): Coalescer {
  let current: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const start = (): void => {
    again = false;
    let release!: () => void;
    // Set before the task starts: a task that triggers run() synchronously asks for a follow-up, not a second run.
    current = new Promise<void>((resolve) => (release = resolve));
    void (async () => {
      try {
        await task();
      } catch (error) {
        onError(error);
      }
      const follow = again && !stopped;
      if (follow) start();
      else current = undefined;
      release();
    })();
  };

  const settled = async (): Promise<void> => {
    // A follow-up replaces `current` before the awaited one resolves, so this also waits for it.
    while (current !== undefined) await current;
  };

  return {
    run() {
      if (stopped) return;
      if (current !== undefined) again = true;
      else start();
    },
    idle: settled,
    stop() {
      stopped = true;
      again = false;
      return settled();
    },
    get stopped() {
      return stopped;
    },
  };
}
