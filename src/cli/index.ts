// The CLI entry: picks the command, handles --help/--version, maps errors to messages and exit codes, and is the
// only place that exits the process. Commands load lazily so the server's start-up pays only for itself.
import { version } from '../lib/version.js';
import { orList, similarNames } from '../store/kinds.js';
import { UsageError, UserError } from './errors.js';
import { flushOutput } from './flush.js';
import { type CliIo, processIo } from './io.js';

export interface Command {
  usage: string;
  run(args: string[], io: CliIo): Promise<void>;
}

// Dynamic imports: the server's start-up loads only serve/. Every command has a line in the overview below (a test
// holds the two together).
export const commands: Record<string, () => Promise<Command>> = {
  serve: () => import('./serve/index.js'),
  setup: () => import('./setup.js'),
  send: () => import('./send.js'),
  fetch: () => import('./fetch.js'),
  status: () => import('./status.js'),
  clear: () => import('./clear.js'),
  watch: () => import('./watch.js'),
  preview: () => import('./preview.js'),
  sessions: () => import('./sessions.js'),
  search: () => import('./search.js'),
  history: () => import('./history.js'),
  doctor: () => import('./doctor.js'),
  token: () => import('./token.js'),
  connect: () => import('./connect.js'),
  migrate: () => import('./migrate.js'),
  ui: () => import('./ui.js'),
};

export const overview = `mcp-relay ${version}: pass messages between Claude Desktop and Claude Code sessions.

Usage: mcp-relay [serve] [--client KIND] [--name NAME] [--db PATH] ...   the MCP server (mcp-relay serve --help)
       mcp-relay serve --http [--host ADDR] [--port N] [--token-file PATH] ...
       mcp-relay <command> [flags]      (mcp-relay <command> --help for its flags)

Commands:
  serve           run the MCP server over stdio (the default), or over Streamable HTTP with --http
  token           make a bearer token for serve --http
  connect         bridge stdio to a relay served over HTTP elsewhere (for Claude Desktop)
  setup code      register relay with Claude Code, with the /get command and a start-up preview
  setup desktop   register relay with Claude Desktop
  setup codex|gemini|cursor  register relay with Codex, Gemini CLI or Cursor
  send [TEXT]     send a message (TEXT, --file or stdin) to the other side
  fetch           print the unread messages of this directory's session (--as desktop: Desktop's; --peek)
  status          message counts, unread per side, last activity, database, live sessions
  sessions        the live sessions: name, kind, unread, last seen, directory
  search WORDS    find messages in the history, newest first (marks nothing read)
  history         the recent messages with who has read each (--as/--name/--thread; marks nothing read)
  clear           delete every message (asks first; --yes in scripts)
  watch           print messages as they arrive, until Ctrl-C
  ui              a live web page of the bus: sessions, conversation, who read what; send as yourself
  preview         the start-up summary of unread messages (used by Claude Code's hook)
  doctor          check the install and say how to fix what is wrong
  migrate         copy a local buffer into PostgreSQL (--from FILE --to postgres://…)

Exit codes: 0 ok, 1 error (message on stderr), 2 bad flags.`;

/** Runs the command argv names, then waits for its output to reach the reader; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // A reader that went away (`mcp-relay status | head -c 1`) is the command's business (fetch says what it lost),
  // never a crash with a stack.
  const ignore = () => {};
  process.stdout.on('error', ignore);
  const code = await runCommand(argv);
  // A server's client is gone by now: what it has not read is not worth waiting long for.
  await flushOutput(SERVERS.has(commandName(argv)) ? 2_000 : undefined);
  process.stdout.off('error', ignore);
  return code;
}

/** Commands that speak MCP on stdio until their client goes away. */
const SERVERS = new Set(['serve', 'connect']);

/** The command argv runs: its first word, or serve when it starts with a flag or is empty. */
function commandName(argv: readonly string[]): string {
  const first = argv[0];
  return first !== undefined && !first.startsWith('-') ? first : 'serve';
}

async function runCommand(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${overview}\n`);
    return 0;
  }
  const named = first !== undefined && !first.startsWith('-');
  const name = commandName(argv);
  const load = commands[name];
  if (load === undefined) {
    const near = similarNames(name, Object.keys(commands));
    const hint =
      near.length > 0 ? `; did you mean ${orList(near)}?` : ` (commands: ${Object.keys(commands).join(', ')})`;
    process.stderr.write(`mcp-relay: unknown command '${name}'${hint}\n`);
    return 2;
  }
  const command = await load();
  const args = named ? argv.slice(1) : argv;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  if (args.includes('--version') || args.includes('-v')) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  try {
    await command.run(args, processIo());
    return 0;
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`mcp-relay: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write(`Run "mcp-relay ${name} --help" for usage.\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `mcp-relay: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
