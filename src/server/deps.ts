// What every tool, resource and prompt is given: the store, who this session is, and a logger. Nothing global.
import type { Logger } from '../lib/log.js';
import type { Store } from '../store/store.js';
import type { FileAccess } from './attach-path.js';
import type { Identity } from './identity.js';

export interface RelayDeps {
  store: Store;
  identity: Identity;
  log: Logger;
  /**
   * Where attachments by path may be read from: inside `cwd` and the `allow` directories. null where the caller is
   * not on this machine (HTTP), so a remote client cannot read the relay host's files.
   */
  files?: FileAccess | null;
  /** relay/notices (server/notices.ts): for a client that shows arrival notices itself, on another machine (HTTP). */
  notices?: boolean;
  /** Claude Code channel push (--push): off unless given. */
  push?: { channel: boolean; perMinute: number };
}
