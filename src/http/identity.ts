// Who an HTTP session speaks for, from its initialize request: the X-Relay-Client / X-Relay-Name headers, else the
// `client` / `name` query parameters of the /mcp URL. The one place that maps a request to an Identity, so a change
// of the Identity shape is a change here only. No I/O, no logging.
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../identity.js';
import { CLIENT_KINDS, isClientKind } from '../store/store.js';

export const CLIENT_HEADER = 'x-relay-client';
export const NAME_HEADER = 'x-relay-name';

/** Session names: short, and safe in a header, a URL, a log line and a file name. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What the client asked to be, before validation. */
export interface RequestedIdentity {
  kind: string | null;
  name: string | null;
}

/** A bad identity in a request; the message says what to send instead (answered with 400). */
export class IdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityError';
  }
}

export function requestedIdentity(req: Pick<IncomingMessage, 'headers' | 'url'>): RequestedIdentity {
  const query = new URL(req.url ?? '/', 'http://relay.invalid').searchParams;
  const pick = (header: string, param: string): string | null => {
    const fromHeader = req.headers[header];
    const value = (Array.isArray(fromHeader) ? fromHeader[0] : fromHeader) ?? query.get(param) ?? '';
    return value.trim() === '' ? null : value.trim();
  };
  return { kind: pick(CLIENT_HEADER, 'client'), name: pick(NAME_HEADER, 'name') };
}

/** The identity of a new HTTP session. Throws IdentityError for a value the relay cannot use. */
export function identityFromRequest(req: Pick<IncomingMessage, 'headers' | 'url'>): Identity & { name: string | null } {
  const { kind, name } = requestedIdentity(req);
  if (kind !== null && !isClientKind(kind)) {
    throw new IdentityError(`X-Relay-Client (or ?client=) must be one of: ${CLIENT_KINDS.join(', ')} (got '${kind}').`);
  }
  return { client: kind, name: checkSessionName(name) };
}

export function checkSessionName(name: string | null): string | null {
  if (name !== null && !NAME_PATTERN.test(name)) {
    throw new IdentityError(`X-Relay-Name (or ?name=) must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (got '${name}').`);
  }
  return name;
}
