// `mcp-relay [serve]`: the MCP server over stdio, as Claude Desktop and Claude Code start it (`--http`: serve-http.ts).
// Returns when the client goes away (stdin ends, parent dies) or on SIGINT/SIGTERM, after closing the store.
import { createRelayServer } from '../server.js';
import { createLogger } from '../log.js';
import { debugLogPath, defaultDbPath } from '../paths.js';
import { openSqliteStore } from '../store/sqlite.js';
import { RelayError } from '../store/store.js';
import { RelayStdioTransport } from '../transport/stdio.js';
import { version } from '../version.js';
import { UsageError, UserError } from './errors.js';
import { clientKind, parse } from './options.js';

export const usage = `Usage: mcp-relay [serve] [--client desktop|code] [--db PATH] [--debug]
       mcp-relay serve --http [--host ADDR] [--port N] [--token-file PATH] [--allow-host NAME]... [--allow-origin ORIGIN]...

Runs the relay MCP server over stdio (Claude Desktop and Claude Code start it this way), or with --http as a
Streamable HTTP server at http://ADDR:N/mcp for clients on other machines (each says who it is; see the README).

  --client desktop|code  who this process speaks for (default sender and reader; stdio only)
  --db PATH              the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --debug                log every call to stderr and ~/.relay_debug.log
  --http                 serve Streamable HTTP instead of stdio
  --host ADDR            address to bind (default 127.0.0.1; anything but loopback needs a token)
  --port N               port to listen on (default 8765; 0 picks a free one)
  --token-file PATH      require this bearer token (default: $RELAY_TOKEN; make one with \`mcp-relay token\`)
  --allow-host NAME      also accept this name in the Host header (repeatable)
  --allow-origin ORIGIN  also accept this browser Origin, e.g. https://relay.example.com (repeatable)
  -h, --help             show this help
  -v, --version          print the version`;

export const options = {
  client: { type: 'string' },
  db: { type: 'string' },
  debug: { type: 'boolean' },
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
  const { values } = parse(args, options);
  if (values.http === true) return (await import('./serve-http.js')).runHttp(values);
  const httpOnly = (['host', 'port', 'token-file', 'allow-host', 'allow-origin'] as const).find((flag) => values[flag] !== undefined);
  if (httpOnly !== undefined) throw new UsageError(`--${httpOnly} needs --http`);
  const client = clientKind('--client', values.client);
  const dbPath = values.db ?? defaultDbPath();
  const log = createLogger({ debugFile: values.debug === true ? debugLogPath() : undefined });

  let store;
  try {
    store = openSqliteStore(dbPath);
  } catch (error) {
    log.close();
    if (error instanceof RelayError) throw new UserError(error.message);
    throw error;
  }
  const server = createRelayServer({ store, identity: { client }, log });
  const transport = new RelayStdioTransport(process.stdin, process.stdout, {
    onrejected: (reason) => log.warn(`rejected input: ${reason}`),
  });
  transport.onerror = (error) => log.warn(`transport: ${error.message}`);
  log.debug(`relay ${version} serving as ${client ?? '(no client)'} on ${dbPath}, pid ${process.pid}`);

  await new Promise<void>((resolve) => {
    let done = false;
    const parent = process.ppid;
    const shutdown = (why: string) => {
      if (done) return;
      done = true;
      log.debug(`shutting down: ${why}`);
      clearInterval(orphanCheck);
      void server
        .close()
        .catch(() => {})
        .then(() => store.close())
        .finally(() => {
          log.close();
          resolve();
        });
    };
    // A parent killed with SIGKILL may leave stdin open through a grandchild; a re-parented process is an orphan.
    const orphanCheck = setInterval(() => {
      if (process.ppid !== parent) shutdown('parent process exited');
    }, 1_000);
    orphanCheck.unref();
    process.stdin.once('end', () => shutdown('stdin closed'));
    process.stdin.once('close', () => shutdown('stdin closed'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    server.connect(transport).catch((error: unknown) => {
      log.error(`cannot start: ${String(error)}`);
      shutdown('transport failed');
    });
  });
}
