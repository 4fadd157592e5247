// `mcp-relay [serve]` over stdio, as Claude Desktop and Claude Code start it. Returns when the client goes away
// (stdin ends, parent dies) or on SIGINT/SIGTERM, after ending the session and closing the store.
import fs from 'node:fs';
import path from 'node:path';

import { createLogger } from '../../lib/log.js';
import { debugLogPath } from '../../lib/paths.js';
import { version } from '../../lib/version.js';
import { startArrivalNotices, storeNoticeSource } from '../../notify/arrivals.js';
import { DEFAULT_PUSH_PER_MINUTE } from '../../server/channel.js';
import { noIdentity } from '../../server/identity.js';
import { createRelayServer } from '../../server/server.js';
import { openSession, type Session } from '../../server/session.js';
import type { Store } from '../../store/store.js';
import { RelayStdioTransport } from '../../transport/stdio.js';
import { UsageError } from '../errors.js';
import { type CliIo, homeOf } from '../io.js';
import { untilClientGone } from '../lifetime.js';
import { notifierFor, notifyOptions } from '../notify-options.js';
import { clientKind, sessionName } from '../options.js';
import { openRelayStore, userError } from '../store.js';
import type { ServeValues } from './flags.js';

/** Said once on stderr when a person starts the server in a terminal, where it would otherwise look hung. */
export const TERMINAL_NOTICE =
  'mcp-relay: this is the relay MCP server, waiting for an MCP client on stdin; Claude Code and Claude Desktop start it ' +
  'themselves (register it with `mcp-relay setup code` or `setup desktop`). From a terminal use `mcp-relay send`, ' +
  '`fetch` or `status` (`mcp-relay --help`). Ctrl-C stops it.';

export async function serveStdio(values: ServeValues, db: string, io: CliIo): Promise<void> {
  const kind = clientKind('--client', values.client);
  const notify = notifyOptions(values, kind);
  const name = sessionName(values.name !== undefined ? '--name' : 'RELAY_NAME', values.name ?? io.env.RELAY_NAME, kind);
  if (name !== undefined && kind === null) throw new UsageError('--name needs --client: a session has a kind');
  const pushLimit = values['push-limit'] === undefined ? DEFAULT_PUSH_PER_MINUTE : Number(values['push-limit']);
  if (!Number.isInteger(pushLimit) || pushLimit < 1 || pushLimit > 600) {
    throw new UsageError(`--push-limit must be a whole number from 1 to 600 (got '${values['push-limit']}')`);
  }
  const allowAttach = (values['allow-attach'] ?? []).map((dir) => path.resolve(io.cwd, dir));
  for (const dir of allowAttach) {
    if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) {
      throw new UsageError(`--allow-attach takes a directory (got '${dir}')`);
    }
  }
  const log = createLogger({ debugFile: values.debug === true ? debugLogPath(homeOf(io)) : undefined });
  let notifier;
  try {
    notifier = notifierFor(notify, log, io.platform, io.env);
  } catch (error) {
    log.close();
    throw error;
  }

  let store: Store | undefined;
  let session: Session | undefined;
  try {
    store = await openRelayStore(db, { onError: (error) => log.debug(`change watch: ${error.message}`) });
    if (kind !== null) {
      session = await openSession(store, { kind, name, cwd: io.cwd, observe: values.observe === true, log });
    }
  } catch (error) {
    await store?.close();
    log.close();
    throw userError(error);
  }
  const opened = store;
  const identity = session?.identity ?? { ...noIdentity, observe: values.observe === true };
  const server = createRelayServer({
    store: opened,
    identity,
    log,
    files: { cwd: io.cwd, allow: allowAttach },
    push: { channel: values.push === true, perMinute: pushLimit },
  });
  const transport = new RelayStdioTransport(process.stdin, process.stdout, {
    onrejected: (reason) => log.warn(`rejected input: ${reason}`),
  });
  transport.onerror = (error) => log.warn(`transport: ${error.message}`);
  const who = `${identity.kind ?? '(no client)'}${identity.name ? ` "${identity.name}"` : ''}`;
  log.debug(`relay ${version} serving as ${who} on ${opened.location} (${opened.backend}), pid ${process.pid}`);
  log.debug(notifier === undefined ? 'notifications off' : `notifications on: ${notifier.describe()}`);
  const stopNotices =
    notifier === undefined ? undefined : startArrivalNotices({ source: storeNoticeSource(opened), notifier, log });

  await untilClientGone(
    log,
    async () => {
      stopNotices?.();
      await server.close().catch(() => {});
      await session?.close();
      await opened.close();
    },
    (stop) => {
      if (io.stdin.isTTY === true) io.stderr.write(`${TERMINAL_NOTICE}\n`);
      server.connect(transport).catch((error: unknown) => {
        log.error(`cannot start: ${String(error)}`);
        stop('transport failed');
      });
    },
  );
}
