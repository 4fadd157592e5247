// The HTTP relay's open MCP sessions and their lifetimes. Clients often go away without DELETE (Claude Code over
// HTTP never sends one; a bridge killed with its Desktop cannot), so a session that no request or stream holds
// open is closed after a short idle time; at the cap the idlest one makes room rather than the newcomer being
// refused; and a client that asks for a name explicitly takes it back from an older session of this relay (its
// mail goes with the name, instead of waiting in a ghost's mailbox while the newcomer becomes `NAME-2`).
import type { ServerResponse } from 'node:http';

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

import type { Logger } from '../lib/log.js';
import type { Identity } from '../server/identity.js';
import type { RequestedIdentity } from './identity.js';

export interface HttpSessionInfo {
  id: string;
  identity: Identity;
  requested: RequestedIdentity;
  server: McpServer;
  /** Requests and streams in flight: a session with one open is never idle. */
  open: number;
}

export interface HttpSession extends HttpSessionInfo {
  transport: StreamableHTTPServerTransport;
  lastActive: number;
  /** Closes its transport and ends its store session; resolves once both are done. */
  end(): Promise<void>;
}

export interface SessionTableOptions {
  maxSessions: number;
  idleMs: number;
  log: Logger;
}

export interface SessionTable {
  readonly size: number;
  get(id: string): HttpSession | undefined;
  add(session: HttpSession): void;
  /** True if it was there. */
  remove(id: string): boolean;
  list(): HttpSession[];
  /** Counts `res` as open on the session until it closes; both ends count as activity. */
  track(session: HttpSession, res: ServerResponse): void;
  /**
   * Before a new session asking for `requested` opens: ends the older sessions holding its explicit name, and at
   * the cap the idlest session. False when the cap is reached and every session is busy.
   */
  makeRoom(requested: RequestedIdentity): Promise<boolean>;
  /** Ends the sessions idle since before `now - idleMs`; returns how many. */
  closeIdle(now: number): Promise<number>;
  /** Ends every session. */
  closeAll(): Promise<void>;
}

export function createSessionTable(options: SessionTableOptions): SessionTable {
  const { maxSessions, idleMs, log } = options;
  const sessions = new Map<string, HttpSession>();
  const idle = (s: HttpSession) => s.open === 0;

  return {
    get size() {
      return sessions.size;
    },
    get: (id) => sessions.get(id),
    add: (session) => void sessions.set(session.id, session),
    remove: (id) => sessions.delete(id),
    list: () => [...sessions.values()],
    track: (session, res) => {
      session.open++;
      session.lastActive = Date.now();
      res.once('close', () => {
        session.open--;
        session.lastActive = Date.now();
      });
    },
    makeRoom: async (requested) => {
      if (requested.kind !== null && requested.name !== null) {
        // Holding the name, or having asked for it (and got `NAME-2` beside a stdio process that holds NAME).
        const holders = [...sessions.values()].filter(
          (s) =>
            s.identity.kind === requested.kind &&
            (s.identity.name === requested.name || s.requested.name === requested.name),
        );
        for (const holder of holders) {
          log.info(`session ${holder.id} closed: a new session asked for its name "${requested.name}"`);
        }
        await Promise.all(holders.map((s) => s.end()));
      }
      if (sessions.size < maxSessions) return true;
      const idlest = [...sessions.values()].filter(idle).sort((a, b) => a.lastActive - b.lastActive)[0];
      if (idlest === undefined) return false;
      log.info(`session ${idlest.id} closed: the idlest of ${maxSessions} sessions, to make room for a new one`);
      await idlest.end();
      return true;
    },
    closeIdle: async (now) => {
      const stale = [...sessions.values()].filter((s) => idle(s) && s.lastActive < now - idleMs);
      for (const s of stale) log.info(`session ${s.id} closed: idle for ${Math.round((now - s.lastActive) / 1000)} s`);
      await Promise.all(stale.map((s) => s.end()));
      return stale.length;
    },
    closeAll: async () => {
      await Promise.all([...sessions.values()].map((s) => s.end()));
    },
  };
}
