// `mcp-relay connect URL`: a stdio MCP server that forwards everything to a relay served over HTTP elsewhere, for
// clients that speak only stdio (Claude Desktop). Exits when the client closes stdin, its parent dies, or on
// SIGINT/SIGTERM, after ending the remote session. stdout carries only the protocol.
import { isLoopbackHost } from '../http/allowlist.js';
import { startBridge } from '../http/bridge.js';
import { bridgeNotices } from '../http/bridge-notices.js';
import { MCP_PATH } from '../http/defaults.js';
import { createLogger } from '../lib/log.js';
import { debugLogPath } from '../lib/paths.js';
import { RelayStdioTransport } from '../transport/stdio.js';
import { UsageError } from './errors.js';
import { untilClientGone } from './lifetime.js';
import { normaliseOptionalValue, notifierFor, notifyFlags, notifyOptions } from './notify-options.js';
import { clientKind, type FlagDoc, flagHelp, parse, sessionName, tokenOption } from './options.js';

const flags = {
  'token-file': { type: 'string', arg: 'PATH', help: "the relay's token (default: $RELAY_TOKEN)" },
  client: { type: 'string', arg: 'KIND', help: 'who this client is: desktop, code, ... (sent as X-Relay-Client)' },
  name: { type: 'string', arg: 'NAME', help: "this session's name (sent as X-Relay-Name; default: the kind)" },
  observe: { type: 'boolean', help: 'see everything, mark nothing read (sent as X-Relay-Observe)' },
  ...notifyFlags,
  debug: { type: 'boolean', help: 'log every call to stderr and ~/.relay_debug.log' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies Record<string, FlagDoc>;

export const usage = `Usage: mcp-relay connect URL [--token-file PATH] [--client KIND] [--name NAME] [--observe]
                          [--notify | --no-notify] [--sound [NAME]] [--debug]

Bridges stdio to a relay started elsewhere with \`mcp-relay serve --http\`, so a client that only starts stdio
servers (Claude Desktop) can use it. URL is the relay's endpoint, e.g. https://devbox.example.com:8765/mcp
(a URL without a path gets /mcp). Desktop notifications are shown on this machine, as a local relay shows them.

${flagHelp(flags)}`;

export const options = flags;

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(normaliseOptionalValue(args, '--sound', options), options, true);
  if (positionals.length !== 1) throw new UsageError('connect takes one URL, e.g. http://127.0.0.1:8765/mcp');
  const url = parseUrl(positionals[0]!);
  const client = clientKind('--client', values.client);
  const name = sessionName('--name', values.name, client) ?? null;
  if (name !== null && client === null) throw new UsageError('--name needs --client: a session has a kind');
  const token = tokenOption(values['token-file']);
  const notify = notifyOptions(values, client);
  const log = createLogger({ debugFile: values.debug === true ? debugLogPath() : undefined, tag: 'relay-connect' });
  let notifier;
  try {
    notifier = notifierFor(notify, log);
  } catch (error) {
    log.close();
    throw error;
  }
  if (token !== undefined && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    log.warn(`the token travels unencrypted to ${url.host}; prefer https or an SSH tunnel (see the README)`);
  }

  const local = new RelayStdioTransport(process.stdin, process.stdout, {
    onrejected: (reason) => log.warn(`rejected input: ${reason}`),
  });
  // Notices for this machine's desktop, claimed through the session (on by default for --client desktop).
  const notices = notifier === undefined ? undefined : bridgeNotices({ notifier, log, url });
  const bridge = await startBridge({
    url,
    token,
    client,
    name,
    observe: values.observe === true,
    local,
    log,
    ...notices?.hooks,
  });
  notices?.attach(bridge);
  log.debug(notifier === undefined ? 'notifications off' : `notifications on: ${notifier.describe()}`);
  log.debug(
    `bridging stdio to ${url.href} as ${client ?? '(no client)'}${name === null ? '' : ` named ${name}`}, pid ${process.pid}`,
  );

  // Ending the remote session is best effort: an unreachable relay must not keep this process alive.
  await untilClientGone(
    log,
    () => {
      notices?.stop();
      return Promise.race([bridge.close(), new Promise<void>((r) => setTimeout(r, 5_000).unref())]);
    },
    (stop) => void bridge.done.then(() => stop('bridge closed')),
  );
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`'${text}' is not a URL; give the relay's endpoint, e.g. http://127.0.0.1:8765/mcp`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`the URL must start with http:// or https:// (got '${text}')`);
  if (url.username !== '' || url.password !== '')
    throw new UsageError('put the token in --token-file or RELAY_TOKEN, not in the URL');
  if (url.pathname === '/') url.pathname = MCP_PATH;
  return url;
}
