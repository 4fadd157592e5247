// The Host and Origin allow-list of the HTTP relay, against DNS rebinding: a web page on an attacker's domain that
// resolves to this machine reaches us with its own name in Host and its own origin in Origin, and is refused.
// Pure functions of the bound address and flags; no I/O beyond reading this machine's names at construction.
import net from 'node:net';
import os from 'node:os';

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** 127.0.0.0/8, ::1 and `localhost`: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return net.isIPv4(bare) && bare.startsWith('127.');
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}

/**
 * A host name as the URL parser writes it, so `LOCALHOST`, `localhost:8765`, `[::1]:80` and `::1` compare equal:
 * lower case, IPv6 in brackets, no port. undefined when it is not a host name at all.
 */
export function normalizeHostname(host: string): string | undefined {
  const text = net.isIPv6(host) ? `[${host}]` : host;
  if (text === '' || /[/?#@\s\\]/.test(text)) return undefined;
  try {
    return new URL(`http://${text}`).hostname;
  } catch {
    return undefined;
  }
}

/** `scheme://host[:port]` as browsers send it in Origin, or undefined when `origin` is not an http(s) origin. */
export function normalizeOrigin(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // A path, query or credentials make it a URL, not an origin.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return undefined;
  return url.origin;
}

export interface AllowListOptions {
  /** The address the server is bound to (as given to --host). */
  host: string;
  /** The port it listens on (after binding, so port 0 is resolved). */
  port: number;
  /** Extra host names accepted in Host (--allow-host). */
  allowHosts?: readonly string[];
  /** Extra origins accepted in Origin (--allow-origin), e.g. https://relay.example.com. */
  allowOrigins?: readonly string[];
  /** For tests: this machine's names and addresses, used when bound to a wildcard address. */
  machineNames?: readonly string[];
}

export interface AllowList {
  /** Every host name accepted in Host, normalized. */
  readonly hosts: readonly string[];
  readonly origins: readonly string[];
  /** A missing Host is refused: HTTP/1.1 requires one and every real client sends it. */
  hostAllowed(hostHeader: string | undefined): boolean;
  /** No Origin (every non-browser client) is allowed; a browser origin only when it is ours or listed. */
  originAllowed(originHeader: string | undefined): boolean;
}

/** This machine's host name and interface addresses: what clients on the network use to reach a wildcard bind. */
export function machineNames(): string[] {
  const names = [os.hostname()];
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) names.push(address.address.replace(/%.*$/, ''));
  }
  return names;
}

export function createAllowList(options: AllowListOptions): AllowList {
  const hosts = new Set<string>(LOOPBACK_HOSTS);
  const add = (name: string) => {
    const normal = normalizeHostname(name);
    if (normal !== undefined) hosts.add(normal);
  };
  if (isWildcardHost(options.host)) for (const name of options.machineNames ?? machineNames()) add(name);
  else add(options.host);
  for (const name of options.allowHosts ?? []) add(name);

  const origins = new Set<string>();
  for (const origin of options.allowOrigins ?? []) {
    const normal = normalizeOrigin(origin);
    if (normal !== undefined) origins.add(normal);
  }

  return {
    hosts: [...hosts],
    origins: [...origins],
    hostAllowed(hostHeader) {
      if (hostHeader === undefined) return false;
      const name = normalizeHostname(hostHeader);
      return name !== undefined && hosts.has(name);
    },
    originAllowed(originHeader) {
      if (originHeader === undefined) return true;
      const origin = normalizeOrigin(originHeader);
      if (origin === undefined) return false;
      if (origins.has(origin)) return true;
      // Our own origin: one of our host names on the port we listen on.
      const url = new URL(origin);
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
      return hosts.has(url.hostname) && port === options.port;
    },
  };
}
