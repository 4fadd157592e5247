// Who an HTTP session speaks for, from its initialize request: the X-Relay-Client / X-Relay-Name / X-Relay-Observe
// headers, else the `client` / `name` / `observe` query parameters of the /mcp URL. The one place that maps a request
// to the wanted identity; the session it becomes is registered by the server. No I/O, no logging.
import type { IncomingMessage } from 'node:http';

import { kindProblem, sessionNameProblem } from '../store/kinds.js';

export const CLIENT_HEADER = 'x-relay-client';
export const NAME_HEADER = 'x-relay-name';
export const OBSERVE_HEADER = 'x-relay-observe';

/** What a client asked to be. The store may give it `<name>-2` when a live session holds the name. */
export interface RequestedIdentity {
  /** The client kind ('desktop', 'code', or another client's lower-case name); null: tools need explicit sender/reader. */
  kind: string | null;
  /** The wanted session name; null: the kind's name. Needs a kind. */
  name: string | null;
  observe: boolean;
}

/** A bad identity in a request; the message says what to send instead (answered with 400). */
export class IdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityError';
  }
}

type RequestLike = Pick<IncomingMessage, 'headers' | 'url'>;

/** The identity a new HTTP session asks for. Throws IdentityError for a value the relay cannot use. */
export function identityFromRequest(req: RequestLike): RequestedIdentity {
  const query = new URL(req.url ?? '/', 'http://relay.invalid').searchParams;
  const pick = (header: string, param: string): string | null => {
    const fromHeader = req.headers[header];
    const value = ((Array.isArray(fromHeader) ? fromHeader[0] : fromHeader) ?? query.get(param) ?? '').trim();
    return value === '' ? null : value;
  };
  const kind = pick(CLIENT_HEADER, 'client');
  const kindIssue = kind === null ? undefined : kindProblem(kind);
  if (kindIssue !== undefined) throw new IdentityError(`X-Relay-Client (or ?client=) ${kindIssue}.`);
  const name = pick(NAME_HEADER, 'name');
  const nameIssue = name === null ? undefined : sessionNameProblem(name, kind);
  if (nameIssue !== undefined) throw new IdentityError(`X-Relay-Name (or ?name=) ${nameIssue}.`);
  if (name !== null && kind === null) {
    throw new IdentityError('X-Relay-Name (or ?name=) needs X-Relay-Client (or ?client=): a session has a kind.');
  }
  const observe = pick(OBSERVE_HEADER, 'observe');
  if (observe !== null && !/^(1|0|true|false|yes|no)$/i.test(observe)) {
    throw new IdentityError(`X-Relay-Observe (or ?observe=) must be 1 or 0 (got '${observe}').`);
  }
  return { kind, name, observe: observe !== null && /^(1|true|yes)$/i.test(observe) };
}
