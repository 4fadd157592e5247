// "The store changed": an event source for one SQLite connection, fed by other processes' commits and our own.
// A file-system event on the database's WAL says a writer touched it; SQLite's `PRAGMA data_version` says whether a
// commit by another connection is visible yet. The event can arrive before the commit is visible, so one event
// starts a short series of checks (backing off over ~130 ms) instead of a single one. A slow poll of
// data_version covers file systems without events. Nothing runs while nobody listens; every timer is unref'd.
import fs from 'node:fs';
import path from 'node:path';

import { Listeners } from '../listeners.js';

export interface ChangeWatcherOptions {
  /** The database file; its directory is watched for changes to `<file>-wal` (and the file itself). */
  file: string;
  /** Reads `PRAGMA data_version` on the store's connection. */
  dataVersion: () => number;
  /** Runs before each check (on every file event and poll), e.g. to notice the file was deleted or replaced. */
  beforeCheck?: () => void;
  /** The safety poll. */
  pollMs?: number;
  /** Delays between re-checks after one event, in ms. */
  retryDelays?: readonly number[];
  onError?: (error: Error) => void;
}

const DEFAULT_RETRIES = [0, 1, 2, 4, 8, 16, 32, 64] as const;

export class ChangeWatcher {
  private readonly listeners: Listeners;
  private readonly names: ReadonlySet<string>;
  private watcher: fs.FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private attempt = -1;
  private lastVersion = 0;

  constructor(private readonly options: ChangeWatcherOptions) {
    const base = path.basename(options.file);
    this.names = new Set([base, `${base}-wal`]);
    this.listeners = new Listeners({ start: () => this.start(), stop: () => this.stop(), onError: options.onError });
  }

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /**
   * Our own connection committed a change: data_version does not move for those, so say so directly. Coalesced, and
   * on the next turn of the event loop, so a listener that writes cannot spin without letting timers and I/O run.
   */
  changedHere(): void {
    this.listeners.emitSoon();
  }

  close(): void {
    this.listeners.close();
    this.stop();
  }

  private start(): void {
    this.lastVersion = this.safeVersion() ?? 0;
    try {
      this.watcher = fs.watch(path.dirname(this.options.file), { persistent: false }, (_event, filename) => {
        if (filename === null || this.names.has(filename.toString())) this.kick();
      });
      this.watcher.on('error', (error) => {
        // The directory went away or the watch broke: the poll still covers us.
        this.options.onError?.(error);
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (error) {
      this.options.onError?.(error as Error);
    }
    this.poll = setInterval(() => this.check(), this.options.pollMs ?? 2_000);
    this.poll.unref();
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poll !== undefined) clearInterval(this.poll);
    this.poll = undefined;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    this.attempt = -1;
  }

  /** A file event: check now, and (re)start the series of re-checks from its shortest delay. */
  private kick(): void {
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.attempt = 0;
    this.step();
  }

  private step(): void {
    this.retry = undefined;
    if (this.attempt < 0 || this.listeners.size === 0) return;
    if (this.check()) {
      this.attempt = -1;
      return;
    }
    const delays = this.options.retryDelays ?? DEFAULT_RETRIES;
    const delay = delays[this.attempt];
    this.attempt += 1;
    if (delay === undefined) {
      // Our own write, a checkpoint, or a reader: nothing new to see.
      this.attempt = -1;
      return;
    }
    this.retry = setTimeout(() => this.step(), delay);
    this.retry.unref();
  }

  /** True when another connection's commit became visible (and listeners were told). */
  private check(): boolean {
    this.options.beforeCheck?.();
    const version = this.safeVersion();
    if (version === undefined || version === this.lastVersion) return false;
    this.lastVersion = version;
    this.listeners.emit();
    return true;
  }

  private safeVersion(): number | undefined {
    try {
      return this.options.dataVersion();
    } catch (error) {
      // Closed or busy connection: try again at the next event or poll.
      this.options.onError?.(error as Error);
      return undefined;
    }
  }
}
