// `mcp-relay [serve]`: the MCP server over stdio, as Claude Desktop and Claude Code start it.
// Returns when the client goes away (stdin ends, parent dies) or on SIGINT/SIGTERM, after closing the store.
import { createRelayServer } from '../server.js';
import { createLogger } from '../log.js';
import { debugLogPath, defaultDbPath } from '../paths.js';
import { openSqliteStore } from '../store/sqlite.js';
import { RelayError } from '../store/store.js';
import { RelayStdioTransport } from '../transport/stdio.js';
import { version } from '../version.js';
import { UserError } from './errors.js';
import { notifierFor, notifyFlags, notifyOptions, normaliseOptionalValue, notifyUsage } from './notify-options.js';
import { clientKind, parse } from './options.js';

export const usage = `Usage: mcp-relay [serve] [--client desktop|code] [--db PATH] [--notify|--no-notify] [--sound [NAME]] [--debug]

Runs the relay MCP server over stdio (Claude Desktop and Claude Code start it this way).

  --client desktop|code  who this process speaks for (default sender and reader)
  --db PATH              the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
${notifyUsage}
  --debug                log every call to stderr and ~/.relay_debug.log
  -h, --help             show this help
  -v, --version          print the version`;

export const options = {
  client: { type: 'string' },
  db: { type: 'string' },
  debug: { type: 'boolean' },
  ...notifyFlags,
} as const;

export async function run(args: string[]): Promise<void> {
  const { values } = parse(normaliseOptionalValue(args, '--sound', options), options);
  const client = clientKind('--client', values.client);
  const notify = notifyOptions(values, client);
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
  try {
    store = openSqliteStore(dbPath);
  } catch (error) {
    log.close();
    if (error instanceof RelayError) throw new UserError(error.message);
    throw error;
  }
  const server = createRelayServer({ store, identity: { client }, log, notifier });
  const transport = new RelayStdioTransport(process.stdin, process.stdout, {
    onrejected: (reason) => log.warn(`rejected input: ${reason}`),
  });
  transport.onerror = (error) => log.warn(`transport: ${error.message}`);
  log.debug(`relay ${version} serving as ${client ?? '(no client)'} on ${dbPath}, pid ${process.pid}`);
  log.debug(notifier === undefined ? 'notifications off' : `notifications on: ${notifier.describe()}`);

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
