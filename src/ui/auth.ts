// Who may use the page: the person who holds the link `mcp-relay ui` printed. The link's secret is good once; it
// becomes a random session id in an HttpOnly, SameSite=Strict cookie, and each cookie session has its own CSRF token
// that every state-changing request must echo in a header. Secrets are compared in constant time and never logged.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a state-changing request carries the page's CSRF token in. */
export const CSRF_HEADER = 'x-relay-csrf';

export interface UiSession {
  /** Embedded in the page; echoed in CSRF_HEADER. */
  csrf: string;
}

export interface Auth {
  /** The cookie's name: per port, so two `ui` servers on one machine do not overwrite each other's. */
  readonly cookieName: string;
  /** A new one-time link secret; the previous unused one stops working. */
  newLinkSecret(): string;
  /** Trades the link's secret for a new cookie session; undefined when the secret is wrong or was used. */
  redeem(secret: string): { cookie: string; session: UiSession } | undefined;
  /** The session a request's cookie names, if any. */
  session(req: IncomingMessage): UiSession | undefined;
  /** Whether the request carries the session's CSRF token. */
  csrfValid(req: IncomingMessage, session: UiSession): boolean;
}

const token = () => crypto.randomBytes(32).toString('base64url');

/** Equal in constant time (over digests, so lengths leak nothing). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}

export function createAuth(port: number): Auth {
  const cookieName = `relay_ui_${port}`;
  let linkSecret: string | undefined;
  /** Cookie session id -> session. */
  const sessions = new Map<string, UiSession>();
  return {
    cookieName,
    newLinkSecret() {
      linkSecret = token();
      return linkSecret;
    },
    redeem(secret) {
      if (linkSecret === undefined || !sameSecret(secret, linkSecret)) return undefined;
      linkSecret = undefined;
      const id = token();
      const session = { csrf: token() };
      sessions.set(id, session);
      // No Max-Age: the cookie lives as long as the browser session; `mcp-relay ui` prints a new link on request.
      return { cookie: `${cookieName}=${id}; HttpOnly; SameSite=Strict; Path=/`, session };
    },
    session(req) {
      const id = cookieValue(req.headers.cookie, cookieName);
      if (id === undefined) return undefined;
      // Constant-time lookup: compare against each live id rather than hashing into the map with the raw value.
      for (const [known, session] of sessions) if (sameSecret(id, known)) return session;
      return undefined;
    },
    csrfValid(req, session) {
      const sent = req.headers[CSRF_HEADER];
      return typeof sent === 'string' && sameSecret(sent, session.csrf);
    },
  };
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
