// `mcp-relay fetch [--for desktop|code] [--peek] [--limit N] [--json]`: a person reads a side's unread messages,
// oldest first, by the same store and rules as relay_fetch (marks them read for that side), or only looks (--peek).
import { LIMITS, clampLimit } from '../store/store.js';
import { peekUnread } from '../peek.js';
import { sideName } from '../status.js';
import { UsageError } from './errors.js';
import { formatMessage } from './format.js';
import { println, type CliIo } from './io.js';
import { clientKind, parse } from './options.js';
import { dbOption, dbPath, openExisting, openStore, withStore } from './store.js';

export const usage = `Usage: mcp-relay fetch [--for desktop|code] [--peek] [--limit N] [--db PATH] [--json]

Prints a side's unread messages, oldest first, and marks them read for that side (as relay_fetch does).

  --for desktop|code  whose messages (default: code, i.e. the messages Desktop sent)
  --peek              only look: mark nothing read
  --limit N           at most N messages, 1-${LIMITS.maxFetchLimit} (default ${LIMITS.defaultFetchLimit}; out of range is clamped)
  --db PATH           the message buffer (default: $RELAY_DB, else ~/.relay_buffer.db)
  --json              print {"ok": true, "messages": [...]} as relay_fetch returns it`;

export const options = {
  for: { type: 'string' },
  peek: { type: 'boolean' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  ...dbOption,
} as const;

export async function run(args: string[], io: CliIo): Promise<void> {
  const { values } = parse(args, options);
  const reader = clientKind('--for', values.for) ?? 'code';
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (values.limit.trim() === '' || !Number.isFinite(limit)) throw new UsageError(`--limit must be a number (got '${values.limit}')`);
  }
  const file = dbPath(values.db, io);
  const peek = values.peek === true;
  // Looking never creates the database; reading for real opens it like the server does.
  const store = peek ? openExisting(file) : openStore(file);
  const messages =
    store === null
      ? []
      : await withStore(store, async (s) =>
          peek ? (await peekUnread(s, reader, clampLimit(limit))).messages : s.fetch({ reader, limit: clampLimit(limit), unreadOnly: true }),
        );
  if (values.json === true) {
    println(io.stdout, JSON.stringify({ ok: true, messages }));
    return;
  }
  if (messages.length === 0) {
    println(io.stdout, `No unread messages for ${sideName(reader)}.`);
    return;
  }
  println(io.stdout, messages.map((m) => formatMessage(m)).join('\n\n'));
}
