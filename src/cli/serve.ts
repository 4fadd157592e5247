// `mcp-relay [serve]`: the MCP server over stdio, as Claude Desktop and Claude Code start it (`--http`: serve-http.ts).
// Returns when the client goes away (stdin ends, parent dies) or on SIGINT/SIGTERM, after ending the session and
// closing the store.
import { createLogger } from '../lib/log.js';
import { debugLogPath, defaultDbPath } from '../lib/paths.js';
import { version } from '../lib/version.js';
import { startArrivalNotices } from '../notify/arrivals.js';
import { noIdentity } from '../server/identity.js';
import { DEFAULT_PUSH_PER_MINUTE } from '../server/push.js';
import { createRelayServer } from '../server/server.js';
import { openSession, type Session } from '../server/session.js';
import { openStore as openStoreAt } from '../store/open.js';
import { RelayError } from '../store/store.js';
import { RelayStdioTransport } from '../transport/stdio.js';
import { UsageError, UserError } from './errors.js';
import { untilClientGone } from './lifetime.js';
import { normaliseOptionalValue, notifierFor, notifyFlags, notifyOptions, notifyUsage } from './notify-options.js';
import { clientKind, parse, sessionName } from './options.js';

export const usage = `Usage: mcp-relay [serve] [--client KIND] [--name NAME] [--db PATH] [--notify|--no-notify]
                    [--sound [NAME]] [--observe] [--push] [--debug]
       mcp-relay serve --http [--host ADDR] [--port N] [--token-file PATH] [--allow-host NAME]... [--allow-origin ORIGIN]...

Runs the relay MCP server over stdio (Claude Desktop and Claude Code start it this way), or with --http as a
Streamable HTTP server at http://ADDR:N/mcp for clients on other machines (each says who it is; see the README).

  --client KIND   who this process speaks for: desktop, code, or another client's name
                  (cursor, codex, ...); the default sender and reader
  --name NAME     this session's name (default: $RELAY_NAME, else "desktop" for Desktop,
                  the working directory's name for Code, else the kind)
  --db PATH|URL   the message buffer: an SQLite file, or a postgres://user@host/db URL
                  (default: $RELAY_DB, else ~/.relay_buffer.db)
${notifyUsage}
  --observe       see everything, mark nothing read, receive nothing
  --push          push new messages into Claude Code as channel events (see README)
  --push-limit N  at most N pushed messages a minute (default ${DEFAULT_PUSH_PER_MINUTE})
  --debug         log every call to stderr and ~/.relay_debug.log
  -h, --help      show this help
  -v, --version   print the version

Over HTTP (each client gives its kind, name and --observe as headers instead; see the README):
  --http                 serve Streamable HTTP at /mcp instead of stdio
  --host ADDR            address to bind (default 127.0.0.1; anything but loopback needs a token)
  --port N               port to listen on (default 8765; 0 picks a free one)
  --token-file PATH      require this bearer token (default: $RELAY_TOKEN; make one with \`mcp-relay token\`)
  --allow-host NAME      also accept this name in the Host header (repeatable)
  --allow-origin ORIGIN  also accept this browser Origin, e.g. https://relay.example.com (repeatable)`;

export const options = {
  client: { type: 'string' },
  name: { type: 'string' },
  db: { type: 'string' },
  observe: { type: 'boolean' },
  push: { type: 'boolean' },
  'push-limit': { type: 'string' },
  debug: { type: 'boolean' },
  ...notifyFlags,
  // HTTP only (handled in serve-http.ts, loaded only with --http so stdio start-up does not pay for it).
  http: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  'token-file': { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  'allow-origin': { type: 'string', multiple: true },
} as const;

export type ServeValues = ReturnType<typeof parse<typeof options>>['values'];

export async function run(args: string[]): Promise<void> {
  const { values } = parse(normaliseOptionalValue(args, '--sound', options), options);
  if (values.http === true) return (await import('./serve-http.js')).runHttp(values);
  const httpOnly = (['host', 'port', 'token-file', 'allow-host', 'allow-origin'] as const).find(
    (flag) => values[flag] !== undefined,
  );
  if (httpOnly !== undefined) throw new UsageError(`--${httpOnly} needs --http`);
  const kind = clientKind('--client', values.client);
  const notify = notifyOptions(values, kind);
  const name = sessionName(values.name !== undefined ? '--name' : 'RELAY_NAME', values.name ?? process.env.RELAY_NAME);
  const pushLimit = values['push-limit'] === undefined ? DEFAULT_PUSH_PER_MINUTE : Number(values['push-limit']);
  if (!Number.isInteger(pushLimit) || pushLimit < 1 || pushLimit > 600) {
    throw new UsageError(`--push-limit must be a whole number from 1 to 600 (got '${values['push-limit']}')`);
  }
  if (name !== undefined && kind === null) throw new UsageError('--name needs --client: a session has a kind');
  const dbPath = values.db ?? defaultDbPath();
  const log = createLogger({ debugFile: values.debug === true ? debugLogPath() : undefined });
  let notifier;
  try {
    notifier = notifierFor(notify, log);
  } catch (error) {
    log.close();
    throw error;
  }

  let store;
  let session: Session | undefined;
  try {
    store = await openStoreAt(dbPath, { onWatchError: (error) => log.debug(`change watch: ${error.message}`) });
    if (kind !== null) {
      session = await openSession(store, { kind, name, cwd: process.cwd(), observe: values.observe === true, log });
    }
  } catch (error) {
    await store?.close();
    log.close();
    if (error instanceof RelayError) throw new UserError(error.message);
    throw error;
  }
  const identity = session?.identity ?? { ...noIdentity, observe: values.observe === true };
  const server = createRelayServer({
    store,
    identity,
    log,
    files: { cwd: process.cwd() },
    push: { channel: values.push === true, perMinute: pushLimit },
  });
  const transport = new RelayStdioTransport(process.stdin, process.stdout, {
    onrejected: (reason) => log.warn(`rejected input: ${reason}`),
  });
  transport.onerror = (error) => log.warn(`transport: ${error.message}`);
  log.debug(
    `relay ${version} serving as ${identity.kind ?? '(no client)'}${identity.name ? ` "${identity.name}"` : ''} on ${store.location}, ` +
      `pid ${process.pid}`,
  );
  log.debug(notifier === undefined ? 'notifications off' : `notifications on: ${notifier.describe()}`);
  const stopNotices = notifier === undefined ? undefined : startArrivalNotices({ store, notifier, log });

  const openStore = store;
  await untilClientGone(
    log,
    async () => {
      stopNotices?.();
      await server.close().catch(() => {});
      await session?.close();
      await openStore.close();
    },
    (stop) => {
      server.connect(transport).catch((error: unknown) => {
        log.error(`cannot start: ${String(error)}`);
        stop('transport failed');
      });
    },
  );
}
