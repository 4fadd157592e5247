// A one-package npm registry on 127.0.0.1: the packument and the tarball of a package packed by the test, so that a
// client that installs from the registry (Claude Code's npm plugin source runs `npm view` and fetches the tarball)
// gets this checkout's package, offline. Point npm at it with npm_config_registry.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalRegistry {
  /** With a trailing slash, as npm_config_registry wants it. */
  url: string;
  /** Request paths served, in order. */
  served: string[];
  close(): Promise<void>;
}

export async function startRegistry(pkg: { name: string; version: string }, tarball: string): Promise<LocalRegistry> {
  const data = fs.readFileSync(tarball);
  const served: string[] = [];
  const file = `/${pkg.name}/-/${pkg.name.replace(/^@[^/]+\//, '')}-${pkg.version}.tgz`;
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '').split('?')[0]!;
    served.push(url);
    if (url === `/${pkg.name.replace('/', '%2f')}` || url === `/${pkg.name}`) {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const dist = {
        tarball: `${base}${file}`,
        shasum: crypto.createHash('sha1').update(data).digest('hex'),
        integrity: `sha512-${crypto.createHash('sha512').update(data).digest('base64')}`,
      };
      const packument = {
        name: pkg.name,
        'dist-tags': { latest: pkg.version },
        versions: { [pkg.version]: { ...pkg, dist } },
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
    } else if (url === file) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(data);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
