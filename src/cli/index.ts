// The CLI entry: picks the command, handles --help/--version, maps errors to messages and exit codes, and is the
// only place that exits the process. Commands load lazily so the server's start-up pays only for itself.
import { version } from '../version.js';
import { UsageError, UserError } from './errors.js';

interface Command {
  usage: string;
  run(args: string[]): Promise<void>;
}

const commands: Record<string, () => Promise<Command>> = {
  serve: () => import('./serve.js'),
};

const overview = `mcp-relay ${version}: pass messages between Claude Desktop and Claude Code sessions.

Usage: mcp-relay [serve] [--client desktop|code] [--db PATH] [--notify|--no-notify] [--sound [NAME]] [--debug]
       mcp-relay <command> --help

Commands:
  serve      run the MCP server over stdio (the default)

Run "mcp-relay serve --help" for the server's flags.`;

export async function main(argv: string[]): Promise<number> {
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
  const name = named ? first : 'serve';
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`mcp-relay: unknown command '${name}' (commands: ${Object.keys(commands).join(', ')})\n`);
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
    await command.run(args);
    return 0;
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`mcp-relay: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write(`Run "mcp-relay ${name} --help" for usage.\n`);
      return error.exitCode;
    }
    process.stderr.write(`mcp-relay: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
