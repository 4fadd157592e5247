// Binding the HTTP relay's port, with the usual failures turned into sentences that say what to change.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A configuration the relay refuses to run with; the message says what to change. */
export class HttpConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpConfigError';
  }
}

/** Listens on host:port (0 picks a free port) and resolves with the port; throws HttpConfigError for the usual faults. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onerror = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(new HttpConfigError(`port ${port} on ${host} is in use; pick another with --port.`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new HttpConfigError(`cannot bind to ${host}: no such address on this machine.`));
      } else if (error.code === 'EACCES') {
        reject(new HttpConfigError(`not allowed to bind to port ${port}; use a port above 1023.`));
      } else reject(error);
    };
    server.once('error', onerror);
    server.listen({ host, port }, () => {
      server.off('error', onerror);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
