// The options every Store backend takes, and their defaults, in one place so the backends cannot drift. Each backend
// adds only what is its own (SQLite: the busy wait, the prune batch, the driver; PostgreSQL: the pool size).
import os from 'node:os';

import { LIMITS } from './store.js';

export interface StoreOptions {
  /** The clock for timestamps and liveness. Default: this machine's (PostgreSQL: corrected to the server's). */
  now?: () => Date;
  /** Read messages kept for history (default LIMITS.keepRead); Infinity keeps everything. */
  keepRead?: number;
  /** Unread messages one mailbox may hold (default LIMITS.maxUnread). */
  maxUnread?: number;
  /** This machine's name, for session liveness (default os.hostname()). */
  host?: string;
  /** Injected in tests: whether a process id is alive (default: the real check). */
  pidAlive?: (pid: number) => boolean;
  /** The change events' safety poll (SQLite: always; PostgreSQL: while LISTEN is down). Default 2 s. */
  pollMs?: number;
  /** Trouble in the background (the change watch, a dropped connection); the store carries on. */
  onError?: (error: Error) => void;
  /** A clock that only moves forward, in ms, for heartbeat ages (SQLite; default performance.now). Tests fake it. */
  elapsed?: () => number;
}

export interface StoreSettings {
  now: () => Date;
  keepRead: number;
  maxUnread: number;
  host: string;
  pidAlive: ((pid: number) => boolean) | undefined;
  pollMs: number;
  onError: ((error: Error) => void) | undefined;
  elapsed: () => number;
}

export const DEFAULT_POLL_MS = 2_000;

export function storeSettings(options: StoreOptions, now: () => Date = () => new Date()): StoreSettings {
  return {
    now: options.now ?? now,
    keepRead: options.keepRead ?? LIMITS.keepRead,
    maxUnread: options.maxUnread ?? LIMITS.maxUnread,
    host: options.host ?? os.hostname(),
    pidAlive: options.pidAlive,
    pollMs: options.pollMs ?? DEFAULT_POLL_MS,
    onError: options.onError,
    elapsed: options.elapsed ?? (() => performance.now()),
  };
}
