// `mcp-relay ui`: the live web page of the bus. Opens the store, joins the bus as the person ("You", a session of
// kind `user`, so agents can answer them), serves the page on 127.0.0.1, prints a one-time link (and a new one at
// each Enter), optionally opens the browser, and runs until Ctrl-C. Loaded only by this command (the page and its
// server are in src/ui/).
import { spawn } from 'node:child_process';
import readline from 'node:readline';

import { createLogger } from '../lib/log.js';
import { debugLogPath } from '../lib/paths.js';
import { openSession } from '../server/session.js';
import { USER_KIND } from '../ui/api.js';
import { startUiServer } from '../ui/server.js';
import { UsageError, UserError } from './errors.js';
import type { CliIo } from './io.js';
import { parse, sessionName } from './options.js';
import { dbOption, dbPath, openRelayStore, userError } from './store.js';

export const usage = `Usage: mcp-relay ui [--port N] [--open] [--name NAME] [--db PATH]

A live web page of the relay on this machine: every session, the whole conversation with who read what, search,
and a composer to send, reply and forward as yourself ("You"). Served on 127.0.0.1 only, behind a one-time link;
runs until Ctrl-C. The page marks nothing read.

  --port N     listen on port N (default: a free port)
  --open       open the page in the default browser
  --name NAME  your session's name on the bus, which agents reply to (default: user)
  --db PATH    the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db), or a postgres:// URL
  --debug      log to stderr and the debug file

Press Enter in this terminal for a new link (each link works once).`;

export const options = {
  port: { type: 'string' },
  open: { type: 'boolean' },
  name: { type: 'string' },
  debug: { type: 'boolean' },
  ...dbOption,
} as const;

export interface UiDeps {
  /** Ends the command (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /** Opens a URL in the person's browser (tests replace it). */
  openBrowser?: (url: string, platform: NodeJS.Platform, onError: (error: Error) => void) => void;
}

/** The system's own opener, with the URL as an argument (never through a shell). */
export function openBrowser(url: string, platform: NodeJS.Platform, onError: (error: Error) => void): void {
  const [command, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', onError);
  child.unref();
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535)
    throw new UsageError(`--port takes a port number from 1 to 65535 (got '${value}')`);
  return port;
}

export async function run(args: string[], io: CliIo, deps: UiDeps = {}): Promise<void> {
  const { values } = parse(args, options);
  const port = parsePort(values.port);
  const wanted = sessionName('--name', values.name, USER_KIND) ?? USER_KIND;
  const log = createLogger({
    stderr: io.stderr,
    tag: 'relay ui',
    debugFile: values.debug === true ? debugLogPath() : undefined,
  });
  const store = await openRelayStore(dbPath(values.db, io), {
    onError: (error) => log.debug(`change watch: ${error.message}`),
  });
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signal = deps.signal ?? controller.signal;
  let lines: readline.Interface | undefined;
  try {
    const session = await openSession(store, { kind: USER_KIND, name: wanted, cwd: null, observe: false, log });
    try {
      const server = await startUiServer({ store, log, you: () => session.identity.name ?? wanted, port }).catch(
        (error: unknown) => {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE')
            throw new UserError(
              `port ${port} on 127.0.0.1 is in use; pick another with --port, or leave it out for a free one.`,
            );
          if (code === 'EACCES') throw new UserError(`not allowed to listen on port ${port}; use a port above 1023.`);
          throw error;
        },
      );
      const link = () => {
        const url = server.newLink();
        io.stdout.write(`${url}\n`);
        return url;
      };
      io.stderr.write(
        `relay ui: ${store.location} as "${session.identity.name}". Open this link ` +
          '(it works once; press Enter for a new one, Ctrl-C to stop):\n',
      );
      const first = link();
      if (values.open === true) {
        (deps.openBrowser ?? openBrowser)(first, io.platform, (error) =>
          io.stderr.write(
            `relay ui: could not open a browser (${error.message}); press Enter for a link to open yourself.\n`,
          ),
        );
      }
      lines = readline.createInterface({ input: io.stdin, terminal: false });
      lines.on('line', () => link());
      if (deps.signal === undefined) {
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await server.close();
    } finally {
      await session.close();
    }
  } catch (error) {
    throw userError(error);
  } finally {
    lines?.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await store.close();
    log.close();
  }
}
