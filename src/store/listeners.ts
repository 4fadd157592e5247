// The listeners of a store's change events, one set for every backend's watcher: subscribing the first starts the
// watch and unsubscribing the last stops it; each call is isolated (a listener that throws is reported, the rest
// still run); `emitSoon` folds a burst into one call per listener on the next turn of the event loop.

export interface ListenerHooks {
  /** The first listener arrived: start watching. */
  start(): void;
  /** The last listener left: stop watching. */
  stop(): void;
  /** A listener threw. */
  onError?: ((error: Error) => void) | undefined;
}

export class Listeners {
  private readonly set = new Set<() => void>();
  private queued = false;
  private closed = false;

  constructor(private readonly hooks: ListenerHooks) {}

  get size(): number {
    return this.set.size;
  }

  /** Adds a listener; returns its unsubscribe function (calling it twice does nothing). */
  add(listener: () => void): () => void {
    if (this.closed) return () => {};
    this.set.add(listener);
    if (this.set.size === 1) this.hooks.start();
    return () => {
      if (!this.set.delete(listener)) return;
      if (this.set.size === 0) this.hooks.stop();
    };
  }

  /** Calls every listener now. */
  emit(): void {
    for (const listener of [...this.set]) {
      try {
        listener();
      } catch (error) {
        this.hooks.onError?.(error as Error);
      }
    }
  }

  /**
   * Calls every listener once on the next turn of the event loop, however many times this is called before then:
   * a listener that writes cannot spin without letting timers and I/O run.
   */
  emitSoon(): void {
    if (this.set.size === 0 || this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.emit();
    });
  }

  /** Drops every listener without calling `stop` (the watcher is closing itself); later adds are ignored. */
  close(): void {
    this.closed = true;
    this.set.clear();
  }
}
