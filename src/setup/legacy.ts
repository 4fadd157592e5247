// The Python relay (mcp-server-relay 1.x, "the seed") as it appears in the files setup touches: its server entries
// (`uvx mcp-server-relay …`, `python …/relay_server.py …`), its SessionStart hook (`python3 …/relay-preview.py`), its
// preview script and its /get command. Setup replaces them as an upgrade (with backups); doctor names them.
// Recognition only: nothing here reads or writes a file.
import path from 'node:path';

const PACKAGE = 'mcp-server-relay';

const base = (file: string) => path.posix.basename(file.replace(/\\/g, '/')).toLowerCase();

/** `mcp-server-relay`, `mcp-server-relay==1.2.4`, `mcp-server-relay@1.2.4`, `mcp-server-relay>=1.2`. */
const isPackageSpec = (word: string | undefined) =>
  word !== undefined && new RegExp(`^${PACKAGE}(\\[[^\\]]*\\])?([=<>~!@].*)?$`, 'i').test(word);

/** uvx / uv tool run / pipx run options that take a value, so the package spec after them can be found. */
const RUNNER_VALUE_OPTIONS = new Set([
  '--from',
  '--with',
  '--python',
  '-p',
  '--index',
  '--index-url',
  '--spec',
  '--pip-args',
]);

function afterRunnerOptions(args: readonly string[]): number {
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) i += RUNNER_VALUE_OPTIONS.has(args[i]!) ? 2 : 1;
  return i;
}

/** True when `command` + `args` start the Python relay, by any of the ways its README gave or pip installs. */
export function isPythonRelayCommand(command: string, args: readonly string[]): boolean {
  const program = base(command).replace(/\.exe$/, '');
  // uvx mcp-server-relay …, uvx --from mcp-server-relay mcp-server-relay …, pipx run mcp-server-relay …
  let rest = args;
  if (program === 'uv' && args[0] === 'tool' && args[1] === 'run') rest = args.slice(2);
  else if (program === 'pipx' && args[0] === 'run') rest = args.slice(1);
  else if (program !== 'uvx') rest = [];
  if (rest.length > 0) {
    const fromAt = rest.indexOf('--from');
    if (fromAt >= 0 && isPackageSpec(rest[fromAt + 1])) return true;
    const spec = rest.indexOf('--spec');
    if (spec >= 0 && isPackageSpec(rest[spec + 1])) return true;
    if (isPackageSpec(rest[afterRunnerOptions(rest)])) return true;
  }
  // python relay_server.py …, /path/.venv/bin/python /path/relay_server.py …, python -m relay_server
  if (/^python(\d+(\.\d+)?)?w?$/.test(program) || program === 'py') {
    const script = args.find((a) => !a.startsWith('-'));
    if (script !== undefined && base(script) === 'relay_server.py') return true;
    const m = args.indexOf('-m');
    if (m >= 0 && args[m + 1] === 'relay_server') return true;
  }
  // The console script pip puts in a virtualenv, pipx or ~/.local/bin (npm's bin of the same name is not there).
  if (program === PACKAGE && /[\\/](\.?venv|env|pipx|Scripts|\.local[\\/]bin)[\\/]/i.test(command)) return true;
  return false;
}

/** An `mcpServers.relay` entry (any client's JSON shape) that starts the Python relay. */
export function isPythonRelayEntry(entry: unknown): boolean {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const { command, args } = entry as { command?: unknown; args?: unknown };
  if (typeof command !== 'string') return false;
  const list = Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string') : [];
  // Some write the whole line in `command` (`uvx mcp-server-relay --client code`).
  const words = list.length === 0 && command.includes(' ') ? command.trim().split(/\s+/) : [command, ...list];
  return isPythonRelayCommand(words[0]!, words.slice(1));
}

/** The SessionStart hook the Python relay's `--setup-code` wrote: `python3 /…/.claude/scripts/relay-preview.py`. */
export function isPythonPreviewHook(command: unknown): boolean {
  if (typeof command !== 'string') return false;
  const words = command.trim().match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const unquoted = words.map((w) => w.replace(/^["']|["']$/g, ''));
  const script = unquoted.find((w, i) => i > 0 && !w.startsWith('-')) ?? unquoted[0];
  return script !== undefined && base(script) === 'relay-preview.py';
}

/** The Python relay's preview script, unedited enough to be its own: it reads the buffer for Desktop's unread. */
export function isPythonPreviewScript(text: string): boolean {
  return text.includes('relay_buffer.db') && text.includes('read_by_code_at IS NULL') && text.includes('SessionStart');
}

/**
 * The /get command the Python relay's `--setup-code` wrote (every version): it calls the seed's tools in the seed's
 * own form, `relay_fetch(limit=5, reader="code")` and `relay_send(message="$ARGUMENTS", sender="code")`, which
 * neither relay's own /get nor anything else writes.
 */
export function isPythonGetCommand(text: string): boolean {
  return (
    /relay_fetch\(limit=5, reader="code"\)/.test(text) &&
    /relay_send\(message="\$ARGUMENTS", sender="code"\)/.test(text)
  );
}

/** How messages name it. */
export const PYTHON_RELAY = 'the Python relay (mcp-server-relay 1.x)';
