// `mcp-relay search WORDS... [--limit N] [--json]`: the history searched from a terminal, newest first, as
// relay_search finds it. Marks nothing read; never creates the database. Snippets show matches in [brackets].
import { field, indented } from '../lib/text.js';
import { localTime } from '../store/status.js';
import { clampLimit, LIMITS, type SearchHit } from '../store/store.js';
import { UsageError } from './errors.js';
import { BODY_INDENT, recipientName, senderName } from './format.js';
import { type CliIo, println } from './io.js';
import { flagHelp, parse } from './options.js';
import { dbOption, dbPath, openForReading, withStore } from './store.js';

const flags = {
  limit: { type: 'string', arg: 'N', help: `at most N hits, 1-${LIMITS.maxSearchLimit} (default 10)` },
  db: { ...dbOption.db, arg: 'PATH', help: 'the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)' },
  json: {
    type: 'boolean',
    help: 'print {"ok": true, "hits": [{"id", "sender", "from", "to", "timestamp", "snippet"}]}',
  },
} as const;

export const usage = `Usage: mcp-relay search WORDS... [--limit N] [--db PATH] [--json]

Searches every message the relay still holds (read or not) for all the WORDS, newest first, and prints each hit
with the part of its text that matched, matches in [brackets]. Marks nothing read.

${flagHelp(flags)}`;

export const options = flags;

export function formatHit(hit: SearchHit): string {
  const header = `#${hit.id} from ${senderName(hit)} to ${recipientName(hit.to)}, ${localTime(hit.timestamp)}:`;
  return `${header}\n${indented(hit.snippet, BODY_INDENT)}`;
}

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parse(args, options, true);
  if (positionals.length === 0) throw new UsageError('search needs one or more WORDS to look for');
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isFinite(limit)) throw new UsageError(`--limit must be a number (got '${values.limit}')`);
  const query = positionals.join(' ');
  const store = await openForReading(dbPath(values.db, io));
  const hits =
    store === null ? [] : await withStore(store, (s) => s.search(query, clampLimit(limit, LIMITS.maxSearchLimit, 10)));
  if (values.json === true) println(io.stdout, JSON.stringify({ ok: true, hits }));
  else if (hits.length === 0) println(io.stdout, `Nothing found for ${field(query)}.`);
  else println(io.stdout, hits.map(formatHit).join('\n\n'));
}
