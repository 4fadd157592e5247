// The serve command's one flag table: every flag's type, the mode it belongs to (stdio, HTTP or both) and its help.
// The parseArgs options, the usage text and the mode check all come from it, so a flag is added in one place.
import { DEFAULT_HOST, DEFAULT_PORT, MCP_PATH } from '../../http/defaults.js';
import { DEFAULT_PUSH_PER_MINUTE } from '../../server/channel.js';
import { UsageError } from '../errors.js';
import { notifyFlags } from '../notify-options.js';
import { type FlagDoc, flagHelp, type parse } from '../options.js';

type Mode = 'stdio' | 'http' | 'both';

interface ServeFlag extends FlagDoc {
  mode: Mode;
  /** For a stdio flag: why it means nothing over HTTP, said when it is given with --http. */
  notOverHttp?: string;
}

const perClient =
  'over HTTP each client says who it is (X-Relay-Client, X-Relay-Name, X-Relay-Observe headers; see docs/http.md)';
const notNotify = 'the people an HTTP relay serves sit at other machines';

export const flags = {
  db: {
    type: 'string',
    mode: 'both',
    arg: 'PATH|URL',
    help: 'the message buffer: an SQLite file, or a postgres://user@host/db URL (default: $RELAY_DB, else ~/.relay_buffer.db)',
  },
  debug: { type: 'boolean', mode: 'both', help: 'log every call to stderr and ~/.relay_debug.log' },

  client: {
    type: 'string',
    mode: 'stdio',
    arg: 'KIND',
    notOverHttp: perClient,
    help: "who this process speaks for: desktop, code, or another client's name (cursor, codex, ...); the default sender and reader",
  },
  name: {
    type: 'string',
    mode: 'stdio',
    arg: 'NAME',
    notOverHttp: perClient,
    help: `this session's name (default: $RELAY_NAME, else "desktop" for Desktop, the working directory's name for Code, else the kind)`,
  },
  notify: { ...notifyFlags.notify, mode: 'stdio', notOverHttp: notNotify },
  'no-notify': { ...notifyFlags['no-notify'], mode: 'stdio', notOverHttp: notNotify },
  sound: { ...notifyFlags.sound, mode: 'stdio', notOverHttp: notNotify },
  observe: {
    type: 'boolean',
    mode: 'stdio',
    notOverHttp: perClient,
    help: 'see everything, mark nothing read, receive nothing',
  },
  'allow-attach': {
    type: 'string',
    multiple: true,
    mode: 'stdio',
    arg: 'DIR',
    notOverHttp: 'over HTTP relay reads no files by path (its clients may be on other machines; they attach content)',
    help: 'also let relay_send attach files from DIR (repeatable; default: only the working directory, none when it is ~ or /)',
  },
  push: {
    type: 'boolean',
    mode: 'stdio',
    notOverHttp: perClient,
    help: 'push new messages into Claude Code as channel events (see docs/notifications.md)',
  },
  'push-limit': {
    type: 'string',
    mode: 'stdio',
    arg: 'N',
    notOverHttp: perClient,
    help: `at most N pushed messages a minute (default ${DEFAULT_PUSH_PER_MINUTE})`,
  },

  http: { type: 'boolean', mode: 'http', help: `serve Streamable HTTP at ${MCP_PATH} instead of stdio` },
  host: {
    type: 'string',
    mode: 'http',
    arg: 'ADDR',
    help: `address to bind (default ${DEFAULT_HOST}; anything but loopback needs a token)`,
  },
  port: {
    type: 'string',
    mode: 'http',
    arg: 'N',
    help: `port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)`,
  },
  'token-file': {
    type: 'string',
    mode: 'http',
    arg: 'PATH',
    help: 'require this bearer token (default: $RELAY_TOKEN; make one with `mcp-relay token`)',
  },
  'allow-host': {
    type: 'string',
    multiple: true,
    mode: 'http',
    arg: 'NAME',
    help: 'also accept this name in the Host header (repeatable)',
  },
  'allow-origin': {
    type: 'string',
    multiple: true,
    mode: 'http',
    arg: 'ORIGIN',
    help: 'also accept this browser Origin, e.g. https://relay.example.com (repeatable)',
  },
} as const satisfies Record<string, ServeFlag>;

type FlagName = keyof typeof flags;

function section(mode: Mode): Record<string, ServeFlag> {
  return Object.fromEntries(Object.entries(flags).filter(([, flag]) => flag.mode === mode));
}

export const usage = `Usage: mcp-relay [serve] [FLAGS]          the MCP server over stdio
       mcp-relay serve --http [FLAGS]     the MCP server over Streamable HTTP, at http://ADDR:N${MCP_PATH}

Claude Desktop and Claude Code start the relay over stdio (\`mcp-relay setup code|desktop\` registers it). With
--http it serves clients on this or other machines; each says who it is (see docs/http.md).

${flagHelp({
  ...section('both'),
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', short: 'v', help: 'print the version' },
})}

Over stdio:
${flagHelp(section('stdio'))}

Over HTTP:
${flagHelp(section('http'))}`;

export type ServeValues = ReturnType<typeof parse<typeof flags>>['values'];

/**
 * The one mode check: every flag given must belong to the mode (--http or not) or to both. The error names the
 * first flag that does not, and why.
 */
export function checkMode(values: ServeValues): 'stdio' | 'http' {
  const mode = values.http === true ? 'http' : 'stdio';
  for (const name of Object.keys(values) as FlagName[]) {
    const flag: ServeFlag | undefined = flags[name];
    if (flag === undefined || values[name] === undefined || flag.mode === 'both' || flag.mode === mode) continue;
    if (mode === 'stdio') throw new UsageError(`--${name} needs --http`);
    throw new UsageError(`--${name} is for stdio: ${flag.notOverHttp ?? 'it means nothing over HTTP'}`);
  }
  return mode;
}
