// The gate every HTTP request passes before it is routed: the Host/Origin allow-list (403, against DNS rebinding and
// browsers), then the bearer token when one is set (401). Answers a refused request itself; never logs a token.
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../lib/log.js';
import type { AllowList } from './allowlist.js';
import { reply } from './reply.js';
import { bearerToken } from './token.js';

export interface Gate {
  allowList: AllowList;
  /** Undefined: no token is required. */
  tokenMatches: ((presented: string | undefined) => boolean) | undefined;
  log: Logger;
}

/** True when the request may go on; otherwise it has been answered (403 or 401) and logged. */
export function admitted(req: IncomingMessage, res: ServerResponse, gate: Gate): boolean {
  const { allowList: allow, tokenMatches, log } = gate;
  const hostHeader = req.headers.host;
  if (!allow.hostAllowed(hostHeader)) {
    log.warn(`refused Host ${JSON.stringify(hostHeader ?? null)}`);
    reply(
      res,
      403,
      -32000,
      `Forbidden: Host ${JSON.stringify(hostHeader ?? '')} is not a name of this relay; if it is, start the relay with --allow-host ` +
        `NAME.`,
    );
    return false;
  }
  const origin = req.headers.origin;
  if (!allow.originAllowed(origin)) {
    log.warn(`refused Origin ${JSON.stringify(origin)}`);
    reply(
      res,
      403,
      -32000,
      `Forbidden: Origin ${JSON.stringify(origin)} is not allowed; if it should be, start the relay with --allow-origin ORIGIN.`,
    );
    return false;
  }
  if (tokenMatches !== undefined) {
    const presented = bearerToken(req.headers.authorization);
    if (!tokenMatches(presented)) {
      log.warn(
        `refused a request ${presented === undefined ? 'without a token' : 'with a wrong token'} from ${req.socket.remoteAddress ?? '?'}`,
      );
      res.setHeader(
        'WWW-Authenticate',
        presented === undefined ? 'Bearer realm="relay"' : 'Bearer realm="relay", error="invalid_token"',
      );
      reply(
        res,
        401,
        -32000,
        'Unauthorized: send the relay\'s token as "Authorization: Bearer <token>" (the token file given to the relay with --token-file).',
      );
      return false;
    }
  }
  return true;
}
