// `mcp-relay [serve]`: the relay MCP server, over stdio (the default: Claude Desktop and Claude Code start it so)
// or over Streamable HTTP (--http). Parses the one flag table, checks the mode once, and loads only that mode's
// module, so a stdio start-up never loads the HTTP server.
import type { CliIo } from '../io.js';
import { normaliseOptionalValue } from '../notify-options.js';
import { parse } from '../options.js';
import { dbPath } from '../store.js';
import { checkMode, flags } from './flags.js';

export { usage } from './flags.js';
/** The parseArgs spec (tests normalise `--sound` against it). */
export const options = flags;

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(normaliseOptionalValue(args, '--sound', flags), flags);
  const mode = checkMode(values);
  const db = dbPath(values.db, io);
  if (mode === 'http') return (await import('./http.js')).serveHttp(values, db, io);
  return (await import('./stdio.js')).serveStdio(values, db, io);
}
