// `mcp-relay serve --http`: the relay as a Streamable HTTP server for clients on this or other machines. Loaded only
// with --http. Runs until SIGINT/SIGTERM (an HTTP server outlives any one client, so stdin is not watched), then
// ends every session and closes the store.
import { normalizeHostname, normalizeOrigin } from '../http/allowlist.js';
import { DEFAULT_HOST, DEFAULT_PORT, HttpConfigError, startHttpRelay } from '../http/server.js';
import { createLogger } from '../lib/log.js';
import { debugLogPath, defaultDbPath } from '../lib/paths.js';
import { version } from '../lib/version.js';
import { openStore } from '../store/open.js';
import { RelayError } from '../store/store.js';
import { UsageError, UserError } from './errors.js';
import { tokenOption } from './options.js';
import type { ServeValues } from './serve.js';

export async function runHttp(values: ServeValues, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const perSession = (['client', 'name', 'observe', 'push', 'push-limit'] as const).find(
    (flag) => values[flag] !== undefined,
  );
  if (perSession !== undefined) {
    throw new UsageError(
      `--${perSession} is for stdio; over HTTP each client says who it is (X-Relay-Client, X-Relay-Name, X-Relay-Observe headers; see ` +
        `the README)`,
    );
  }
  const notifyFlag = (['notify', 'no-notify', 'sound'] as const).find((flag) => values[flag] !== undefined);
  if (notifyFlag !== undefined) {
    throw new UsageError(`--${notifyFlag} is for stdio: the people an HTTP relay serves sit at other machines`);
  }
  const host = values.host ?? DEFAULT_HOST;
  const port = parsePort(values.port);
  const allowHosts = values['allow-host'] ?? [];
  const allowOrigins = values['allow-origin'] ?? [];
  for (const name of allowHosts) {
    if (normalizeHostname(name) === undefined)
      throw new UsageError(`--allow-host takes a host name or address, without scheme or path (got '${name}')`);
  }
  for (const origin of allowOrigins) {
    if (normalizeOrigin(origin) === undefined)
      throw new UsageError(`--allow-origin takes an origin like https://relay.example.com (got '${origin}')`);
  }
  const token = tokenOption(values['token-file'], env);

  const dbPath = values.db ?? defaultDbPath(env);
  const log = createLogger({ debugFile: values.debug === true ? debugLogPath() : undefined });
  let store;
  try {
    store = await openStore(dbPath, { onWatchError: (error) => log.debug(`change watch: ${error.message}`) });
  } catch (error) {
    log.close();
    if (error instanceof RelayError) throw new UserError(error.message);
    throw error;
  }
  let relay;
  try {
    relay = await startHttpRelay({ store, log, host, port, token, allowHosts, allowOrigins });
  } catch (error) {
    await store.close();
    log.close();
    if (error instanceof HttpConfigError) throw new UserError(error.message);
    throw error;
  }
  // Tests and scripts read the URL from this line (with --port 0 it is the only way to learn the port).
  log.info(
    `relay ${version} listening on ${relay.url} (${token === undefined ? 'no token' : 'token required'}; buffer ${store.location})`,
  );
  log.debug(
    `accepted Host names: ${relay.allowList.hosts.join(', ')}; extra origins: ${relay.allowList.origins.join(', ') || '(none)'}`,
  );

  await new Promise<void>((resolve) => {
    const shutdown = (why: string) => {
      log.info(`shutting down: ${why}`);
      void relay
        .close()
        .catch(() => {})
        .then(() => store.close())
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
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new UsageError(`--port must be a number from 0 to 65535 (got '${value}')`);
  return port;
}
