// `mcp-relay serve --http`: the relay as a Streamable HTTP server for clients on this or other machines. Loaded
// only with --http. Runs until SIGINT/SIGTERM (an HTTP server outlives any one client, so stdin is not watched),
// then ends every session and closes the store.
import { normalizeHostname, normalizeOrigin } from '../../http/allowlist.js';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../http/defaults.js';
import { HttpConfigError } from '../../http/listen.js';
import { startHttpRelay } from '../../http/server.js';
import { createLogger } from '../../lib/log.js';
import { debugLogPath } from '../../lib/paths.js';
import { version } from '../../lib/version.js';
import { UsageError, UserError } from '../errors.js';
import { type CliIo, homeOf } from '../io.js';
import { tokenOption } from '../options.js';
import { openRelayStore } from '../store.js';
import type { ServeValues } from './flags.js';

export async function serveHttp(values: ServeValues, db: string, io: CliIo): Promise<void> {
  const host = values.host ?? DEFAULT_HOST;
  const port = parsePort(values.port);
  const allowHosts = values['allow-host'] ?? [];
  const allowOrigins = values['allow-origin'] ?? [];
  for (const name of allowHosts) {
    if (normalizeHostname(name) === undefined) {
      throw new UsageError(`--allow-host takes a host name or address, without scheme or path (got '${name}')`);
    }
  }
  for (const origin of allowOrigins) {
    if (normalizeOrigin(origin) === undefined) {
      throw new UsageError(`--allow-origin takes an origin like https://relay.example.com (got '${origin}')`);
    }
  }
  const token = tokenOption(values['token-file'], io.env);

  const log = createLogger({ debugFile: values.debug === true ? debugLogPath(homeOf(io)) : undefined });
  let store;
  try {
    store = await openRelayStore(db, { onError: (error) => log.debug(`change watch: ${error.message}`) });
  } catch (error) {
    log.close();
    throw error;
  }
  log.debug(`relay ${version} on ${store.location} (${store.backend}), pid ${process.pid}`);
  let relay;
  try {
    relay = await startHttpRelay({ store, log, host, port, token, allowHosts, allowOrigins });
  } catch (error) {
    await store.close();
    log.close();
    if (error instanceof HttpConfigError) throw new UserError(error.message, { cause: error });
    throw error;
  }
  // Tests and scripts read the URL from this line (with --port 0 it is the only way to learn the port).
  const tokenNote = token === undefined ? 'no token' : 'token required';
  log.info(`relay ${version} listening on ${relay.url} (${tokenNote}; buffer ${store.location})`);
  const origins = relay.allowList.origins.join(', ') || '(none)';
  log.debug(`accepted Host names: ${relay.allowList.hosts.join(', ')}; extra origins: ${origins}`);

  const opened = store;
  const running = relay;
  await new Promise<void>((resolve) => {
    const shutdown = (why: string) => {
      log.info(`shutting down: ${why}`);
      void running
        .close()
        .catch(() => {})
        .then(() => opened.close())
        .finally(() => {
          log.close();
          resolve();
        });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new UsageError(`--port must be a number from 0 to 65535 (got '${value}')`);
  }
  return port;
}
