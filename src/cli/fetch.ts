// `mcp-relay fetch [--as KIND] [--name NAME] [--peek] [--limit N] [--json]`: a person reads unread messages, oldest
// first, by the same store and rules as relay_fetch (marks them read), or only looks (--peek). It reads what a
// session started in this directory would (the kind's shared mailbox and the session's own), as `preview` shows.
import { clampLimit, displayKind, LIMITS, type RelayMessage } from '../store/store.js';
import { UsageError, UserError } from './errors.js';
import { flushed } from './flush.js';
import { formatMessage } from './format.js';
import { type CliIo, println } from './io.js';
import { flagHelp, parse } from './options.js';
import { sideFlags, sideReader } from './side.js';
import { dbOption, dbPath, openForReading, openRelayStore, withStore } from './store.js';

const flags = {
  ...sideFlags,
  peek: { type: 'boolean', help: 'only look: mark nothing read' },
  limit: {
    type: 'string',
    arg: 'N',
    help: `at most N messages, 1-${LIMITS.maxFetchLimit} (default ${LIMITS.defaultFetchLimit}; out of range is clamped)`,
  },
  db: { ...dbOption.db, arg: 'PATH', help: 'the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)' },
  json: { type: 'boolean', help: 'print {"ok": true, "messages": [...]} as relay_fetch returns it' },
} as const;

export const usage = `Usage: mcp-relay fetch [--as KIND] [--name NAME] [--peek] [--limit N] [--db PATH] [--json]

Prints unread messages, oldest first, and marks them read (as relay_fetch does): those for the session a Claude
Code started in this directory would be (its own mailbox and the kind's shared one), as \`mcp-relay preview\`
counts them. Each message's text is indented under its header.

${flagHelp(flags)}`;

export const options = flags;

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  const reader = sideReader(values, io);
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (values.limit.trim() === '' || !Number.isFinite(limit)) {
      throw new UsageError(`--limit must be a number (got '${values.limit}')`);
    }
  }
  const file = dbPath(values.db, io);
  const peek = values.peek === true;
  // Looking never creates the database; reading for real opens it like the server does.
  const store = peek ? await openForReading(file) : await openRelayStore(file);
  const messages =
    store === null
      ? []
      : await withStore(store, async (s) =>
          s.fetch({ reader, limit: clampLimit(limit), unreadOnly: true, mark: !peek }),
        );
  if (values.json === true) println(io.stdout, JSON.stringify({ ok: true, messages }));
  else if (messages.length === 0)
    println(io.stdout, `No unread messages for ${reader.name} (${displayKind(reader.kind)}).`);
  else println(io.stdout, messages.map((m) => formatMessage(m)).join('\n\n'));
  // The messages are marked read: if they did not reach the reader, say which they were.
  const failure = await flushed(io.stdout);
  if (failure !== undefined && messages.length > 0 && !peek) throw lostOutput(messages, failure);
}

function lostOutput(messages: readonly RelayMessage[], failure: Error): UserError {
  const ids = messages.map((m) => `#${m.id}`).join(', ');
  const why = (failure as NodeJS.ErrnoException).code === 'EPIPE' ? 'its reader went away' : failure.message;
  return new UserError(
    `the output was cut off (${why}), but ${ids} ${messages.length === 1 ? 'is' : 'are'} marked read now: ` +
      '`mcp-relay search WORDS` finds them again.',
  );
}
