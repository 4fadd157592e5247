// A relay process's session in the store: registered at start under its name (or the first free `<name>-N`), kept
// alive by a heartbeat, ended on exit. If the store declared it dead meanwhile (a laptop asleep past the TTL) and
// another process took the name, the heartbeat registers it again and the identity follows the new name.
import os from 'node:os';
import path from 'node:path';

import { coalescer } from '../lib/coalescer.js';
import type { Logger } from '../lib/log.js';
import { HEARTBEAT_MS, isKindName, nameFromDirectory } from '../store/routing.js';
import type { SessionInfo, SessionKey, Store } from '../store/store.js';
import type { Identity } from './identity.js';

export interface SessionOptions {
  kind: string;
  /** --name / RELAY_NAME; default: 'desktop' for Desktop, the working directory's name for Code, else the kind. */
  name?: string | undefined;
  /** null for a session whose client is elsewhere (HTTP): its directory is unknown here. */
  cwd: string | null;
  observe: boolean;
  log: Logger;
  heartbeatMs?: number;
}

export interface Session {
  /** Mutable: `name` follows a re-registration. */
  identity: Identity;
  close(): Promise<void>;
}

export function defaultSessionName(kind: string, cwd: string | null): string {
  return kind === 'code' && cwd !== null ? nameFromDirectory(path.basename(cwd), kind) : kind;
}

export async function openSession(store: Store, options: SessionOptions): Promise<Session> {
  const wanted = options.name ?? defaultSessionName(options.kind, options.cwd);
  const register = (): Promise<SessionInfo> =>
    store.registerSession({
      kind: options.kind,
      name: wanted,
      cwd: options.cwd,
      host: os.hostname(),
      pid: process.pid,
      observer: options.observe,
    });
  let info = await register();
  const identity: Identity = { kind: options.kind, name: info.name, observe: options.observe };
  const key = (): SessionKey => ({ name: info.name, host: info.host, pid: info.pid });
  if (info.name !== wanted) {
    const why = isKindName(wanted, options.kind) ? "is a client kind's name" : 'is taken by a live session';
    options.log.info(`session name "${wanted}" ${why}; using "${info.name}"`);
  }

  const beat = coalescer(
    async () => {
      if (await store.touchSession(key())) return;
      info = await register();
      identity.name = info.name;
      options.log.warn(`this session was taken for dead (asleep?); registered again as "${info.name}"`);
    },
    (error) => options.log.warn(`session heartbeat failed: ${String(error)}`),
  );
  const heartbeat = setInterval(() => beat.run(), options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  return {
    identity,
    close: async () => {
      clearInterval(heartbeat);
      // A heartbeat in flight could register the session again after it ended.
      await beat.stop();
      await store
        .endSession(key())
        .catch((error: unknown) => options.log.warn(`could not end session: ${String(error)}`));
    },
  };
}
